package dev.switchboard.inference.cpu;

import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufWriter;
import dev.switchboard.inference.model.LlamaConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Writes small random-weight Llama GGUFs for tests, with the variations the tests need. */
final class TestModels {
    private TestModels() {
    }

    /**
     * @param ropeFreqs adds a {@code rope_freqs.weight} tensor of divisors in [1, 8] (llama.cpp's Llama 3.1 form)
     */
    static Path write(Path file, LlamaConfig c, GgmlType type, boolean tied, boolean ropeFreqs, long seed)
            throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        GgufWriter w = SyntheticModels.llamaMetadata(c, null);
        matrix(w, "token_embd.weight", c.dim(), c.vocabSize(), type, 1.0, rnd);
        for (int l = 0; l < c.layers(); l++) {
            String p = "blk." + l + ".";
            vector(w, p + "attn_norm.weight", c.dim(), 0.5, 1.5, rnd);
            matrix(w, p + "attn_q.weight", c.dim(), c.dim(), type, rnd);
            matrix(w, p + "attn_k.weight", c.dim(), c.kvDim(), type, rnd);
            matrix(w, p + "attn_v.weight", c.dim(), c.kvDim(), type, rnd);
            matrix(w, p + "attn_output.weight", c.dim(), c.dim(), type, rnd);
            vector(w, p + "ffn_norm.weight", c.dim(), 0.5, 1.5, rnd);
            matrix(w, p + "ffn_gate.weight", c.dim(), c.ffnDim(), type, rnd);
            matrix(w, p + "ffn_up.weight", c.dim(), c.ffnDim(), type, rnd);
            matrix(w, p + "ffn_down.weight", c.ffnDim(), c.dim(), type, rnd);
        }
        vector(w, "output_norm.weight", c.dim(), 0.5, 1.5, rnd);
        if (!tied) {
            matrix(w, "output.weight", c.dim(), c.vocabSize(), type, rnd);
        }
        if (ropeFreqs) {
            vector(w, "rope_freqs.weight", c.headSize() / 2, 1, 8, rnd);
        }
        w.write(file);
        return file;
    }

    /** Uniform weights of variance 2/cols: activations keep a useful scale through the layers. */
    private static void matrix(GgufWriter w, String name, int cols, int rows, GgmlType type, SplittableRandom rnd) {
        matrix(w, name, cols, rows, type, Math.sqrt(6.0 / cols), rnd);
    }

    private static void matrix(GgufWriter w, String name, int cols, int rows, GgmlType type, double bound,
                               SplittableRandom rnd) {
        w.tensor(name, new long[]{cols, rows}, type, WeightTensor.quantize(type, uniform(cols * rows, -bound, bound, rnd)));
    }

    private static void vector(GgufWriter w, String name, int n, double lo, double hi, SplittableRandom rnd) {
        w.tensor(name, new long[]{n}, uniform(n, lo, hi, rnd));
    }

    static float[] uniform(int n, double lo, double hi, SplittableRandom rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextDouble(lo, hi);
        }
        return v;
    }
}
