package dev.switchboard.inference.model;

import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.gguf.GgufTensor;

import java.util.Arrays;

/** How every backend finds and checks a Llama model's tensors in a GGUF file; errors name the file and tensor. */
public final class ModelWeights {
    /** llama.cpp's converters store Llama 3.1 RoPE scaling here, as per-pair divisors. */
    public static final String ROPE_FREQS = "rope_freqs.weight";

    private ModelWeights() {
    }

    /** Tensor {@code name}, checked to be a matrix of {@code rows} rows of {@code cols} values. */
    public static GgufTensor matrix(GgufFile gguf, String name, int cols, int rows) {
        GgufTensor t = gguf.tensor(name);
        if (t.shape().length > 2 || t.cols() != cols || t.rows() != rows) {
            throw gguf.fail("tensor '" + name + "' has shape " + Arrays.toString(t.shape()) + ", expected ["
                    + cols + ", " + rows + "]");
        }
        return t;
    }

    /** Tensor {@code name}, checked to be a vector of {@code length} values. */
    public static GgufTensor vector(GgufFile gguf, String name, int length) {
        GgufTensor t = gguf.tensor(name);
        if (t.elementCount() != length || t.cols() != length) {
            throw gguf.fail("tensor '" + name + "' has shape " + Arrays.toString(t.shape()) + ", expected ["
                    + length + "]");
        }
        return t;
    }

    /**
     * Per pair of a head, the RoPE inverse frequency. With {@code divisors} (the {@link #ROPE_FREQS} tensor) they
     * divide the unscaled frequency and replace any scaling named in metadata, as in llama.cpp; without (null),
     * the metadata's scaling applies.
     */
    public static double[] ropeFrequencies(LlamaConfig config, float[] divisors) {
        double[] freqs = config.ropeInverseFrequencies();
        if (divisors != null) {
            for (int i = 0; i < freqs.length; i++) {
                freqs[i] = Math.pow(config.ropeTheta(), -2.0 * i / config.headSize()) / divisors[i];
            }
        }
        return freqs;
    }
}
