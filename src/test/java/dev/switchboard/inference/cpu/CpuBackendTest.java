package dev.switchboard.inference.cpu;

import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufException;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.gguf.GgufWriter;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LlamaConfig.RopeScaling;
import dev.switchboard.inference.model.LoadProgress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * CpuBackend's logits against {@link ReferenceLlama} on random models in every supported type. Both read the same
 * quantized bytes, so the only difference is float32 arithmetic versus double: one tight tolerance fits every type.
 */
class CpuBackendTest {
    /** Relative to the largest reference logit of the row. */
    private static final double TOLERANCE = 2e-4;

    /** GQA (8 heads, 2 KV heads), untied output, no RoPE scaling; rows a multiple of every block size. */
    static final LlamaConfig GQA = new LlamaConfig(256, 512, 2, 8, 2, 300, 512, 1e-5f, 10000f, null);
    /** Tied output, Llama 3.1 scaling from metadata (original context 64, so all three frequency bands occur). */
    static final LlamaConfig SCALED = new LlamaConfig(256, 256, 2, 4, 4, 260, 512, 1e-5f, 500000f,
            new RopeScaling(8f, 1f, 4f, 64));
    /** Rows and heads (18) that are not multiples of the vector length: only the element-wise types allow it. */
    static final LlamaConfig ODD = new LlamaConfig(36, 52, 2, 2, 1, 50, 512, 1e-5f, 10000f, null);

    @TempDir
    Path dir;

    static Stream<Arguments> models() {
        List<Arguments> cases = new ArrayList<>();
        for (GgmlType type : List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
                GgmlType.Q4_K, GgmlType.Q6_K)) {
            cases.add(Arguments.of(type, "gqa-untied", GQA, false, false));
            cases.add(Arguments.of(type, "tied-scaled", SCALED, true, false));
            cases.add(Arguments.of(type, "rope-freqs-tensor", GQA, true, true));
            if (type.blockSize == 1) {
                cases.add(Arguments.of(type, "odd-sizes", ODD, false, false));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void matchesTheReferenceForPrefillDecodeAndTwoPagedSequences(GgmlType type, String label, LlamaConfig config,
                                                                 boolean tied, boolean ropeFreqs) throws IOException {
        Path file = TestModels.write(dir.resolve(label + ".gguf"), config, type, tied, ropeFreqs, 11);
        try (GgufFile gguf = GgufFile.open(file)) {
            LlamaConfig loaded = LlamaConfig.fromGguf(gguf, 0);
            assertEquals(config, loaded);
            ReferenceLlama refA = new ReferenceLlama(gguf, loaded);
            ReferenceLlama refB = new ReferenceLlama(gguf, loaded);
            try (CpuBackend backend = CpuBackend.load(gguf, loaded, 2, LoadProgress.NONE);
                 KvCache cache = backend.newKvCache(16, 4)) {
                int vocab = loaded.vocabSize();
                float[] logits = new float[8 * vocab];
                // scattered physical blocks, so logical-to-physical mapping matters
                BlockTable a = table(3, 7, 1, 12);
                BlockTable b = table(9, 0);
                int[] prompt = {5, 17, 42, 3, 99 % vocab, 7, 23};

                ForwardBatch batch = new ForwardBatch(4);
                for (int i = 0; i < prompt.length; i++) {
                    batch.add(prompt[i], i, a, true);
                }
                backend.forward(batch, cache, logits);
                for (int i = 0; i < prompt.length; i++) {
                    assertClose(refA.step(prompt[i]), logits, i, "prefill entry " + i);
                }

                int[] decoded = {31, 8, 250 % vocab};
                for (int s = 0; s < decoded.length; s++) {
                    batch.clear();
                    batch.add(decoded[s], prompt.length + s, a, true);
                    backend.forward(batch, cache, logits);
                    assertClose(refA.step(decoded[s]), logits, 0, "decode step " + s);
                }

                // one pass: A decodes at position 10 while B prefills 0..4, logits wanted only for some entries
                int[] promptB = {1, 2, 3, 4, 5};
                batch.clear();
                batch.add(44, 10, a, true);
                for (int i = 0; i < promptB.length; i++) {
                    batch.add(promptB[i], i, b, i == 2 || i == promptB.length - 1);
                }
                backend.forward(batch, cache, logits);
                assertEquals(3, batch.logitRows());
                assertClose(refA.step(44), logits, 0, "sequence A beside B");
                double[] b2 = null, b4 = null;
                for (int i = 0; i < promptB.length; i++) {
                    double[] r = refB.step(promptB[i]);
                    if (i == 2) {
                        b2 = r;
                    } else if (i == 4) {
                        b4 = r;
                    }
                }
                assertClose(b2, logits, 1, "sequence B entry 2");
                assertClose(b4, logits, 2, "sequence B entry 4");

                batch.clear();
                batch.add(12, 5, b, true);
                batch.add(13, 11, a, true);
                backend.forward(batch, cache, logits);
                assertClose(refB.step(12), logits, 0, "sequence B decode");
                assertClose(refA.step(13), logits, 1, "sequence A decode");
            }
        }
    }

    @Test
    void aBatchLargerThanOneInternalChunkMatchesTheReference() throws IOException {
        Path file = TestModels.write(dir.resolve("chunked.gguf"), ODD, GgmlType.F32, false, false, 5);
        try (GgufFile gguf = GgufFile.open(file);
             CpuBackend backend = CpuBackend.load(gguf, ODD, 2, LoadProgress.NONE);
             KvCache cache = backend.newKvCache(48, 4)) {
            ReferenceLlama refA = new ReferenceLlama(gguf, ODD), refB = new ReferenceLlama(gguf, ODD);
            BlockTable a = new BlockTable(), b = new BlockTable();
            for (int i = 0; i < 24; i++) {
                a.add(47 - i);
                b.add(i);
            }
            int lenA = 90, lenB = CpuBackend.MAX_CHUNK + 20 - lenA;
            ForwardBatch batch = new ForwardBatch(8);
            for (int i = 0; i < lenA; i++) {
                batch.add(i * 7 % ODD.vocabSize(), i, a, i % 3 == 0);
            }
            for (int i = 0; i < lenB; i++) {
                batch.add(i * 11 % ODD.vocabSize(), i, b, true);
            }
            float[] logits = new float[batch.logitRows() * ODD.vocabSize()];
            backend.forward(batch, cache, logits);
            int row = 0;
            for (int i = 0; i < lenA; i++) {
                double[] expected = refA.step(i * 7 % ODD.vocabSize());
                if (i % 3 == 0) {
                    assertClose(expected, logits, row++, "sequence A entry " + i);
                }
            }
            for (int i = 0; i < lenB; i++) {
                assertClose(refB.step(i * 11 % ODD.vocabSize()), logits, row++, "sequence B entry " + i);
            }
        }
    }

    @Test
    void syntheticModelsLoadWithTheirShapeAndMatchTheReference() throws IOException {
        SyntheticModels.Shape shape = SyntheticModels.shape("synthetic:tiny-tied");
        Path file = dir.resolve("synthetic.gguf");
        SyntheticModels.write(shape, GgmlType.Q4_K, 3, file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(shape.config(), LlamaConfig.fromGguf(gguf, 0));
            assertTrue(!gguf.tensors().containsKey("output.weight"), "tied shape writes no output.weight");
            ReferenceLlama ref = new ReferenceLlama(gguf, shape.config());
            try (CpuBackend backend = CpuBackend.load(gguf, shape.config(), 1, LoadProgress.NONE);
                 KvCache cache = backend.newKvCache(4, 8)) {
                float[] logits = new float[shape.config().vocabSize()];
                BlockTable t = table(2, 0);
                ForwardBatch batch = new ForwardBatch(1);
                for (int pos = 0; pos < 10; pos++) {
                    batch.clear();
                    batch.add(pos * 31 % 320, pos, t, true);
                    backend.forward(batch, cache, logits);
                    double[] expected = ref.step(pos * 31 % 320);
                    assertClose(expected, logits, 0, "synthetic step " + pos);
                    for (float v : logits) {
                        assertTrue(Float.isFinite(v), "finite logits");
                    }
                }
            }
        }
    }

    @Test
    void loadingReportsProgressPerLayer() throws IOException {
        Path file = TestModels.write(dir.resolve("m.gguf"), GQA, GgmlType.Q8_0, false, false, 1);
        List<String> updates = new ArrayList<>();
        try (GgufFile gguf = GgufFile.open(file);
             CpuBackend backend = CpuBackend.load(gguf, LlamaConfig.fromGguf(gguf, 0), 1,
                     (stage, done, total) -> updates.add(stage + " " + done + "/" + total))) {
            assertEquals(List.of("loading 0/4", "loading 1/4", "loading 2/4", "loading 3/4", "loading 4/4"), updates);
            assertEquals("cpu", backend.name());
        }
    }

    @Test
    void loadingNamesTheMissingTensor() throws IOException {
        Path file = writeWithout("blk.1.ffn_up.weight", GgmlType.Q8_0);
        try (GgufFile gguf = GgufFile.open(file)) {
            GgufException e = assertThrows(GgufException.class,
                    () -> CpuBackend.load(gguf, LlamaConfig.fromGguf(gguf, 0), 1, LoadProgress.NONE));
            assertTrue(e.getMessage().contains("blk.1.ffn_up.weight") && e.getMessage().contains(file.toString()),
                    e.getMessage());
        }
    }

    @Test
    void loadingNamesAWronglyShapedTensor() throws IOException {
        LlamaConfig c = GQA;
        Path file = dir.resolve("shape.gguf");
        TestModels.write(file, c, GgmlType.F32, false, false, 1);
        // the same file read with a larger ffn claim: ffn tensors no longer match
        try (GgufFile gguf = GgufFile.open(file)) {
            LlamaConfig wrong = new LlamaConfig(c.dim(), c.ffnDim() * 2, c.layers(), c.heads(), c.kvHeads(),
                    c.vocabSize(), c.contextLength(), c.rmsNormEps(), c.ropeTheta(), null);
            GgufException e = assertThrows(GgufException.class,
                    () -> CpuBackend.load(gguf, wrong, 1, LoadProgress.NONE));
            assertTrue(e.getMessage().contains("blk.0.ffn_gate.weight") && e.getMessage().contains("[256, 1024]"),
                    e.getMessage());
        }
    }

    @Test
    void loadingNamesAnUnsupportedTensorType() throws IOException {
        Path full = TestModels.write(dir.resolve("full.gguf"), GQA, GgmlType.F32, false, false, 1);
        GgufWriter w = copyWithout(full, "blk.0.attn_k.weight");
        int kvDim = GQA.kvDim();
        w.tensor("blk.0.attn_k.weight", new long[]{GQA.dim(), kvDim}, GgmlType.Q5_K,
                new byte[Math.toIntExact(GgmlType.Q5_K.byteSize((long) GQA.dim() * kvDim))]);
        Path q5 = dir.resolve("q5.gguf");
        w.write(q5);
        try (GgufFile gguf = GgufFile.open(q5)) {
            GgufException e = assertThrows(GgufException.class,
                    () -> CpuBackend.load(gguf, LlamaConfig.fromGguf(gguf, 0), 1, LoadProgress.NONE));
            assertTrue(e.getMessage().contains("blk.0.attn_k.weight") && e.getMessage().contains("Q5_K"), e.getMessage());
        }
    }

    @Test
    void forwardRejectsPositionsOutsideTheBlockTable() throws IOException {
        Path file = TestModels.write(dir.resolve("t.gguf"), ODD, GgmlType.F32, false, false, 1);
        try (GgufFile gguf = GgufFile.open(file);
             CpuBackend backend = CpuBackend.load(gguf, ODD, 1, LoadProgress.NONE);
             KvCache cache = backend.newKvCache(4, 4)) {
            float[] logits = new float[ODD.vocabSize()];
            ForwardBatch beyond = new ForwardBatch(1).add(1, 4, table(0), true);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.forward(beyond, cache, logits));
            assertTrue(e.getMessage().contains("position 4"), e.getMessage());
            ForwardBatch badBlock = new ForwardBatch(1).add(1, 0, table(9), true);
            assertThrows(IllegalArgumentException.class, () -> backend.forward(badBlock, cache, logits));
            ForwardBatch badToken = new ForwardBatch(1).add(ODD.vocabSize(), 0, table(0), true);
            assertThrows(IllegalArgumentException.class, () -> backend.forward(badToken, cache, logits));
            ForwardBatch twoRows = new ForwardBatch(2).add(1, 0, table(0), true).add(2, 0, table(1), true);
            assertThrows(IllegalArgumentException.class, () -> backend.forward(twoRows, cache, logits));
        }
    }

    private Path writeWithout(String tensor, GgmlType type) throws IOException {
        Path full = TestModels.write(dir.resolve("full-" + type + ".gguf"), GQA, type, false, false, 1);
        Path out = dir.resolve("without-" + type + ".gguf");
        copyWithout(full, tensor).write(out);
        return out;
    }

    /** A writer holding all of {@code file}'s metadata and tensors except {@code tensor}. */
    private static GgufWriter copyWithout(Path file, String tensor) {
        GgufWriter w = new GgufWriter();
        try (GgufFile src = GgufFile.open(file)) {
            src.metadata().forEach(w::put);
            src.tensors().values().stream().filter(t -> !t.name().equals(tensor)).forEach(t ->
                    w.tensor(t.name(), t.shape(), t.type(), t.data().toArray(ValueLayout.JAVA_BYTE)));
        }
        return w;
    }

    static BlockTable table(int... blocks) {
        BlockTable t = new BlockTable();
        for (int b : blocks) {
            t.add(b);
        }
        return t;
    }

    static void assertClose(double[] expected, float[] logits, int row, String what) {
        double scale = 1;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        int off = row * expected.length;
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - logits[off + i]) <= TOLERANCE * scale)) {
                fail(what + ": logit " + i + " is " + logits[off + i] + ", reference " + expected[i]
                        + " (tolerance " + TOLERANCE * scale + ")");
            }
        }
    }
}
