package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Once the JIT has compiled it, a decode step allocates nothing, on the calling thread or on the backend's helpers:
 * garbage per token would make the collector's pauses part of every stream's latency. Counted by the JVM's
 * per-thread allocation counters over rounds of steps, until a round allocates nothing; in the interpreter and C1 the
 * Vector API does allocate, so the first rounds may.
 */
class DecodeAllocationTest {
    /** Rows enough that the helpers take part in every product. */
    private static final LlamaConfig CONFIG = new LlamaConfig(512, 1024, 2, 8, 2, 300, 1024, 1e-5f, 10000f, null);
    private static final int ROUNDS = 40, STEPS = 100;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    @AfterEach
    void restoreDefault() {
        NativeKernels.use(NativeKernels.Mode.AUTO);
    }

    @ParameterizedTest(name = "{0} weights, {1} kernels")
    @CsvSource({"Q4_K, JAVA", "Q8_0, JAVA", "Q4_K, NATIVE", "Q6_K, NATIVE", "Q8_0, NATIVE"})
    void aDecodeStepAllocatesNothingOnceCompiled(GgmlType type, NativeKernels.Mode mode) throws IOException {
        if (mode == NativeKernels.Mode.NATIVE) {
            assumeTrue(NativeKernels.available(), () -> "SKIPPED: native kernels unavailable ("
                    + NativeKernels.unavailableReason() + ")");
        }
        NativeKernels.use(mode);
        Path file = TestModels.write(dir.resolve(type + ".gguf"), CONFIG, type, false, false, 5);
        try (GgufFile gguf = GgufFile.open(file);
             CpuBackend backend = CpuBackend.load(gguf, CONFIG, 2, LoadProgress.NONE);
             KvCache cache = backend.newKvCache(64, 16)) {
            int[] blocks = new int[64];
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = blocks.length - 1 - i;
            }
            BlockTable table = CpuBackendTest.table(blocks);
            float[] logits = new float[CONFIG.vocabSize()];
            ForwardBatch batch = new ForwardBatch(1);
            long[] threads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t == Thread.currentThread() || t.getName().startsWith("cpu-backend-"))
                    .mapToLong(Thread::threadId).toArray();
            List<Long> perStep = new ArrayList<>();
            int position = 0;
            for (int round = 0; round < ROUNDS; round++) {
                long before = allocated(threads);
                for (int s = 0; s < STEPS; s++) {
                    batch.clear();
                    // positions up to 512: attention of every length, in parallel from about 64 on
                    batch.add(position % CONFIG.vocabSize(), position++ % 512, table, true);
                    backend.forward(batch, cache, logits);
                }
                long bytes = allocated(threads) - before;
                if (bytes == 0) {
                    return;
                }
                perStep.add(bytes / STEPS);
            }
            fail("every round of " + STEPS + " steps allocated; bytes per step: " + perStep);
        }
    }

    /** Bytes the threads have allocated so far, read without allocating. */
    private static long allocated(long[] threads) {
        long sum = 0;
        for (long id : threads) {
            sum += THREADS.getThreadAllocatedBytes(id);
        }
        return sum;
    }
}
