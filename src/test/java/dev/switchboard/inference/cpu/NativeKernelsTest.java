package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.gguf.GgufTensor;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.KvType;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The native kernels and the Java ones each against {@link ReferenceLlama}, within {@link CpuBackendTest}'s
 * tolerance, for every type the native library covers: prefill (matrix-matrix) and decode (matrix-vector).
 */
class NativeKernelsTest {
    /** The library's own prefetch distance, read before any test sets one. */
    private static final int DEFAULT_PREFETCH = NativeKernels.available() ? NativeKernels.prefetch(-1) : 0;

    @TempDir
    Path dir;

    @AfterEach
    void restoreDefault() {
        NativeKernels.use(NativeKernels.Mode.AUTO);
        if (NativeKernels.available()) {
            NativeKernels.useLevel(Integer.MAX_VALUE);
            NativeKernels.prefetch(DEFAULT_PREFETCH);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_K", "Q6_K"})
    void bothKernelsMatchTheReference(GgmlType type) throws IOException {
        Path file = modelWhereNativeKernelsRun(type);
        assertMatchesTheReference(file, NativeKernels.Mode.JAVA);
        assertMatchesTheReference(file, NativeKernels.Mode.NATIVE);
    }

    /** Most laptops have AVX2 but not AVX-512: their kernels run here too when this machine has both. */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_K", "Q6_K"})
    void theAvx2KernelsMatchTheReferenceToo(GgmlType type) throws IOException {
        Path file = modelWhereNativeKernelsRun(type);
        assertEquals(1, NativeKernels.useLevel(1));
        assertMatchesTheReference(file, NativeKernels.Mode.NATIVE);
    }

    private Path modelWhereNativeKernelsRun(GgmlType type) throws IOException {
        assumeNativeKernels("; only the Java kernels are tested");
        return TestModels.write(dir.resolve(type + ".gguf"), CpuBackendTest.SCALED, type, false, false, 3);
    }

    private static void assertMatchesTheReference(Path file, NativeKernels.Mode mode) throws IOException {
        NativeKernels.use(mode);
        try (GgufFile gguf = GgufFile.open(file)) {
            LlamaConfig config = LlamaConfig.fromGguf(gguf, 0);
            ReferenceLlama ref = new ReferenceLlama(gguf, config);
            try (CpuBackend backend = CpuBackend.load(gguf, config, 2, LoadProgress.NONE);
                 KvCache cache = backend.newKvCache(8, 4)) {
                assertEquals(mode == NativeKernels.Mode.NATIVE, backend.nativeKernels());
                int vocab = config.vocabSize();
                // 20 tokens: with 6 the K-quants' one activation scale per 256 values stayed within the tolerance,
                // with 20 it did not (2026-12-05); and a batch of 16 or more goes through AMX where the CPU has it
                int[] prompt = {5, 17, 42, 3, 99, 7, 250, 1, 64, 128, 33, 12, 201, 77, 9, 140, 56, 2, 180, 19};
                float[] logits = new float[prompt.length * vocab];
                BlockTable table = CpuBackendTest.table(2, 5, 0, 7, 1, 6);
                ForwardBatch batch = new ForwardBatch(4);
                for (int i = 0; i < prompt.length; i++) {
                    batch.add(prompt[i], i, table, true);
                }
                backend.forward(batch, cache, logits);
                for (int i = 0; i < prompt.length; i++) {
                    CpuBackendTest.assertClose(ref.step(prompt[i]), logits, i, mode + " prefill entry " + i);
                }
                int[] decoded = {31, 8, 250};
                for (int s = 0; s < decoded.length; s++) {
                    batch.clear();
                    batch.add(decoded[s], prompt.length + s, table, true);
                    backend.forward(batch, cache, logits);
                    CpuBackendTest.assertClose(ref.step(decoded[s]), logits, 0, mode + " decode step " + s);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q6_K"})
    void withNativeKernelsTheJavaCopyOfTheWeightsIsMadeOnlyWhenAJavaKernelRuns(GgmlType type) throws IOException {
        assumeNativeKernels("");
        Path file = TestModels.write(dir.resolve(type + ".gguf"), CpuBackendTest.SCALED, type, false, false, 5);
        try (GgufFile gguf = GgufFile.open(file)) {
            for (String name : new String[]{"token_embd.weight", "blk.0.ffn_down.weight"}) {
                GgufTensor t = gguf.tensors().get(name);
                NativeKernels.use(NativeKernels.Mode.JAVA);
                WeightTensor eager = WeightTensor.of(gguf, t);
                NativeKernels.use(NativeKernels.Mode.NATIVE);
                WeightTensor lazy = WeightTensor.of(gguf, t);
                assertTrue(eager.hasRepackedCopy(), name);
                assertFalse(lazy.hasRepackedCopy(), name + ": the native kernels read the file's blocks");
                float[] a = new float[t.cols()], b = new float[t.cols()];
                for (int r = 0; r < t.rows(); r++) {
                    eager.dequantizeRow(r, a, 0);
                    lazy.dequantizeRow(r, b, 0);
                    assertArrayEquals(a, b, name + " row " + r);
                }
                assertFalse(lazy.hasRepackedCopy(), name + ": an embedding lookup copies one row, not the table");
                float[] x = new float[t.cols()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) Math.sin(i);
                }
                assertEquals(eager.dot(t.rows() - 1, x, 0), lazy.dot(t.rows() - 1, x, 0), name);
                assertTrue(lazy.hasRepackedCopy(), name + ": a Java kernel made the copy");
            }
        }
    }

    /**
     * The native Q8_0, Q4_K and Q6_K kernels' copy, as large as the weights, is made when the weights are paged in for
     * products or by the first native product, never by an embedding lookup; and only for whole groups of 16 rows (a
     * vocabulary of 300 is not one, and its products read the file's blocks).
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_K", "Q6_K"})
    void theNativeCopyIsMadeForProductsOnly(GgmlType type) throws IOException {
        assumeNativeKernels("");
        Path file = TestModels.write(dir.resolve(type + ".gguf"), CpuBackendTest.GQA, type, false, false, 7);
        NativeKernels.use(NativeKernels.Mode.NATIVE);
        try (GgufFile gguf = GgufFile.open(file)) {
            WeightTensor embedding = WeightTensor.of(gguf, gguf.tensors().get("token_embd.weight"));
            WeightTensor down = WeightTensor.of(gguf, gguf.tensors().get("blk.0.ffn_down.weight"));
            WeightTensor up = WeightTensor.of(gguf, gguf.tensors().get("blk.0.ffn_up.weight"));
            float[] row = new float[embedding.cols()];
            embedding.dequantizeRow(3, row, 0);
            assertFalse(embedding.hasNativeCopy(), "an embedding lookup reads the file");
            assertFalse(down.hasNativeCopy());
            down.pageIn();
            assertTrue(down.hasNativeCopy(), "paged in for products");
            float[] x = new float[up.cols()];
            Arrays.fill(x, 0.5f);
            float[] out = new float[up.rows()];
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment q = arena.allocate(NativeKernels.activationBytes(1, up.cols()), 64);
                NativeKernels.quantize(x, 1, up.cols(), type == GgmlType.Q8_0, q);
                embedding.matmulNative(q, 1, new float[embedding.rows()], 0, embedding.rows());
                assertFalse(embedding.hasNativeCopy(), "300 rows are not whole groups of 16");
                up.matmulNative(q, 1, out, 0, up.rows());
            }
            assertTrue(up.hasNativeCopy(), "made by the first native product");
            assertEquals(up.dot(5, x, 0), out[5], 1e-3 * Math.abs(up.dot(5, x, 0)) + 1e-4);
        }
    }

    @Test
    void javaIsUsedWhenAskedAndNativeWithoutTheLibraryIsAnError() throws IOException {
        Path file = TestModels.write(dir.resolve("q8.gguf"), CpuBackendTest.GQA, GgmlType.Q8_0, false, false, 3);
        try (GgufFile gguf = GgufFile.open(file)) {
            LlamaConfig config = LlamaConfig.fromGguf(gguf, 0);
            NativeKernels.use(NativeKernels.Mode.JAVA);
            try (CpuBackend backend = CpuBackend.load(gguf, config, 1, LoadProgress.NONE)) {
                assertFalse(backend.nativeKernels());
            }
            NativeKernels.use(NativeKernels.Mode.AUTO);
            try (CpuBackend backend = CpuBackend.load(gguf, config, 1, LoadProgress.NONE)) {
                assertEquals(NativeKernels.available(), backend.nativeKernels());
            }
            NativeKernels.use(NativeKernels.Mode.NATIVE);
            if (!NativeKernels.available()) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> CpuBackend.load(gguf, config, 1, LoadProgress.NONE));
                assertTrue(e.getMessage().contains("unavailable"), e.getMessage());
            }
        }
        assertEquals(NativeKernels.Mode.NATIVE, NativeKernels.Mode.parse("Native"));
        assertThrows(IllegalArgumentException.class, () -> NativeKernels.Mode.parse("fast"));
    }

    /**
     * Q8_0 input is quantized with a scale per block of 32: with one scale per 256, a block of small values beside
     * one of large values would round to a few steps (here: to zero) and its products would be lost.
     */
    @Test
    void q8_0InputKeepsSmallBlocksBesideLargeOnes() {
        assumeNativeKernels("");
        int cols = 256, rows = 4;
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = i < 32 ? 1000f : (float) (1e-3 * Math.sin(i));
        }
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % cols < 32 ? 0 : (float) Math.cos(i);
        }
        try (Arena arena = Arena.ofConfined()) {
            WeightTensor w = tensor(arena, GgmlType.Q8_0, values, cols, rows);
            MemorySegment q = arena.allocate(NativeKernels.activationBytes(1, cols), 64);
            NativeKernels.quantize(x, 1, cols, true, q);
            float[] out = new float[rows];
            w.matmulNative(q, 1, out, 0, rows);
            for (int r = 0; r < rows; r++) {
                double expected = w.dot(r, x, 0);
                assertEquals(expected, out[r], 1e-4 * Math.abs(expected), "row " + r);
            }
        }
    }

    /**
     * Q8_0, Q4_K and Q6_K with whole groups of 16 rows are computed on the native kernels' own copy, a row per vector lane:
     * however the rows are split among threads (a range may start or end inside a group), whether a token comes alone
     * or in a tile of 8 or 4 (or of 16 on AMX), and at every kernel level the CPU has, every row and token gets the
     * same float, to the bit; each within tolerance of the Java kernel, the input with small blocks beside large ones included.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_K", "Q6_K"})
    void repackedRowsGetTheSameResultWhateverTheSplitBatchOrLevel(GgmlType type) {
        assumeNativeKernels("");
        // 37 tokens: two tiles of 16 for the AMX kernel where the CPU has one, then tiles of 4 and single tokens
        int cols = 512, rows = 48, n = 37;
        // Q8_0's activations have a scale per 32 values, the K-quants' per 64
        boolean perBlock = type == GgmlType.Q8_0;
        int group = perBlock ? 32 : 64;
        float[] values = waves(rows * cols, 0.7, 5);
        float[] x = new float[n * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = i < 32 ? 1000f : (float) (Math.sin(i) * (i < cols ? 1e-3 : 1));
        }
        // shared: the copy is made by several threads, as the backend's threads read weights
        try (Arena arena = Arena.ofShared()) {
            WeightTensor w = tensor(arena, type, values, cols, rows);
            MemorySegment q = arena.allocate(NativeKernels.activationBytes(n, cols), 64);
            NativeKernels.quantize(x, n, cols, perBlock, q);
            float[] batch = new float[n * rows];
            w.matmulNative(q, n, batch, 0, rows);
            float[] split = new float[n * rows];
            for (int[] range : new int[][]{{0, 7}, {7, 21}, {21, 32}, {32, rows}}) {
                w.matmulNative(q, n, split, range[0], range[1]);
            }
            assertArrayEquals(batch, split, "rows split among ranges");
            for (int level = NativeKernels.useLevel(Integer.MAX_VALUE) - 1; level >= 1; level--) {
                NativeKernels.useLevel(level);
                float[] lower = new float[n * rows];
                w.matmulNative(q, n, lower, 0, rows);
                assertArrayEquals(batch, lower, "the kernels of level " + level);
            }
            NativeKernels.useLevel(Integer.MAX_VALUE);
            MemorySegment one = arena.allocate(NativeKernels.activationBytes(1, cols), 64);
            float[] alone = new float[rows], row = new float[cols];
            for (int t = 0; t < n; t++) {
                NativeKernels.quantize(Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, cols, perBlock, one);
                w.matmulNative(one, 1, alone, 0, rows);
                for (int r = 0; r < rows; r++) {
                    assertEquals(batch[t * rows + r], alone[r], "token " + t + " alone, row " + r);
                    // each activation is off by at most half a step of its group's largest value / 32767
                    w.dequantizeRow(r, row, 0);
                    double bound = 0;
                    for (int i = 0; i < cols; i++) {
                        bound += Math.abs(row[i]) * groupMax(x, t * cols + i, group) / 32767;
                    }
                    double expected = w.dot(r, x, t * cols);
                    assertEquals(expected, alone[r], bound + 1e-5 * Math.abs(expected), "token " + t + " row " + r);
                }
            }
        }
    }

    /** Weights that vary in size and sign along a row: cos(step·i) · (1 + i mod period). */
    private static float[] waves(int count, double step, int period) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) Math.cos(step * i) * (1 + i % period);
        }
        return values;
    }

    /**
     * A batch over long rows goes through AMX in passes over their columns (a megabyte of activations each), its sums
     * carried from one pass to the next in the results: each token still gets the very floats it gets alone.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_K", "Q6_K"})
    void longRowsInPassesGetTheSameResultAsAlone(GgmlType type) {
        assumeNativeKernels("");
        // 128 tokens of 8,192 values: 4 MB of bf16 pairs (4 passes on AMX), 2 MB of bytes (Q8_0: 2 passes)
        int cols = 8192, rows = 16, n = 128;
        boolean perBlock = type == GgmlType.Q8_0;
        float[] values = waves(rows * cols, 0.3, 7);
        float[] x = new float[n * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(0.11 * i) * (1 + i % 3);
        }
        try (Arena arena = Arena.ofShared()) {
            batchEqualsAlone(arena, tensor(arena, type, values, cols, rows), x, n, perBlock, type.toString());
        }
    }

    /**
     * Repacked Q6_K at the edges of its exact integer sums: every 6-bit value 0 or 63 (weights -32 and 31), every scale
     * -128 or 127, every activation at +-32767 (high byte -128 or 127, low byte 1 or 255) or mixed. A sub-block's sum
     * then reaches 16·32767·32, and AMX's bf16 partial sums 2^24, the most a float holds exactly: a batch (through AMX
     * where the CPU has it) and each token alone agree to the bit at every level, and with the sum in doubles.
     */
    @Test
    void repackedQ6_KSumsStayExactAtTheirExtremes() {
        assumeNativeKernels("");
        int cols = 512, rows = 32, n = 19, blockBytes = 210;
        byte[] bytes = new byte[rows * cols / 256 * blockBytes];
        Random random = new Random(5);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < cols / 256; b++) {
                int at = (r * cols / 256 + b) * blockBytes;
                // rows 0-7 all 0, 8-15 all 63, the rest either, value by value
                for (int i = 0; i < 192; i++) {
                    bytes[at + i] = (byte) (r < 8 ? 0 : r < 16 ? 0xFF : random.nextInt(256));
                }
                for (int j = 0; j < 16; j++) {
                    bytes[at + 192 + j] = (byte) ((r + j) % 3 == 0 ? 127 : -128);
                }
                bytes[at + 208] = 0x00; // d = 1.0 (f16 0x3C00)
                bytes[at + 209] = 0x3C;
            }
        }
        float[] x = new float[n * cols];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < cols; i++) {
                x[t * cols + i] = t == 0 ? -1 : t == 1 ? 1 : t == 2 ? (i % 2 == 0 ? 1 : -1)
                        : random.nextBoolean() ? 1 : -1;
            }
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment data = arena.allocate(bytes.length, 64);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, data, 0, bytes.length);
            WeightTensor w = WeightTensor.wrap(new GgufTensor("w", new long[]{cols, rows}, GgmlType.Q6_K, data));
            float[] row = new float[cols];
            for (int level = NativeKernels.useLevel(Integer.MAX_VALUE); level >= 1; level--) {
                NativeKernels.useLevel(level);
                float[] batch = batchEqualsAlone(arena, w, x, n, false, "level " + level);
                for (int t = 0; t < n; t++) {
                    for (int r = 0; r < rows; r++) {
                        // +-1 quantizes to +-32767 with a scale of 1/32767: the products are exact in doubles
                        w.dequantizeRow(r, row, 0);
                        double exact = 0, magnitude = 0;
                        for (int i = 0; i < cols; i++) {
                            exact += (double) row[i] * x[t * cols + i];
                            magnitude += Math.abs((double) row[i] * x[t * cols + i]);
                        }
                        // floats sum the 32 sub-blocks: a few roundings of the terms' size, whatever cancels
                        assertEquals(exact, batch[t * rows + r], 1e-6 * magnitude, "token " + t + ", row " + r);
                    }
                }
            }
        }
    }

    /**
     * Rows that are not whole groups of 16 are computed in place, by a one-token kernel and a tile kernel of their own
     * (Q4_K's one-token kernel pairs its sub-blocks differently from the tile's and must sum each lane alike): at each
     * kernel level, every token of a 37-token batch gets the same floats as alone, to the bit.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_K", "Q6_K"})
    void inPlaceRowsGetTheSameResultAloneOrBatched(GgmlType type) {
        assumeNativeKernels("");
        int cols = 512, rows = 20, n = 37;
        boolean perBlock = type == GgmlType.Q8_0;
        float[] values = waves(rows * cols, 0.7, 5);
        float[] x = new float[n * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 300 == 0 ? 1000f : (float) Math.sin(0.37 * i);
        }
        try (Arena arena = Arena.ofShared()) {
            WeightTensor w = tensor(arena, type, values, cols, rows);
            for (int level = NativeKernels.useLevel(Integer.MAX_VALUE); level >= 1; level--) {
                NativeKernels.useLevel(level);
                batchEqualsAlone(arena, w, x, n, perBlock, "level " + level);
            }
        }
    }

    /**
     * Requesting lines ahead is a hint to the memory system and nothing else: whatever the distance (none, one line,
     * the default, far past the matrix's end), at either level, one token and a batch get the same floats to the bit.
     * The default is the one measured for the CPU's vendor.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_K", "Q6_K"})
    void thePrefetchDistanceChangesNoResult(GgmlType type) throws IOException {
        assumeNativeKernels("");
        boolean intel = Files.readString(Path.of("/proc/cpuinfo")).contains("GenuineIntel");
        assertEquals(intel ? 2048 : 0, DEFAULT_PREFETCH, "the default distance on this CPU");
        int cols = 512, rows = 48, n = 13;
        float[] values = waves(rows * cols, 0.3, 7);
        float[] x = new float[n * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(0.11 * i);
        }
        try (Arena arena = Arena.ofShared()) {
            WeightTensor w = tensor(arena, type, values, cols, rows);
            MemorySegment q = arena.allocate(NativeKernels.activationBytes(n, cols), 64);
            NativeKernels.quantize(x, n, cols, type == GgmlType.Q8_0, q);
            for (int level : new int[]{Integer.MAX_VALUE, 1}) {
                NativeKernels.useLevel(level);
                float[][] first = null;
                for (int distance : new int[]{0, 64, 2048, 1 << 20}) {
                    assertEquals(distance, NativeKernels.prefetch(distance));
                    assertEquals(distance, NativeKernels.prefetch(-1), "asking does not change it");
                    float[] batch = new float[n * rows], one = new float[rows];
                    w.matmulNative(q, n, batch, 0, rows);
                    w.matmulNative(q, 1, one, 0, rows);
                    if (first == null) {
                        first = new float[][]{batch, one};
                    }
                    assertArrayEquals(first[0], batch, "batch, level " + level + ", " + distance + " bytes ahead");
                    assertArrayEquals(first[1], one, "one token, level " + level + ", " + distance + " bytes ahead");
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> NativeKernels.prefetch(-2));
    }

    /**
     * The native attention of a group of query heads over positions scattered in a cache of each type (as a paged
     * cache places them, stored as CpuKvCache stores them) against the same attention in doubles over the stored
     * values: group sizes below, at and above the 4 heads one pass takes, head sizes of one to four vectors of 32,
     * position counts on and off the AVX-512 kernel's groups of 4. Every kernel level gives the same bits.
     */
    @ParameterizedTest
    @CsvSource({"1,64,1,F32", "1,64,37,F32", "3,32,37,F32", "4,128,37,F32", "6,64,37,F32", "8,64,300,F32",
            "4,96,6,F32", "2,64,4,F32", "1,64,1,BF16", "3,32,37,BF16", "4,128,37,BF16", "8,64,300,BF16",
            "4,96,6,BF16", "1,64,1,Q8", "3,32,37,Q8", "4,128,37,Q8", "8,64,300,Q8", "4,96,6,Q8"})
    void nativeAttentionMatchesTheDefinition(int group, int headSize, int positions, KvType type) {
        assumeNativeKernels("");
        assertTrue(NativeKernels.attends(headSize));
        Random random = new Random(group * 1000L + headSize + positions);
        // a whole q8 block of padding, so that heads start on blocks
        int pad = type == KvType.Q8 ? 32 : 16, slots = 2 * positions + 3, slotValues = headSize + pad;
        float[] keyValues = new float[slots * slotValues], valueValues = new float[slots * slotValues];
        for (int i = 0; i < keyValues.length; i++) {
            keyValues[i] = (float) random.nextGaussian();
            valueValues[i] = (float) random.nextGaussian();
        }
        // every other slot, backwards, after the padding: no two positions adjacent or in order; the offsets start 3
        // entries into their array, whose first entries point at a slot of NaNs
        Arrays.fill(keyValues, 0, slotValues, Float.NaN);
        Arrays.fill(valueValues, 0, slotValues, Float.NaN);
        GgmlType stored = type == KvType.F32 ? GgmlType.F32 : type == KvType.BF16 ? GgmlType.BF16 : GgmlType.Q8_0;
        byte[] keyBytes = WeightTensor.quantize(stored, keyValues);
        byte[] valueBytes = WeightTensor.quantize(stored, valueValues);
        float[] keys = storedValues(keyBytes, type, keyValues.length);
        float[] values = storedValues(valueBytes, type, valueValues.length);
        int from = 3;
        long[] offsets = new long[from + positions];
        int[] bases = new int[from + positions];
        for (int p = 0; p < positions; p++) {
            bases[from + p] = (slots - 1 - 2 * p) * slotValues + pad;
            offsets[from + p] = type == KvType.Q8 ? bases[from + p] / 32 * 34L
                    : (long) bases[from + p] * (type == KvType.BF16 ? 2 : 4);
        }
        int qOff = 5;
        float[] q = new float[qOff + group * headSize];
        for (int i = qOff; i < q.length; i++) {
            q[i] = (float) (3 * random.nextGaussian());
        }
        float scale = (float) (1 / Math.sqrt(headSize));
        float[] out = new float[qOff + group * headSize + 7];
        Arrays.fill(out, 42f);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_BYTE, keyBytes);
            MemorySegment v = arena.allocateFrom(ValueLayout.JAVA_BYTE, valueBytes);
            NativeKernels.attend(MemorySegment.ofArray(q), qOff, group, headSize, k, v, type, 0,
                    MemorySegment.ofArray(offsets), from, positions, scale,
                    MemorySegment.ofArray(new float[group * positions]), MemorySegment.ofArray(out), qOff);
            try {
                for (int level = NativeKernels.useLevel(Integer.MAX_VALUE) - 1; level >= 1; level--) {
                    NativeKernels.useLevel(level);
                    float[] lower = out.clone();
                    NativeKernels.attend(MemorySegment.ofArray(q), qOff, group, headSize, k, v, type, 0,
                            MemorySegment.ofArray(offsets), from, positions, scale,
                            MemorySegment.ofArray(new float[group * positions]), MemorySegment.ofArray(lower), qOff);
                    assertArrayEquals(out, lower, "the kernels of level " + level);
                }
            } finally {
                NativeKernels.useLevel(Integer.MAX_VALUE);
            }
        }
        for (int j = 0; j < group; j++) {
            double[] w = new double[positions];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int p = 0; p < positions; p++) {
                int base = bases[from + p];
                for (int i = 0; i < headSize; i++) {
                    w[p] += (double) q[qOff + j * headSize + i] * keys[base + i];
                }
                w[p] *= scale;
                max = Math.max(max, w[p]);
            }
            for (int p = 0; p < positions; p++) {
                w[p] = Math.exp(w[p] - max);
                sum += w[p];
            }
            for (int i = 0; i < headSize; i++) {
                double expected = 0;
                for (int p = 0; p < positions; p++) {
                    expected += w[p] / sum * values[bases[from + p] + i];
                }
                assertEquals(expected, out[qOff + j * headSize + i], 1e-5 * (1 + Math.abs(expected)),
                        "head " + j + " value " + i);
            }
        }
        for (int i : new int[]{0, qOff - 1, qOff + group * headSize, out.length - 1}) {
            assertEquals(42f, out[i], "out[" + i + "] is not the output's");
        }
    }

    @Test
    void theBenchesPlainReadCountsEveryByteOfItsRangeAndNoOther() {
        assumeNativeKernels("");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(8192, 64);
            for (int i = 0; i < 2048; i++) {
                m.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1f);
            }
            m.setAtIndex(ValueLayout.JAVA_FLOAT, 1023, 1001f); // the last float of the first half
            assertEquals(1023 + 1001, NativeKernels.readSum(m.asSlice(0, 4096)));
            assertEquals(2047 + 1001, CpuBench.sum(m, 0, 8192));
            assertEquals(1024, CpuBench.sum(m, 4096, 8192));
        }
    }

    /** The n values a cache of {@code type} holds in {@code bytes}, read back as the definition of that type says. */
    private static float[] storedValues(byte[] bytes, KvType type, int n) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[n];
        for (int e = 0; e < n; e++) {
            values[e] = switch (type) {
                case F32 -> b.getFloat(4 * e);
                case BF16 -> Float.intBitsToFloat(b.getShort(2 * e) << 16);
                case Q8 -> b.get(e / 32 * 34 + 2 + e % 32) * Float.float16ToFloat(b.getShort(e / 32 * 34));
            };
        }
        return values;
    }

    /** Skips a test of the native kernels, loudly, where they cannot run. */
    private static void assumeNativeKernels(String also) {
        Assumptions.assumeTrue(NativeKernels.available(), () -> "SKIPPED: native kernels unavailable ("
                + NativeKernels.unavailableReason() + ")" + also);
    }

    private static double groupMax(float[] x, int i, int group) {
        double max = 0;
        for (int j = i / group * group; j < i / group * group + group; j++) {
            max = Math.max(max, Math.abs(x[j]));
        }
        return max;
    }

    /** The n tokens of x through w's native kernels as one batch and each alone: the same floats; the batch's. */
    private static float[] batchEqualsAlone(Arena arena, WeightTensor w, float[] x, int n, boolean perBlock,
                                            String what) {
        int cols = w.cols(), rows = w.rows();
        MemorySegment q = arena.allocate(NativeKernels.activationBytes(n, cols), 64);
        NativeKernels.quantize(x, n, cols, perBlock, q);
        float[] batch = new float[n * rows], alone = new float[rows];
        w.matmulNative(q, n, batch, 0, rows);
        MemorySegment one = arena.allocate(NativeKernels.activationBytes(1, cols), 64);
        for (int t = 0; t < n; t++) {
            NativeKernels.quantize(Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, cols, perBlock, one);
            w.matmulNative(one, 1, alone, 0, rows);
            for (int r = 0; r < rows; r++) {
                assertEquals(batch[t * rows + r], alone[r], what + ", token " + t + ", row " + r);
            }
        }
        return batch;
    }

    private static WeightTensor tensor(Arena arena, GgmlType type, float[] values, int cols, int rows) {
        byte[] bytes = WeightTensor.quantize(type, values);
        MemorySegment data = arena.allocate(bytes.length, 64);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, data, 0, bytes.length);
        return WeightTensor.wrap(new GgufTensor("w", new long[]{cols, rows}, type, data));
    }
}
