package dev.switchboard.inference.cuda;

import dev.switchboard.inference.gguf.GgmlType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Launch geometry, weight layouts and storage policy, and the CUDA-graph bookkeeping: all host arithmetic. */
class LaunchPlanningTest {

    @Test
    void gemvCoversEveryRowWithOneWarpPerRowOrTwoFromFourTokens() {
        for (int rows : new int[]{1, 7, 8, 9, 31, 33, 4096, 6144, 28672, 128256}) {
            for (int tokens = 1; tokens <= LaunchGeometry.GEMV_MAX_TOKENS; tokens++) {
                LaunchGeometry.Launch g = LaunchGeometry.gemv(rows, tokens);
                int perBlock = LaunchGeometry.GEMV_ROWS_PER_BLOCK * (tokens >= 4 ? 2 : 1);
                assertTrue(g.gridX() * perBlock >= rows, "rows " + rows + " covered");
                assertTrue((g.gridX() - 1) * perBlock < rows, "no empty block for " + rows);
                assertEquals(LaunchGeometry.GEMV_ROWS_PER_BLOCK * 32, g.block());
            }
        }
    }

    @Test
    void gemvConstantsMirrorTheKernelsDefines() throws Exception {
        String src = new String(LaunchGeometry.class.getResourceAsStream("matmul.cu").readAllBytes(),
                StandardCharsets.UTF_8);
        assertTrue(src.contains("#define GEMV_WARPS " + LaunchGeometry.GEMV_ROWS_PER_BLOCK + "\n"), "GEMV_WARPS");
        assertTrue(src.contains("#define GEMV_TILED_ROWS(NT) ((NT) >= " + LaunchGeometry.GEMV_TWO_ROWS_FROM_TOKENS
                + " ? 2 : 1)\n"), "GEMV_TILED_ROWS");
    }

    @Test
    void gemvChunksSplitABatchIntoInstantiatedTokenCounts() {
        assertArrayEquals(new int[]{1}, LaunchGeometry.gemvChunks(1));
        assertArrayEquals(new int[]{8}, LaunchGeometry.gemvChunks(8));
        assertArrayEquals(new int[]{8, 8, 8, 8, 8}, LaunchGeometry.gemvChunks(40));
        assertArrayEquals(new int[]{8, 8, 5}, LaunchGeometry.gemvChunks(21));
        for (int n = 1; n <= 300; n++) {
            int[] c = LaunchGeometry.gemvChunks(n);
            assertEquals(n, Arrays.stream(c).sum());
            assertTrue(Arrays.stream(c).allMatch(t -> t >= 1 && t <= LaunchGeometry.GEMV_MAX_TOKENS));
        }
    }

    @Test
    void attentionUsesTheSmallestInstantiatedLaneCountAndFitsSharedMemory() {
        assertEquals(1, LaunchGeometry.attentionLanes(8));   // stories260K
        assertEquals(1, LaunchGeometry.attentionLanes(32));
        assertEquals(2, LaunchGeometry.attentionLanes(64));
        assertEquals(4, LaunchGeometry.attentionLanes(96));  // 3 per lane rounds up to 4
        assertEquals(4, LaunchGeometry.attentionLanes(128)); // Llama 3
        assertEquals(8, LaunchGeometry.attentionLanes(256));
        assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.attentionLanes(258));
        LaunchGeometry.Launch g = LaunchGeometry.attention(32, 64, 256);
        assertEquals(32, g.gridX());
        assertEquals(64, g.gridY());
        assertEquals(LaunchGeometry.ATTN_THREADS, g.block());
        assertTrue(g.sharedBytes() <= LaunchGeometry.DEFAULT_SHARED_LIMIT, "needs no opt-in: " + g.sharedBytes());
        assertEquals(LaunchGeometry.ATTN_WARPS * (128 + 2) * 4, LaunchGeometry.attention(32, 1, 128).sharedBytes());
        assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.attention(32, 70000, 128));
    }

    @Test
    void elementwiseGridsAreCappedAndNeverEmpty() {
        assertEquals(1, LaunchGeometry.elementwise(0).gridX());
        assertEquals(1, LaunchGeometry.elementwise(256).gridX());
        assertEquals(2, LaunchGeometry.elementwise(257).gridX());
        assertEquals(LaunchGeometry.MAX_ELEMENTWISE_BLOCKS, LaunchGeometry.elementwise(128256L * 4096).gridX());
    }

    @Test
    void everyWeightRowStartsSixteenByteAligned() {
        for (DeviceMatrix.Type t : DeviceMatrix.Type.values()) {
            for (int cols : new int[]{32, 64, 172, 2048, 4096, 14336, 100}) {
                if (t == DeviceMatrix.Type.Q8_0 && cols % 32 != 0) {
                    continue;
                }
                long ld = t.stride(cols);
                assertTrue(ld >= cols, t + " " + cols);
                assertEquals(0, ld * t.elementBytes % 16, t + " rows of " + cols + " are 16-byte aligned");
            }
        }
        assertEquals(176, DeviceMatrix.Type.BF16.stride(172));
        DeviceMatrix m = new DeviceMatrix(DeviceMatrix.Type.Q8_0, 1000, 5000, 10, 64, 64);
        assertEquals(1000 + 3 * 64, m.rowAddress(3));
        assertEquals(5000 + 3 * 2 * 4, m.rowScales(3), "two scales per Q8_0 row of 64");
        assertEquals(10 * 64 + 10 * 2 * 4, m.bytes());
        DeviceMatrix f = new DeviceMatrix(DeviceMatrix.Type.FP8, 0, 800, 10, 100, 112);
        assertEquals(800 + 4 * 4, f.rowScales(4), "one scale per FP8 row");
    }

    @Test
    void activationWidthsMustAllowVectorLoads() {
        LaunchGeometry.checkActivationWidth("dim", 172);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LaunchGeometry.checkActivationWidth("feed-forward length", 170));
        assertTrue(e.getMessage().contains("feed-forward length 170"));
    }

    @Test
    void storagePolicyPicksOneDeviceTypePerFusedMatrix() {
        assertEquals(DeviceMatrix.Type.F32, WeightUploader.target(WeightStorage.NATIVE, GgmlType.F32));
        assertEquals(DeviceMatrix.Type.Q8_0,
                WeightUploader.target(WeightStorage.NATIVE, GgmlType.Q8_0, GgmlType.Q8_0, GgmlType.Q8_0));
        assertEquals(DeviceMatrix.Type.BF16, WeightUploader.target(WeightStorage.NATIVE, GgmlType.Q4_K),
                "types without kernels are dequantized to BF16");
        assertEquals(DeviceMatrix.Type.BF16,
                WeightUploader.target(WeightStorage.NATIVE, GgmlType.Q4_K, GgmlType.Q4_K, GgmlType.Q6_K),
                "mixed parts of a fused matrix share BF16");
        assertEquals(DeviceMatrix.Type.BF16, WeightUploader.target(WeightStorage.BF16, GgmlType.Q8_0));
        assertEquals(DeviceMatrix.Type.FP8, WeightUploader.target(WeightStorage.FP8, GgmlType.F16));
        assertEquals(DeviceMatrix.Type.Q8_0, WeightUploader.embeddingTarget(WeightStorage.FP8, GgmlType.Q8_0),
                "embeddings are never FP8");
        assertEquals(DeviceMatrix.Type.BF16, WeightUploader.embeddingTarget(WeightStorage.NATIVE, GgmlType.Q6_K));
    }

    // ---- CUDA graph bookkeeping ----

    @Test
    void bucketsAreTheSmallestCapturedSizeThatHoldsTheBatch() {
        GraphCache<String> g = new GraphCache<>(GraphCache.powersOfTwo(64), s -> { });
        assertArrayEquals(new int[]{1, 2, 4, 8, 16, 32, 64}, GraphCache.powersOfTwo(64));
        assertArrayEquals(new int[]{1, 2, 4}, GraphCache.powersOfTwo(7));
        assertArrayEquals(new int[0], GraphCache.powersOfTwo(0));
        assertEquals(1, g.bucket(1));
        assertEquals(4, g.bucket(3));
        assertEquals(32, g.bucket(17));
        assertEquals(64, g.bucket(64));
        assertEquals(-1, g.bucket(65), "larger batches run eagerly");
        assertEquals(-1, new GraphCache<String>(new int[0], s -> { }).bucket(1), "no buckets: graphs off");
        assertThrows(IllegalArgumentException.class, () -> new GraphCache<String>(new int[]{4, 2}, s -> { }));
        assertThrows(IllegalArgumentException.class, () -> new GraphCache<String>(new int[]{0, 2}, s -> { }));
    }

    @Test
    void aGraphIsCapturedOncePerEpochAndTheStaleOneDestroyed() {
        List<String> destroyed = new ArrayList<>();
        GraphCache<String> g = new GraphCache<>(new int[]{1, 8}, destroyed::add);
        int[] captures = {0};
        String first = g.get(8, 5, b -> "graph-" + b + "-" + ++captures[0]);
        assertSame(first, g.get(8, 5, b -> { throw new AssertionError("no capture in the same epoch"); }));
        assertEquals(1, g.captures());
        String second = g.get(8, 6, b -> "graph-" + b + "-" + ++captures[0]);
        assertEquals("graph-8-2", second);
        assertEquals(List.of("graph-8-1"), destroyed, "the stale graph is destroyed before the new capture");
        g.get(1, 6, b -> "graph-" + b + "-" + ++captures[0]);
        assertEquals(3, g.captures());
        assertThrows(IllegalArgumentException.class, () -> g.get(4, 6, b -> "x"));
        g.clear();
        assertEquals(List.of("graph-8-1", "graph-1-3", "graph-8-2"), destroyed);
        assertEquals("graph-1-4", g.get(1, 6, b -> "graph-" + b + "-" + ++captures[0]), "cleared: captured again");
    }
}
