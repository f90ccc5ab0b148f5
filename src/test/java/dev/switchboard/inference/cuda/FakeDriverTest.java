package dev.switchboard.inference.cuda;

import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.TokenPicker;
import dev.switchboard.inference.model.TokenPicks;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives the whole CUDA backend — discovery, NVRTC and its cache, weight upload, metadata copies, launches, graph
 * capture and replay, cuBLAS calls, logits copies, teardown — against a host-only stand-in for libcuda, libnvrtc and
 * libcublas (test resource fake_cuda.c, built here with the C compiler). Kernels do not run, so no value is checked;
 * what is checked is that every call is well-formed (launch configurations, argument kinds, cuBLAS shapes), that
 * graphs are captured once per bucket and cache and replayed after, that each step copies its metadata once and
 * only the wanted rows back, and that closing frees everything.
 */
class FakeDriverTest {

    /** A picker that records the row offset and stride it was given on the host. */
    private static TokenPicker picker(boolean greedy, int[] hostRows) {
        return new TokenPicker() {
            public boolean greedy() { return greedy; }

            public int pick(float[] logits, int offset, int rowStride, int[] draft, int k, int[] out) {
                hostRows[0] = offset;
                hostRows[1] = rowStride;
                out[0] = 0;
                return 0;
            }
        };
    }

    private static Path dir;
    private static MethodHandle counter;
    private static Path f32Model;
    private static Path q8Model;

    @BeforeAll
    static void buildFake(@TempDir Path tmp) throws IOException, InterruptedException {
        dir = tmp;
        String cc = Files.isExecutable(Path.of("/usr/bin/cc")) ? "/usr/bin/cc" : null;
        Assumptions.assumeTrue(cc != null, "SKIPPED: no C compiler (/usr/bin/cc) to build the fake CUDA libraries");
        Path src = tmp.resolve("fake_cuda.c");
        try (InputStream in = FakeDriverTest.class.getResourceAsStream("fake_cuda.c")) {
            Files.write(src, in.readAllBytes());
        }
        Path lib = tmp.resolve("libfake.so");
        Process p = new ProcessBuilder(cc, "-shared", "-fPIC", "-O1", "-o", lib.toString(), src.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "cc failed:\n" + log);
        // one object behind the three names, so its counters see every library's calls
        for (String name : List.of("libcuda.so.1", "libnvrtc.so.13", "libcublas.so.13")) {
            Files.createSymbolicLink(tmp.resolve(name), lib);
        }
        System.setProperty(CudaLibraries.PATH_PROPERTY, tmp.toString());
        System.setProperty(CubinCache.DIR_PROPERTY, tmp.resolve("cubins").toString());
        counter = Linker.nativeLinker().downcallHandle(
                SymbolLookup.libraryLookup(lib, Arena.global()).find("fake_counter").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
        f32Model = tmp.resolve("tiny-f32.gguf");
        SyntheticModels.write(SyntheticModels.shape("tiny"), GgmlType.F32, 3, f32Model);
        q8Model = tmp.resolve("tiny-q8.gguf");
        SyntheticModels.write(SyntheticModels.shape("tiny"), GgmlType.Q8_0, 3, q8Model);
    }

    @AfterAll
    static void clearProperties() {
        System.clearProperty(CudaLibraries.PATH_PROPERTY);
        System.clearProperty(CubinCache.DIR_PROPERTY);
    }

    @AfterEach
    void noBadLaunches() {
        if (counter != null) {
            assertEquals(0, count("bad_launch"), "every launch had a valid configuration");
            assertEquals(0, count("live_bytes"), "every device allocation was freed");
            assertEquals(count("alloc"), count("free"));
            assertEquals(count("host_alloc"), count("host_free"), "every pinned buffer was freed");
        }
    }

    private static long count(String name) {
        try (Arena a = Arena.ofConfined()) {
            return (long) counter.invokeExact(a.allocateFrom(name));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static BlockTable table(int first, int blocks) {
        BlockTable t = new BlockTable();
        for (int b = 0; b < blocks; b++) {
            t.add(first + b);
        }
        return t;
    }

    private static CudaBackend load(Path model, CudaBackend.Options options) {
        try (GgufFile gguf = GgufFile.open(model)) {
            return CudaBackend.load(gguf, LlamaConfig.fromGguf(gguf, 0), options, LoadProgress.NONE);
        }
    }

    @Test
    void decodeStepsReplayOneGraphPerBucketAndCopyOnlyWhatIsWanted() {
        long compiles = count("compile");
        try (CudaBackend gpu = load(f32Model, CudaBackend.Options.DEFAULT)) {
            assertTrue(count("compile") - compiles <= 1, "NVRTC runs at most once (then the disk cache serves)");
            int vocab = gpu.config().vocabSize();
            try (KvCache cache = gpu.newKvCache(64, 16)) {
                BlockTable[] seqs = {table(0, 4), table(10, 4), table(20, 4)};
                ForwardBatch batch = new ForwardBatch(4);
                float[] logits = new float[3 * vocab];
                long gemmBefore = count("gemm");
                for (int step = 0; step < 3; step++) {
                    batch.clear();
                    for (BlockTable s : seqs) {
                        batch.add(step + 1, step, s, true);
                    }
                    long graphs = count("graphs"), replays = count("graph_launch"), h2d = count("h2d"),
                            d2h = count("d2h_bytes");
                    gpu.forward(batch, cache, logits);
                    assertEquals(step == 0 ? 1 : 0, count("graphs") - graphs, "bucket 4 captured on the first step only");
                    assertEquals(1, count("graph_launch") - replays);
                    assertEquals(1, count("h2d") - h2d, "one metadata copy per step");
                    assertEquals(3L * vocab * 4, count("d2h_bytes") - d2h, "three logit rows come back");
                }
                assertTrue(count("gemm") > gemmBefore, "F32 products of 3 tokens go to cuBLAS");
                long gemm = count("gemm");
                // 2 layers: embed + 9 per layer + final norm + output = 21 kernels (no cuBLAS for 1 token)
                assertEquals(1 + 9 * gpu.config().layers() + 2, capturedInLastGraph(gpu, cache));
                assertEquals(gemm, count("gemm"), "one token: the GEMV kernel");

                long replays = count("graph_launch"), launches = count("launch"), d2h = count("d2h_bytes");
                ForwardBatch prefill = new ForwardBatch(100);
                for (int p = 0; p < 40; p++) {
                    prefill.add(7, 3 + p, seqs[0], p == 39);
                }
                for (int p = 0; p < 40; p++) {
                    prefill.add(8, 3 + p, seqs[1], p % 10 == 9);
                }
                gpu.forward(prefill, cache, new float[5 * vocab]);
                assertEquals(0, count("graph_launch") - replays, "80 entries exceed the largest bucket: eager");
                assertTrue(count("launch") > launches);
                assertTrue(count("gemm") > 0, "F32 products of 80 tokens go to cuBLAS");
                assertEquals(5L * vocab * 4, count("d2h_bytes") - d2h, "only the five wanted rows come back");

                int[] next = new int[3];
                d2h = count("d2h_bytes");
                batch.clear();
                for (int s = 0; s < 3; s++) {
                    batch.add(1, 50 + s, seqs[2], s == 2);
                }
                gpu.forwardArgmax(batch, cache, next);
                assertEquals(4, count("d2h_bytes") - d2h, "greedy decoding copies one int per wanted row");
                batch.clear();
                batch.add(2, 53, seqs[2], true);
                d2h = count("d2h_bytes");
                gpu.forwardSample(batch, cache, 0.8f, 40, 7L, next);
                assertEquals(4, count("d2h_bytes") - d2h, "sampling too");
                assertThrows(IllegalArgumentException.class, () -> gpu.forwardSample(batch, cache, 0.8f, 65, 7L, next));

                // The engine's seam: greedy sequences are picked on the device (ids come back), others on the host.
                batch.clear();
                batch.add(2, 53, seqs[2], true).add(9, 54, seqs[2], true);
                TokenPicks picks = new TokenPicks();
                int[] out = new int[2];
                int[] hostRows = {-1, -1};
                picks.add(picker(true, hostRows), new int[] {9}, 1, out);
                d2h = count("d2h_bytes");
                gpu.forward(batch, cache, picks);
                assertEquals(8, count("d2h_bytes") - d2h, "greedy picks copy one int per row");
                assertArrayEquals(new int[] {-1, -1}, hostRows, "nothing picked on the host");
                picks.clear();
                picks.add(picker(false, hostRows), new int[] {9}, 1, out);
                d2h = count("d2h_bytes");
                gpu.forward(batch, cache, picks);
                assertEquals(2L * vocab * 4, count("d2h_bytes") - d2h, "sampled picks need the logit rows");
                assertArrayEquals(new int[] {0, vocab}, hostRows, "the host picker got both rows");
            }
            try (KvCache other = gpu.newKvCache(8, 16)) {
                long graphs = count("graphs"), destroyed = count("exec_destroy");
                ForwardBatch one = new ForwardBatch(1).add(5, 0, table(0, 1), true);
                gpu.forward(one, other, new float[vocab]);
                assertEquals(1, count("graphs") - graphs, "a new cache means new addresses: captured again");
                gpu.forward(one, other, new float[vocab]);
                assertEquals(1, count("graphs") - graphs);
                assertEquals(1, count("exec_destroy") - destroyed, "the stale bucket-1 graph of the last cache is destroyed");
            }
        }
    }

    private static long capturedInLastGraph(CudaBackend gpu, KvCache cache) {
        // a fresh bucket-1 capture on a new cache; the fake counts the launches it captured
        try (KvCache c = gpu.newKvCache(4, 16)) {
            gpu.forward(new ForwardBatch(1).add(1, 0, table(0, 1), true), c, new float[gpu.config().vocabSize()]);
            return count("captured");
        }
    }

    @Test
    void quantizedWeightsAreWidenedForCublasOnlyForLargeBatchesAndGraphsCanBeOff() {
        CudaBackend.Options noGraphs = CudaBackend.Options.DEFAULT.withGraphs(false);
        try (CudaBackend gpu = load(q8Model, noGraphs); KvCache cache = gpu.newKvCache(32, 16)) {
            int vocab = gpu.config().vocabSize();
            long graphs = count("graphs"), gemm = count("gemm");
            int limit = CudaBackend.WIDEN_FOR_CUBLAS_TOKENS;
            ForwardBatch small = new ForwardBatch(limit);
            for (int p = 0; p < limit; p++) {
                small.add(p, p, table(0, 3), p == limit - 1);
            }
            gpu.forward(small, cache, new float[vocab]);
            assertEquals(0, count("gemm") - gemm, limit + " tokens of Q8_0: the GEMV kernels");
            ForwardBatch large = new ForwardBatch(limit + 1);
            for (int p = 0; p <= limit; p++) {
                large.add(p, p, table(4, 3), true);
            }
            gpu.forward(large, cache, new float[(limit + 1) * vocab]);
            assertTrue(count("gemm") - gemm > 0, (limit + 1) + " tokens of Q8_0: widened to bf16 for cuBLAS");
            assertEquals(0, count("graphs") - graphs, "graphs off");
        }
        try (CudaBackend gpu = load(q8Model, CudaBackend.Options.DEFAULT.withCublas(false));
             KvCache cache = gpu.newKvCache(32, 16)) {
            long gemm = count("gemm");
            ForwardBatch large = new ForwardBatch(100);
            for (int p = 0; p < 100; p++) {
                large.add(p, p, table(0, 7), p == 99);
            }
            gpu.forward(large, cache, new float[gpu.config().vocabSize()]);
            assertEquals(0, count("gemm") - gemm, "cuBLAS disabled");
        }
    }

    @Test
    void syntheticModelsAreGeneratedOnTheDeviceInBf16AndFp8AndTheBenchRuns() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long h2d = count("h2d_bytes");
        CudaBench.run("synthetic:tiny", List.of(WeightStorage.BF16, WeightStorage.FP8), new int[]{1, 8, 64},
                3, 4, CudaBackend.Options.DEFAULT, 1L << 20, new PrintStream(out, true, StandardCharsets.UTF_8));
        String report = out.toString(StandardCharsets.UTF_8);
        assertTrue(report.contains("device-to-device copy"), report);
        assertTrue(report.lines().filter(l -> l.matches("(BF16|FP8)\\s+\\d+ .*")).count() == 6, report);
        LlamaConfig tiny = SyntheticModels.shape("tiny").config();
        long weights = (long) tiny.vocabSize() * tiny.dim() * 2 * 2; // bf16 embedding + output would be this much
        assertTrue(count("h2d_bytes") - h2d < weights, "weights are generated on the device, not copied up");
    }

    @Test
    void kernelChecksLaunchEveryKernelWellFormedAndNeverPassUnwrittenOutputs() {
        List<String> passed = new java.util.ArrayList<>();
        int[] total = {0};
        long launches = count("launch");
        try (CudaContext ctx = CudaContext.open(0, false, CudaLibraries.fromEnvironment(),
                new CubinCache(CubinCache.defaultDirectory()))) {
            new KernelCheck(ctx, (ok, line) -> {
                total[0]++;
                if (ok) {
                    passed.add(line);
                }
            }).run();
        }
        assertTrue(total[0] >= 40, "checks reported: " + total[0]);
        assertTrue(count("launch") - launches >= 40);
        // the fake runs no kernel: outputs stay NaN-filled, and no check may pass on them
        assertEquals(List.of(), passed);
    }

    @Test
    void badRequestsFailBeforeTheGpuIsTouched() {
        try (CudaBackend gpu = load(f32Model, CudaBackend.Options.DEFAULT); KvCache cache = gpu.newKvCache(4, 16)) {
            long launches = count("launch") + count("graph_launch");
            ForwardBatch bad = new ForwardBatch(1).add(gpu.config().vocabSize(), 0, table(0, 1), true);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> gpu.forward(bad, cache, new float[gpu.config().vocabSize()]));
            assertTrue(e.getMessage().contains("outside the vocabulary"), e.getMessage());
            ForwardBatch unmapped = new ForwardBatch(1).add(1, 16, table(0, 1), true);
            e = assertThrows(IllegalArgumentException.class,
                    () -> gpu.forward(unmapped, cache, new float[gpu.config().vocabSize()]));
            assertTrue(e.getMessage().contains("needs logical block 1"), e.getMessage());
            assertEquals(launches, count("launch") + count("graph_launch"));
            e = assertThrows(IllegalArgumentException.class, () -> gpu.newKvCache(1 << 24, 1024));
            assertTrue(e.getMessage().contains("GiB are free"), e.getMessage());
        }
    }
}
