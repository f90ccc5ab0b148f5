package dev.switchboard.inference.model;

import dev.switchboard.inference.gguf.GgufException;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.gguf.GgufWriter;
import dev.switchboard.inference.model.LlamaConfig.RopeScaling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LlamaConfigTest {
    @TempDir
    Path dir;

    private Path write(Consumer<GgufWriter> edit) throws IOException {
        GgufWriter w = new GgufWriter()
                .put("general.architecture", "llama")
                .put("llama.embedding_length", 256)
                .put("llama.feed_forward_length", 512)
                .put("llama.block_count", 3)
                .put("llama.attention.head_count", 8)
                .put("llama.attention.head_count_kv", 2)
                .put("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .put("llama.rope.freq_base", 500000f)
                .put("llama.context_length", 4096)
                .put("tokenizer.ggml.tokens", new String[]{"a", "b", "c"});
        edit.accept(w);
        Path p = dir.resolve("m" + System.nanoTime() + ".gguf");
        w.write(p);
        return p;
    }

    private static LlamaConfig read(Path p, int override) {
        try (GgufFile f = GgufFile.open(p)) {
            return LlamaConfig.fromGguf(f, override);
        }
    }

    @Test
    void readsTheShape() throws IOException {
        LlamaConfig c = read(write(w -> { }), 0);
        assertEquals(new LlamaConfig(256, 512, 3, 8, 2, 3, 4096, 1e-5f, 500000f, null), c);
        assertEquals(32, c.headSize());
        assertEquals(64, c.kvDim());
        assertEquals(1000, read(write(w -> { }), 1000).contextLength());
    }

    @Test
    void optionalKeysTakeLlamaDefaultsAndVocabularyFallsBackToTheEmbedding() throws IOException {
        Path p = dir.resolve("defaults.gguf");
        new GgufWriter()
                .put("general.architecture", "llama")
                .put("llama.embedding_length", 64)
                .put("llama.feed_forward_length", 128)
                .put("llama.block_count", 1)
                .put("llama.attention.head_count", 4)
                .put("llama.attention.layer_norm_rms_epsilon", 1e-6f)
                .put("llama.context_length", 128)
                .tensor("token_embd.weight", new long[]{64, 10}, new float[640])
                .write(p);
        LlamaConfig c = read(p, 0);
        assertEquals(4, c.kvHeads());
        assertEquals(10000f, c.ropeTheta());
        assertEquals(10, c.vocabSize());
        assertNull(c.ropeScaling());
    }

    @Test
    void rejectsOtherArchitecturesNamingFileAndArchitecture() throws IOException {
        Path p = write(w -> w.put("general.architecture", "gpt2"));
        GgufException e = assertThrows(GgufException.class, () -> read(p, 0));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("gpt2"), e.getMessage());
    }

    @Test
    void aMissingRequiredKeyIsNamed() throws IOException {
        Path p = dir.resolve("missing.gguf");
        new GgufWriter()
                .put("general.architecture", "llama")
                .put("llama.embedding_length", 64)
                .put("llama.block_count", 1)
                .write(p);
        GgufException e = assertThrows(GgufException.class, () -> read(p, 0));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("llama.feed_forward_length"),
                e.getMessage());
    }

    @Test
    void inconsistentHeadCountsAreRejected() throws IOException {
        Path p = write(w -> w.put("llama.attention.head_count_kv", 3));
        GgufException e = assertThrows(GgufException.class, () -> read(p, 0));
        assertTrue(e.getMessage().contains("head_count_kv"), e.getMessage());
    }

    @Test
    void readsLlama31ScalingKeysAndRejectsUnknownScalingTypes() throws IOException {
        LlamaConfig c = read(write(w -> w.put("llama.rope.scaling.type", "llama3")
                .put("llama.rope.scaling.factor", 32f)
                .put("llama.rope.scaling.low_freq_factor", 1f)
                .put("llama.rope.scaling.high_freq_factor", 4f)
                .put("llama.rope.scaling.original_context_length", 8192)), 0);
        assertEquals(new RopeScaling(32f, 1f, 4f, 8192), c.ropeScaling());
        Path yarn = write(w -> w.put("llama.rope.scaling.type", "yarn"));
        GgufException e = assertThrows(GgufException.class, () -> read(yarn, 0));
        assertTrue(e.getMessage().contains("yarn"), e.getMessage());
    }

    @Test
    void llama31ScalingFollowsMetasFormulaInAllThreeBands() {
        RopeScaling s = RopeScaling.LLAMA_3_1;
        // wavelength 1000 < 8192/4: unchanged
        double high = 2 * Math.PI / 1000;
        assertEquals(high, s.apply(high), 1e-15);
        // wavelength 10000 > 8192/1: divided by the factor 8
        double low = 2 * Math.PI / 10000;
        assertEquals(low / 8, s.apply(low), 1e-15);
        // wavelength 4096: smooth = (8192/4096 - 1) / (4 - 1) = 1/3
        double mid = 2 * Math.PI / 4096;
        assertEquals((2.0 / 3) * mid / 8 + (1.0 / 3) * mid, s.apply(mid), 1e-15);
    }

    @Test
    void inverseFrequenciesApplyTheScalingPerPair() {
        LlamaConfig c = new LlamaConfig(4096, 14336, 32, 32, 8, 128256, 8192, 1e-5f, 500000f, RopeScaling.LLAMA_3_1);
        double[] f = c.ropeInverseFrequencies();
        assertEquals(64, f.length);
        assertEquals(1.0, f[0], 1e-15);
        double last = Math.pow(500000, -126.0 / 128);
        assertEquals(last / 8, f[63], 1e-12 * last);
        for (int i = 1; i < f.length; i++) {
            assertTrue(f[i] < f[i - 1], "frequencies fall with the pair index");
        }
    }
}
