package dev.switchboard.inference.cpu;

import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.hf.ModelFiles;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.KvType;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Measures the CPU backend: prefill and decode tokens per second after warm-up, next to the machine's memory
 * bandwidth measured here (STREAM-like copy and read), and the bandwidth decode implies (weight bytes read per
 * token × tokens per second) — decode of a large model is bound by memory, so that ratio says how close it is.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/classes dev.switchboard.inference.cpu.CpuBench \
 *     MODEL [--type Q8_0] [--threads N] [--prompt 128] [--decode 32]</pre>
 * MODEL is a GGUF path or {@code synthetic:NAME} (see {@link SyntheticModels}).
 */
public final class CpuBench {
    private static final long BANDWIDTH_BYTES = 512L << 20;

    private CpuBench() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].startsWith("-")) {
            System.err.println("usage: CpuBench MODEL [--type Q8_0] [--threads N] [--prompt 128] [--decode 32]"
                    + "  (MODEL: a GGUF path or synthetic:" + String.join("|synthetic:", SyntheticModels.names()) + ")");
            System.exit(2);
        }
        GgmlType type = GgmlType.Q8_0;
        int threads = 0, prompt = 128, decode = 32;
        for (int i = 1; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            String value = args[i + 1];
            switch (args[i]) {
                case "--type" -> type = GgmlType.valueOf(value.toUpperCase(Locale.ROOT));
                case "--threads" -> threads = Integer.parseInt(value);
                case "--prompt" -> prompt = Integer.parseInt(value);
                case "--decode" -> decode = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        run(args[0], type, threads, prompt, decode, KvType.F32, System.out);
    }

    /**
     * Runs the whole bench and prints its figures to {@code out}.
     *
     * @param model        a GGUF path or {@code synthetic:NAME}
     * @param type         the tensor type of a synthetic model (ignored for a file)
     * @param threads      compute threads, 0 for all processors
     * @param promptTokens tokens of the measured prefill
     * @param decodeSteps  measured decode steps
     * @param kvType       the KV cache's element type
     */
    public static void run(String model, GgmlType type, int threads, int promptTokens, int decodeSteps, KvType kvType,
                           PrintStream out) {
        if (promptTokens < 1 || decodeSteps < 1) {
            throw new IllegalArgumentException("prompt and decode need at least one token each");
        }
        int nThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        out.printf(Locale.ROOT, "machine: %d processors, %d compute threads, %d-bit vectors, load average %.2f%n",
                Runtime.getRuntime().availableProcessors(), nThreads, WeightTensor.F.vectorBitSize(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Path path;
        if (SyntheticModels.isSynthetic(model)) {
            out.println("model: " + model + " " + type + " (generating on first use, then cached)");
            long t0 = System.nanoTime();
            path = SyntheticModels.file(model, type);
            out.printf(Locale.ROOT, "  file %s ready in %.1f s%n", path, (System.nanoTime() - t0) / 1e9);
        } else {
            path = Path.of(model);
            out.println("model: " + path);
        }
        try (GgufFile gguf = ModelFiles.open(path, null, LoadProgress.NONE)) {
            int context = promptTokens + decodeSteps + 1;
            LlamaConfig config = LlamaConfig.fromGguf(gguf, 0);
            long t0 = System.nanoTime();
            LoadProgress progress = (stage, done, total) -> {
                if (done == total) {
                    out.printf(Locale.ROOT, "  %s: done in %.1f s%n", stage, (System.nanoTime() - t0) / 1e9);
                }
            };
            try (CpuBackend backend = CpuBackend.load(gguf, config, nThreads, progress)) {
                backend.kvType(kvType);
                try (KvCache cache = backend.newKvCache(2 * ((context + 15) / 16), 16)) {
                    out.printf(Locale.ROOT, "  shape: dim %d, %d layers, %d/%d heads, ffn %d, vocab %d; weights read "
                                    + "per token %.1f MiB%n", config.dim(), config.layers(), config.heads(),
                            config.kvHeads(), config.ffnDim(), config.vocabSize(),
                            backend.weightBytesPerToken() / 1048576.0);
                    out.println("  kernels: " + (backend.nativeKernels() ? "native (Q8_0, Q4_K, Q6_K; prefetch "
                            + NativeKernels.prefetch(-1) + " bytes ahead), Java for the rest"
                            : "Java" + (NativeKernels.available() ? ""
                            : " (native: " + NativeKernels.unavailableReason() + ")"))
                            + "; KV cache " + ((CpuKvCache) cache).type().name().toLowerCase(Locale.ROOT));
                    measure(backend, cache, promptTokens, decodeSteps, nThreads, out);
                }
            }
        }
    }

    private static void measure(CpuBackend backend, KvCache cache, int promptTokens, int decodeSteps, int threads,
                                PrintStream out) {
        LlamaConfig c = backend.config();
        float[] logits = new float[c.vocabSize()];
        SplittableRandom rnd = new SplittableRandom(7);
        int[] prompt = rnd.ints(promptTokens, 0, c.vocabSize()).toArray();
        int blocksPerSeq = cache.numBlocks() / 2;

        // warm-up on the second half of the cache: compiles the prefill and decode paths
        BlockTable warm = table(blocksPerSeq, blocksPerSeq);
        prefill(backend, cache, warm, prompt, logits);
        decode(backend, cache, warm, promptTokens, Math.min(decodeSteps, 8), logits);

        BlockTable seq = table(0, blocksPerSeq);
        long t0 = System.nanoTime();
        double cpu0 = cpuSeconds();
        int next = prefill(backend, cache, seq, prompt, logits);
        double prefillS = (System.nanoTime() - t0) / 1e9;
        double prefillCpu = cpuSeconds() - cpu0;
        t0 = System.nanoTime();
        cpu0 = cpuSeconds();
        decode(backend, cache, seq, promptTokens, decodeSteps, logits, next);
        double decodeS = (System.nanoTime() - t0) / 1e9;
        double decodeCpu = cpuSeconds() - cpu0;

        double decodeTps = decodeSteps / decodeS;
        double implied = backend.weightBytesPerToken() * decodeTps / 1e9;
        // CPU time tells what the code costs when other processes share the cores: wall time then says little
        out.printf(Locale.ROOT, "prefill: %d tokens in %.3f s = %.1f tok/s; %.1f CPU-ms/token (%.1f tok/s if %d "
                        + "cores were free)%n", promptTokens, prefillS, promptTokens / prefillS,
                1000 * prefillCpu / promptTokens, promptTokens * threads / prefillCpu, threads);
        out.printf(Locale.ROOT, "decode:  %d steps in %.3f s = %.2f tok/s (%.1f ms/token); %.1f CPU-ms/token "
                        + "(%.2f tok/s if %d cores were free, memory permitting)%n", decodeSteps, decodeS, decodeTps,
                1000 * decodeS / decodeSteps, 1000 * decodeCpu / decodeSteps, decodeSteps * threads / decodeCpu,
                threads);
        Bandwidth bw = bandwidth(threads);
        out.printf(Locale.ROOT, "memory bandwidth (measured, %d threads, %d MiB, %s read): read %.1f GB/s, copy %.1f "
                        + "GB/s%n", threads, BANDWIDTH_BYTES >> 20, NativeKernels.available() ? "C" : "Java", bw.read,
                bw.copy);
        out.printf(Locale.ROOT, "decode implies %.1f GB/s of weight reads = %.0f%% of measured read bandwidth%n",
                implied, 100 * implied / bw.read);
    }

    /** CPU time of all live threads of this JVM (the compute pool lives through the measurement). */
    private static double cpuSeconds() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long id : mx.getAllThreadIds()) {
            total += Math.max(0, mx.getThreadCpuTime(id));
        }
        return total / 1e9;
    }

    private static BlockTable table(int first, int blocks) {
        BlockTable t = new BlockTable();
        for (int b = 0; b < blocks; b++) {
            t.add(first + b);
        }
        return t;
    }

    private static int prefill(CpuBackend backend, KvCache cache, BlockTable table, int[] prompt, float[] logits) {
        ForwardBatch batch = new ForwardBatch(prompt.length);
        for (int i = 0; i < prompt.length; i++) {
            batch.add(prompt[i], i, table, i == prompt.length - 1);
        }
        backend.forward(batch, cache, logits);
        return argmax(logits, backend.config().vocabSize());
    }

    private static void decode(CpuBackend backend, KvCache cache, BlockTable table, int start, int steps,
                               float[] logits) {
        decode(backend, cache, table, start, steps, logits, argmax(logits, backend.config().vocabSize()));
    }

    /** Greedy decoding from {@code token} at position {@code start}. */
    private static void decode(CpuBackend backend, KvCache cache, BlockTable table, int start, int steps,
                               float[] logits, int token) {
        ForwardBatch batch = new ForwardBatch(1);
        for (int s = 0; s < steps; s++) {
            batch.clear();
            batch.add(token, start + s, table, true);
            backend.forward(batch, cache, logits);
            token = argmax(logits, backend.config().vocabSize());
        }
    }

    private static int argmax(float[] logits, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private record Bandwidth(double read, double copy) {}

    /**
     * The sum of bytes {@code [from, to)} of {@code data} as floats, up to the last whole four vectors: a plain read
     * for the benches' read tests. By the native library where it loads ({@link NativeKernels#readSum}): within one
     * run the Java loop fell from 0.95 to 0.6 times the speed of a C loop over the same pages, and the ceiling must
     * not move with the JIT.
     */
    static float sum(MemorySegment data, long from, long to) {
        MemorySegment part = data.asSlice(from, to - from);
        if (NativeKernels.available()) {
            return NativeKernels.readSum(part);
        }
        // four independent accumulators, so that the adds' latency never bounds the read
        FloatVector a0 = FloatVector.zero(WeightTensor.F), a1 = a0, a2 = a0, a3 = a0;
        long step = WeightTensor.F.vectorByteSize();
        for (long off = 0; off + 4 * step <= part.byteSize(); off += 4 * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(WeightTensor.F, part, off, ByteOrder.nativeOrder()));
            a1 = a1.add(FloatVector.fromMemorySegment(WeightTensor.F, part, off + step, ByteOrder.nativeOrder()));
            a2 = a2.add(FloatVector.fromMemorySegment(WeightTensor.F, part, off + 2 * step, ByteOrder.nativeOrder()));
            a3 = a3.add(FloatVector.fromMemorySegment(WeightTensor.F, part, off + 3 * step, ByteOrder.nativeOrder()));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }

    /** Best of 5: a vectorized sum over a buffer much larger than the caches, and a copy of it. */
    private static Bandwidth bandwidth(int threads) {
        try (Arena arena = Arena.ofShared(); Parallel parallel = new Parallel(threads)) {
            MemorySegment src = arena.allocate(BANDWIDTH_BYTES, 64);
            MemorySegment dst = arena.allocate(BANDWIDTH_BYTES, 64);
            src.fill((byte) 1);
            dst.fill((byte) 0);
            int chunks = (int) (BANDWIDTH_BYTES >> 20);
            double[] sink = new double[1]; // published sums keep the JIT from dropping the read loop
            double read = 0, copy = 0;
            for (int rep = 0; rep < 5; rep++) {
                long t0 = System.nanoTime();
                parallel.forRange(chunks, 1, (from, to) -> {
                    float sum = sum(src, (long) from << 20, (long) to << 20);
                    synchronized (sink) {
                        sink[0] += sum;
                    }
                });
                read = Math.max(read, BANDWIDTH_BYTES / ((System.nanoTime() - t0) / 1e9) / 1e9);
                t0 = System.nanoTime();
                parallel.forRange(chunks, 1, (from, to) ->
                        MemorySegment.copy(src, (long) from << 20, dst, (long) from << 20, (long) (to - from) << 20));
                copy = Math.max(copy, 2.0 * BANDWIDTH_BYTES / ((System.nanoTime() - t0) / 1e9) / 1e9);
            }
            return new Bandwidth(read, copy);
        }
    }
}
