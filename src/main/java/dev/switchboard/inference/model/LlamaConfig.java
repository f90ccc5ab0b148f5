package dev.switchboard.inference.model;

/**
 * The shape of a Llama-architecture model.
 *
 * @param ropeScaling Llama 3.1-style frequency scaling, or null for none
 */
public record LlamaConfig(
        int dim,
        int ffnDim,
        int layers,
        int heads,
        int kvHeads,
        int vocabSize,
        int contextLength,
        float rmsNormEps,
        float ropeTheta,
        RopeScaling ropeScaling) {

    public int headSize() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headSize();
    }

    /** Llama 3.1's "llama3" RoPE scaling of the inverse frequencies. */
    public record RopeScaling(float factor, float lowFreqFactor, float highFreqFactor, int originalContextLength) {
        public static final RopeScaling LLAMA_3_1 = new RopeScaling(8f, 1f, 4f, 8192);
    }
}
