package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.KvType;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import dev.switchboard.inference.model.MemoryPlan;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bf16 and q8 KV caches against float32: logits stay within a stated fraction of the logits' range (bf16 keeps
 * 8 mantissa bits, q8 about 7 per value with a shared scale per 32 values); the prompt is prefilled in one pass and
 * then decoded position by position, so both the write and the read paths count.
 */
class KvTypeTest {
    private static final LlamaConfig SHAPE = new LlamaConfig(128, 256, 2, 4, 2, 300, 512, 1e-5f, 10000f, null);
    /**
     * Largest |logit difference| allowed, as a fraction of the float32 logits' largest magnitude (measured: about
     * 0.011 for bf16 and 0.029 for q8 on this random model, whose uniform weights amplify errors more than trained
     * ones).
     */
    private static final double BF16_TOLERANCE = 0.02, Q8_TOLERANCE = 0.05;

    @TempDir
    Path dir;

    @Test
    void bf16AndQ8StayWithinToleranceOfF32() throws IOException {
        Path file = TestModels.write(dir.resolve("m.gguf"), SHAPE, GgmlType.F32, false, false, 11);
        float[] f32 = logits(file, KvType.F32);
        double scale = 0;
        for (float v : f32) {
            scale = Math.max(scale, Math.abs(v));
        }
        double bf16 = maxDiff(f32, logits(file, KvType.BF16)) / scale;
        double q8 = maxDiff(f32, logits(file, KvType.Q8)) / scale;
        System.out.printf("KV vs f32, largest logit difference / largest logit: bf16 %.5f, q8 %.5f%n", bf16, q8);
        assertTrue(bf16 > 0 && bf16 < BF16_TOLERANCE, "bf16 " + bf16);
        assertTrue(q8 > 0 && q8 < Q8_TOLERANCE, "q8 " + q8);
    }

    /**
     * The native attention reads each cache type as the Java path does: the two give the same logits but for the
     * order of their sums (a layout misread would be off by the logits' whole range).
     */
    @ParameterizedTest
    @EnumSource(KvType.class)
    void theNativeAttentionReadsEachCacheTypeAsJavaDoes(KvType type) throws IOException {
        Assumptions.assumeTrue(NativeKernels.available(), () -> "SKIPPED: native kernels unavailable ("
                + NativeKernels.unavailableReason() + ")");
        Path file = TestModels.write(dir.resolve("m.gguf"), SHAPE, GgmlType.F32, false, false, 11);
        try {
            NativeKernels.use(NativeKernels.Mode.JAVA);
            float[] java = logits(file, type);
            NativeKernels.use(NativeKernels.Mode.NATIVE);
            float[] nativeAttention = logits(file, type);
            double scale = 0;
            for (float v : java) {
                scale = Math.max(scale, Math.abs(v));
            }
            double diff = maxDiff(java, nativeAttention) / scale;
            assertTrue(diff < 1e-5, type + ": native against Java " + diff);
        } finally {
            NativeKernels.use(NativeKernels.Mode.AUTO);
        }
    }

    @Test
    void q8NeedsWholeBlocksPerHead() throws IOException {
        LlamaConfig small = new LlamaConfig(64, 96, 1, 8, 4, 300, 64, 1e-5f, 10000f, null);
        Path file = TestModels.write(dir.resolve("s.gguf"), small, GgmlType.F32, false, false, 3);
        try (GgufFile g = GgufFile.open(file); CpuBackend b = CpuBackend.load(g, small, 1, LoadProgress.NONE)) {
            b.kvType(KvType.Q8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.newKvCache(2, 16));
            assertTrue(e.getMessage().contains("head size that is a multiple of 32, this model's is 8"), e.getMessage());
        }
    }

    @Test
    void planOfLlama31_8bAt128kIsComputedFromTheShape() {
        LlamaConfig c = new LlamaConfig(4096, 14336, 32, 32, 8, 128256, 131072, 1e-5f, 500000f,
                LlamaConfig.RopeScaling.LLAMA_3_1);
        // 2 (K and V) x 32 layers x 131072 positions x 1024 values x 4 bytes = 32 GiB
        assertEquals(32L << 30, MemoryPlan.of(c, 0, 131072, KvType.F32, 1).kvBytes());
        assertEquals(16L << 30, MemoryPlan.of(c, 0, 131072, KvType.BF16, 1).kvBytes());
        assertEquals((32L << 30) / 4 / 32 * 34, MemoryPlan.of(c, 0, 131072, KvType.Q8, 1).kvBytes());
        MemoryPlan tooBig = new MemoryPlan(16L << 30, 16L << 30, 1 << 20, 131072, KvType.F32, 1L << 30, 24L << 30);
        assertTrue(!tooBig.fits() && tooBig.describe().endsWith("does NOT fit"), tooBig.describe());
    }

    /** Prefill 40 positions in one pass, then decode 24 more one at a time; the logits of the decoded ones. */
    private static float[] logits(Path file, KvType type) {
        try (GgufFile g = GgufFile.open(file); CpuBackend b = CpuBackend.load(g, SHAPE, 2, LoadProgress.NONE)) {
            b.kvType(type);
            try (KvCache cache = b.newKvCache(6, 16)) {
                BlockTable table = new BlockTable();
                for (int i = 5; i >= 0; i--) {
                    table.add(i);
                }
                ForwardBatch batch = new ForwardBatch(64);
                for (int p = 0; p < 40; p++) {
                    batch.add((p * 31 + 7) % 300, p, table, false);
                }
                float[] out = new float[24 * SHAPE.vocabSize()];
                backendForward(b, batch, cache, new float[SHAPE.vocabSize()]);
                float[] row = new float[SHAPE.vocabSize()];
                for (int p = 40; p < 64; p++) {
                    batch.clear();
                    batch.add((p * 31 + 7) % 300, p, table, true);
                    backendForward(b, batch, cache, row);
                    System.arraycopy(row, 0, out, (p - 40) * row.length, row.length);
                }
                return out;
            }
        }
    }

    private static void backendForward(CpuBackend b, ForwardBatch batch, KvCache cache, float[] logits) {
        b.forward(batch, cache, logits);
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
