package dev.switchboard.inference.speculative;

import dev.switchboard.inference.sampling.Sampler;
import dev.switchboard.inference.sampling.SamplingParams;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The verification rule on hand-made logits: what is accepted, what replaces a rejected token, the bonus. */
class VerifierTest {
    private static final int VOCAB = 6;
    /** Rows are padded beyond the vocabulary, as a model's output may be: the padding must never be chosen. */
    private static final int STRIDE = 8;

    /** Rows whose argmax is the given token (the padding holds the largest values, outside the vocabulary). */
    private static float[] rowsFavouring(int... tokens) {
        float[] logits = new float[tokens.length * STRIDE];
        for (int r = 0; r < tokens.length; r++) {
            for (int v = 0; v < STRIDE; v++) {
                logits[r * STRIDE + v] = v >= VOCAB ? 100f : (v == tokens[r] ? 5f : 0f);
            }
        }
        return logits;
    }

    private static Verifier greedy() {
        return new Verifier(new Sampler(SamplingParams.greedy(1)), true, VOCAB);
    }

    @Test
    void greedyAcceptsAMatchingDraftAndAddsTheBonusToken() {
        int[] out = new int[4];
        int accepted = greedy().verify(rowsFavouring(2, 4, 1, 5), 0, STRIDE, new int[] {2, 4, 1}, 3, out);
        assertEquals(3, accepted);
        assertArrayEquals(new int[] {2, 4, 1, 5}, out);
    }

    @Test
    void greedyStopsAtTheFirstMismatchAndEmitsTheArgmaxInstead() {
        int[] out = new int[4];
        int accepted = greedy().verify(rowsFavouring(2, 4, 1, 5), 0, STRIDE, new int[] {2, 3, 1}, 3, out);
        assertEquals(1, accepted);
        assertEquals(2, out[0]);
        assertEquals(4, out[1], "the target's own token replaces the rejected draft");
        int first = greedy().verify(rowsFavouring(2, 4, 1, 5), 0, STRIDE, new int[] {0, 4, 1}, 3, out);
        assertEquals(0, first);
        assertEquals(2, out[0]);
    }

    @Test
    void withoutDraftVerificationIsPlainSampling() {
        float[] logits = {0.3f, -1f, 2f, 0.1f, 1.5f, 0f, 0f, 0f};
        SamplingParams params = new SamplingParams(1f, 0, 1f, 77L, 10, List.of());
        Verifier v = new Verifier(new Sampler(params), false, VOCAB);
        Sampler plain = new Sampler(params);
        int[] out = new int[1];
        for (int i = 0; i < 50; i++) {
            assertEquals(0, v.verify(logits, 0, STRIDE, new int[0], 0, out));
            assertEquals(plain.sample(logits, 0, VOCAB), out[0], "same seed, same draws");
        }
    }

    @Test
    void samplingAlwaysAcceptsACertainTokenAndNeverEmitsAnImpossibleOne() {
        // Row 0: top-k 1 makes token 3 certain. Row 1: token 0 is outside the top 1, so impossible.
        float[] logits = new float[3 * STRIDE];
        logits[3] = 4f;
        logits[STRIDE + 2] = 4f;
        logits[2 * STRIDE + 1] = 4f;
        for (long seed = 0; seed < 200; seed++) {
            Verifier v = new Verifier(new Sampler(new SamplingParams(1f, 1, 1f, seed, 10, List.of())), false, VOCAB);
            int[] out = new int[3];
            assertEquals(2, v.verify(logits, 0, STRIDE, new int[] {3, 2}, 2, out));
            assertArrayEquals(new int[] {3, 2, 1}, out, "all accepted, then the bonus token from the last row");
            assertEquals(1, v.verify(logits, 0, STRIDE, new int[] {3, 0}, 2, out));
            assertEquals(2, out[1], "the residual of a one-token distribution is that token");
        }
    }

    @Test
    void rejectedTokenIsResampledFromTheRestOfTheDistribution() {
        // p = softmax(0, ln 2, ln 3, ...) over 3 live tokens; drafting token 2 (p = 1/2) is rejected half the time,
        // and then the residual is tokens 0 and 1 in the ratio 1:2, never token 2.
        float[] logits = new float[2 * STRIDE];
        for (int row = 0; row < 2; row++) {
            logits[row * STRIDE] = 0f;
            logits[row * STRIDE + 1] = (float) Math.log(2);
            logits[row * STRIDE + 2] = (float) Math.log(3);
            for (int v = 3; v < STRIDE; v++) {
                logits[row * STRIDE + v] = -1e9f;
            }
        }
        int[] counts = new int[VOCAB];
        int rejected = 0;
        int n = 20000;
        Verifier v = new Verifier(new Sampler(new SamplingParams(1f, 0, 1f, 5L, 10, List.of())), false, VOCAB);
        int[] out = new int[2];
        for (int i = 0; i < n; i++) {
            if (v.verify(logits, 0, STRIDE, new int[] {2}, 1, out) == 0) {
                rejected++;
                counts[out[0]]++;
                assertNotEquals(2, out[0]);
            }
        }
        assertEquals(0.5, (double) rejected / n, 0.02);
        assertEquals(1.0 / 3, (double) counts[0] / rejected, 0.02);
        assertTrue(counts[3] + counts[4] + counts[5] == 0);
    }
}
