package dev.switchboard.inference.sampling;

/**
 * {@code min_p} (Nguyen et al. 2024, as vLLM and llama.cpp apply it): tokens whose probability is below
 * {@code minP} times the most likely token's are removed. Probabilities are those the sampler draws from, at the
 * request's temperature: p/p_max = exp((logit - max) / T) &lt; minP exactly when logit &lt; max + T ln(minP).
 */
public final class MinP implements LogitsProcessor {
    private final float minP;
    private final float temperature;

    public MinP(float minP, float temperature) {
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("min_p must be between 0 and 1, got " + minP);
        }
        this.minP = minP;
        this.temperature = temperature;
    }

    @Override
    public void process(int[] tokens, int promptLength, int length, float[] logits, int offset, int vocabSize) {
        if (minP == 0 || temperature == 0) {
            return; // greedy keeps the most likely token whatever the floor
        }
        float max = logits[offset + Sampler.argmax(logits, offset, vocabSize)];
        float floor = (float) (max + temperature * Math.log(minP));
        for (int i = offset; i < offset + vocabSize; i++) {
            if (logits[i] < floor) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }
}
