package dev.switchboard.inference.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Llama 3.1's RoPE scaling (factor 8, low/high frequency factors 1 and 4, original context 8192, theta 500000, head
 * size 128) against a double-precision reference written here from Meta's description, at positions 8K, 32K and
 * 128K: the rotation angles the backends use must agree to double rounding.
 */
class RopeLongContextTest {
    private static final LlamaConfig LLAMA_31_8B = new LlamaConfig(4096, 14336, 32, 32, 8, 128256, 131072, 1e-5f,
            500000f, LlamaConfig.RopeScaling.LLAMA_3_1);
    private static final int[] POSITIONS = {8191, 32767, 131071};

    /** Meta's rule: wavelengths under 8192/4 keep their frequency, over 8192/1 are slowed 8x, between blend. */
    private static double reference(int pair) {
        double freq = 1.0 / Math.pow(500000.0, 2.0 * pair / 128);
        double wavelen = 2 * Math.PI / freq;
        if (wavelen < 8192.0 / 4) {
            return freq;
        }
        if (wavelen > 8192.0 / 1) {
            return freq / 8;
        }
        double smooth = (8192.0 / wavelen - 1) / (4 - 1);
        return (1 - smooth) * freq / 8 + smooth * freq;
    }

    @Test
    void scaledAnglesMatchTheDoubleReferenceAt8kTo128k() {
        double[] freqs = ModelWeights.ropeFrequencies(LLAMA_31_8B, null);
        assertEquals(64, freqs.length);
        int kept = 0, slowed = 0, blended = 0;
        for (int j = 0; j < 64; j++) {
            double ref = reference(j);
            double unscaled = 1.0 / Math.pow(500000.0, 2.0 * j / 128);
            kept += ref == unscaled ? 1 : 0;
            slowed += ref == unscaled / 8 ? 1 : 0;
            blended += ref != unscaled && ref != unscaled / 8 ? 1 : 0;
            for (int pos : POSITIONS) {
                double angle = pos * freqs[j], expected = pos * ref;
                assertEquals(expected, angle, Math.ulp(expected) * 4, "pair " + j + " at position " + pos);
                assertEquals(Math.cos(expected), Math.cos(angle), 1e-12);
                assertEquals(Math.sin(expected), Math.sin(angle), 1e-12);
            }
        }
        // all three bands occur, so a wrong high-frequency factor (llama3.java's 1/4 mix-up) would show
        assertTrue(kept > 0 && slowed > 0 && blended > 0, kept + " kept, " + slowed + " slowed, " + blended + " blended");
        // float32 angles (float frequency times position) would be off by far more at 128K: why the backends use doubles
        double worst = 0;
        for (int j = 0; j < 64; j++) {
            float f = (float) reference(j);
            worst = Math.max(worst, Math.abs((float) (131071 * f) - 131071 * reference(j)));
        }
        assertTrue(worst > 1e-3, "float32 angle error at 128K: " + worst);
    }

    /** A GGUF converted with rope_freqs divisors (float32) gives nearly the same angles as the metadata's scaling. */
    @Test
    void ropeFreqsDivisorsAgreeAt128k() {
        double[] scaled = LLAMA_31_8B.ropeInverseFrequencies();
        float[] divisors = new float[scaled.length];
        for (int j = 0; j < scaled.length; j++) {
            divisors[j] = (float) (Math.pow(500000.0, -2.0 * j / 128) / scaled[j]);
        }
        double[] fromDivisors = ModelWeights.ropeFrequencies(LLAMA_31_8B, divisors);
        for (int j = 0; j < scaled.length; j++) {
            assertEquals(131071 * reference(j), 131071 * fromDivisors[j], 1e-4, "pair " + j);
        }
    }

    @Test
    void wrongHighFrequencyFactorIsCaught() {
        LlamaConfig wrong = new LlamaConfig(4096, 14336, 32, 32, 8, 128256, 131072, 1e-5f, 500000f,
                new LlamaConfig.RopeScaling(8f, 1f, 1f / 4, 8192));
        double[] freqs = wrong.ropeInverseFrequencies();
        boolean differs = false;
        for (int j = 0; j < 64; j++) {
            differs |= Math.abs(131071 * freqs[j] - 131071 * reference(j)) > 1e-6;
        }
        assertTrue(differs, "the reference tells a high_freq_factor of 1/4 from 4");
    }
}
