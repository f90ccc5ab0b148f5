package dev.switchboard.inference.model;

import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.gguf.GgufTensor;

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

    /**
     * The RoPE inverse frequency of each adjacent pair of a head, {@code theta^(-2i/headSize)}, with
     * {@link #ropeScaling()} applied. A model's {@code rope_freqs.weight} tensor, when it has one, divides these
     * further (that is the backend's business: the tensor is data, not shape).
     */
    public double[] ropeInverseFrequencies() {
        int half = headSize() / 2;
        double[] freqs = new double[half];
        for (int i = 0; i < half; i++) {
            double f = 1.0 / Math.pow(ropeTheta, 2.0 * i / headSize());
            freqs[i] = ropeScaling == null ? f : ropeScaling.apply(f);
        }
        return freqs;
    }

    /**
     * Reads the shape of a {@code general.architecture = "llama"} GGUF file. Optional keys: head_count_kv (default
     * head_count), rope.freq_base (default 10000), the Llama 3.1 {@code llama.rope.scaling.*} keys. The vocabulary
     * size is the length of {@code tokenizer.ggml.tokens}, else the row count of {@code token_embd.weight}.
     *
     * @param contextLengthOverride a context length to use instead of {@code llama.context_length}; 0 for none
     */
    public static LlamaConfig fromGguf(GgufFile gguf, int contextLengthOverride) {
        String arch = gguf.getString("general.architecture");
        if (!"llama".equals(arch)) {
            throw gguf.fail("general.architecture is '" + arch + "', only 'llama' is supported");
        }
        int dim = positive(gguf, "llama.embedding_length");
        int ffn = positive(gguf, "llama.feed_forward_length");
        int layers = positive(gguf, "llama.block_count");
        int heads = positive(gguf, "llama.attention.head_count");
        int kvHeads = gguf.has("llama.attention.head_count_kv") ? positive(gguf, "llama.attention.head_count_kv") : heads;
        float eps = gguf.get("llama.attention.layer_norm_rms_epsilon", Number.class).floatValue();
        float theta = gguf.getFloat("llama.rope.freq_base", 10000f);
        int context = contextLengthOverride > 0 ? contextLengthOverride : positive(gguf, "llama.context_length");
        if (dim % heads != 0 || (dim / heads) % 2 != 0) {
            throw gguf.fail("llama.embedding_length " + dim + " is not a multiple of an even head size for "
                    + heads + " heads (llama.attention.head_count)");
        }
        if (heads % kvHeads != 0) {
            throw gguf.fail("llama.attention.head_count " + heads + " is not a multiple of llama.attention.head_count_kv "
                    + kvHeads);
        }
        if (gguf.has("llama.attention.key_length") && gguf.getInt("llama.attention.key_length") != dim / heads) {
            throw gguf.fail("llama.attention.key_length " + gguf.getInt("llama.attention.key_length")
                    + " differs from embedding_length / head_count = " + dim / heads + ", which is not supported");
        }
        if (!(eps > 0) || !(theta > 0)) {
            throw gguf.fail("llama.attention.layer_norm_rms_epsilon (" + eps + ") and llama.rope.freq_base ("
                    + theta + ") must be positive");
        }
        return new LlamaConfig(dim, ffn, layers, heads, kvHeads, vocabSize(gguf), context, eps, theta,
                ropeScaling(gguf));
    }

    private static int positive(GgufFile gguf, String key) {
        int v = gguf.getInt(key);
        if (v <= 0) {
            throw gguf.fail("metadata key '" + key + "' is " + v + ", expected a positive number");
        }
        return v;
    }

    private static int vocabSize(GgufFile gguf) {
        if (gguf.has("tokenizer.ggml.tokens")) {
            return gguf.getStringArray("tokenizer.ggml.tokens").length;
        }
        GgufTensor embeddings = gguf.tensor("token_embd.weight");
        return embeddings.rows();
    }

    private static RopeScaling ropeScaling(GgufFile gguf) {
        String type = gguf.getString("llama.rope.scaling.type",
                gguf.has("llama.rope.scaling.low_freq_factor") ? "llama3" : "none");
        return switch (type) {
            case "none" -> null;
            case "llama3" -> {
                RopeScaling d = RopeScaling.LLAMA_3_1;
                RopeScaling s = new RopeScaling(
                        gguf.getFloat("llama.rope.scaling.factor", d.factor()),
                        gguf.getFloat("llama.rope.scaling.low_freq_factor", d.lowFreqFactor()),
                        gguf.getFloat("llama.rope.scaling.high_freq_factor", d.highFreqFactor()),
                        gguf.getInt("llama.rope.scaling.original_context_length", d.originalContextLength()));
                if (!(s.factor() > 0) || !(s.highFreqFactor() > s.lowFreqFactor()) || !(s.lowFreqFactor() > 0)
                        || s.originalContextLength() <= 0) {
                    throw gguf.fail("llama.rope.scaling.* values " + s + " are invalid (need factor > 0, "
                            + "high_freq_factor > low_freq_factor > 0, original_context_length > 0)");
                }
                yield s;
            }
            default -> throw gguf.fail("llama.rope.scaling.type '" + type + "' is not supported (only 'none', 'llama3')");
        };
    }

    /** Llama 3.1's "llama3" RoPE scaling of the inverse frequencies. */
    public record RopeScaling(float factor, float lowFreqFactor, float highFreqFactor, int originalContextLength) {
        public static final RopeScaling LLAMA_3_1 = new RopeScaling(8f, 1f, 4f, 8192);

        /**
         * Scales one inverse frequency as Meta's reference {@code apply_scaling} does: high frequencies (short
         * wavelengths) stay, low ones are divided by {@code factor}, and the band between is interpolated.
         */
        public double apply(double freq) {
            double wavelen = 2 * Math.PI / freq;
            double lowFreqWavelen = originalContextLength / (double) lowFreqFactor;
            double highFreqWavelen = originalContextLength / (double) highFreqFactor;
            if (wavelen < highFreqWavelen) {
                return freq;
            }
            if (wavelen > lowFreqWavelen) {
                return freq / factor;
            }
            double smooth = (originalContextLength / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
            return (1 - smooth) * freq / factor + smooth * freq;
        }
    }
}
