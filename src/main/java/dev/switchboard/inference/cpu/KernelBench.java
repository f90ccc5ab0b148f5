package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufTensor;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Per-kernel timers: each weight type's matrix-vector product (decode) on weights that fit in L2 and on weights far
 * larger than the last-level cache, and its matrix-matrix product over a 128-token batch (prefill). When the L2 and
 * the memory rates are about equal the kernel is bound by its instructions, not by memory. Each round also times a
 * plain vectorized read of the very pages the kernel has just streamed, so that the from-memory rate can be read as
 * the share of what one thread can stream from them at that moment (on a shared VM that ceiling moves by 2x from one
 * minute to the next, and a read of some other buffer would say less about the pages the kernel read).
 * The kernels are the ones the backend would run ({@code --kernels auto}: the native ones where the library loads).
 *
 * <p>One thread, timed by its own CPU time: on a machine shared with other processes wall time mostly measures the
 * others, while the CPU time of one thread still says what the kernel costs (a stall on memory counts as CPU time).
 *
 * <pre>java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp target/classes \
 *     dev.switchboard.inference.cpu.KernelBench \
 *     [--types Q8_0,Q4_K,Q6_K] [--rounds 5] [--kernels auto|java|native] [--prefetch 0,2048]</pre>
 * Rounds alternate over the types so that load from other processes spreads over all of them; medians are printed.
 * {@code --prefetch 0,2048} alternates the native kernels' prefetch distances (bytes) within each round as well.
 */
public final class KernelBench {
    private static final int COLS = 2048;
    /** Rows of the cache-resident matrix: about 300-600 KB of weights in each type. */
    private static final int HOT_ROWS = 256;
    /** Weights streamed from memory per pass: many matrices, together far above any last-level cache. */
    private static final long COLD_BYTES = 160L << 20;
    private static final int PREFILL_TOKENS = 128;
    private static final int PREFILL_ROWS = 512;

    private KernelBench() {
    }

    public static void main(String[] args) {
        int rounds = 5;
        GgmlType[] types = {GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q6_K};
        int[] prefetches = {-1}; // the library's default
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--types" -> types = Arrays.stream(args[i + 1].split(","))
                        .map(s -> GgmlType.valueOf(s.toUpperCase(Locale.ROOT))).toArray(GgmlType[]::new);
                case "--kernels" -> NativeKernels.use(NativeKernels.Mode.parse(args[i + 1]));
                case "--prefetch" -> prefetches = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt)
                        .toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (known: --types Q8_0,Q4_K,Q6_K, --rounds N, --kernels auto|java|native, --prefetch 0,2048)");
            }
        }
        run(types, rounds, prefetches, System.out);
    }

    /** {@code prefetches}: the native kernels' distances to alternate ({@code {-1}}: the library's default alone). */
    static void run(GgmlType[] types, int rounds, int[] prefetches, PrintStream out) {
        boolean nativeKernels = NativeKernels.chosen();
        if (!nativeKernels) {
            prefetches = new int[]{-1};
        }
        out.printf(Locale.ROOT, "kernels: %s, 1 thread timed by its CPU time, %d-bit vectors, load average %.2f, "
                        + "medians of %d rounds%n", nativeKernels ? "native where the type has one" : "Java",
                WeightTensor.F.vectorBitSize(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                rounds);
        // read before any distance is set: -1 in the list stands for it
        int libraryDefault = nativeKernels ? NativeKernels.prefetch(-1) : 0;
        int[] distances = Arrays.stream(prefetches).map(d -> d < 0 ? libraryDefault : d).toArray();
        try (Arena arena = Arena.ofShared()) { // shared: the native copies are made by parallel threads
            Case[] cases = new Case[types.length];
            for (int i = 0; i < types.length; i++) {
                cases[i] = new Case(types[i], arena, nativeKernels);
            }
            // per prefetch distance and type
            double[][][][] samples = new double[distances.length][types.length][3][rounds];
            double[][][] reads = new double[distances.length][types.length][rounds];
            for (int round = -1; round < rounds; round++) { // round -1 warms up (JIT, the native copies)
                for (int p = 0; p < distances.length; p++) {
                    if (nativeKernels) {
                        NativeKernels.prefetch(distances[p]);
                    }
                    for (int i = 0; i < types.length; i++) {
                        double[] r = cases[i].measure();
                        // right after the products, so that both see the machine in the same state
                        double read = cases[i].readGbs();
                        for (int k = 0; round >= 0 && k < 3; k++) {
                            samples[p][i][k][round] = r[k];
                        }
                        if (round >= 0) {
                            reads[p][i][round] = read;
                        }
                    }
                }
            }
            out.println("type   prefetch   decode GB/s in L2   decode GB/s from memory   ns/weight from memory"
                    + "   prefill GFLOP/s   plain read GB/s   from memory / plain read");
            for (int i = 0; i < types.length; i++) {
                for (int p = 0; p < distances.length; p++) {
                    double[][] s = samples[p][i];
                    double[] shares = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        shares[r] = s[1][r] / reads[p][i][r];
                    }
                    double bytesPerWeight = types[i].byteSize(COLS) / (double) COLS;
                    out.printf(Locale.ROOT, "%-6s %8s %19.2f %25.2f %23.3f %17.2f %17.2f %25.0f%%%n", types[i],
                            nativeKernels && cases[i].one != null ? distances[p] + " B" : "-", median(s[0]),
                            median(s[1]), bytesPerWeight / median(s[1]), median(s[2]), median(reads[p][i]),
                            100 * median(shares));
                }
            }
        }
    }

    private static volatile double readSink;

    private static long cpuNanos() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** One type's matrices: a hot one, enough cold ones to stream {@link #COLD_BYTES}, and a prefill one. */
    private static final class Case {
        final WeightTensor hot;
        final WeightTensor[] cold;
        final WeightTensor prefill;
        final float[] x = random(COLS * PREFILL_TOKENS, 1);
        final float[] y = new float[Math.max(PREFILL_ROWS * PREFILL_TOKENS, 8192)];
        /** x quantized for the native kernels: its first token alone, and all of them; null for the Java ones. */
        final MemorySegment one, all;

        Case(GgmlType type, Arena arena, boolean nativeKernels) {
            hot = tensor(type, HOT_ROWS, arena, 2);
            int coldRows = 8192;
            int count = (int) Math.max(1, COLD_BYTES / (type.byteSize(COLS) * coldRows));
            cold = new WeightTensor[count];
            for (int i = 0; i < count; i++) {
                cold[i] = tensor(type, coldRows, arena, 3 + i);
            }
            prefill = tensor(type, PREFILL_ROWS, arena, 100);
            if (nativeKernels && hot.hasNativeKernel()) {
                one = quantized(1, type, arena);
                all = quantized(PREFILL_TOKENS, type, arena);
            } else {
                one = all = null;
            }
        }

        private MemorySegment quantized(int n, GgmlType type, Arena arena) {
            MemorySegment q = arena.allocate(NativeKernels.activationBytes(n, COLS), 64);
            NativeKernels.quantize(x, n, COLS, type == GgmlType.Q8_0, q);
            return q;
        }

        private void product(WeightTensor w, int n) {
            if (one != null) {
                w.matmulNative(n == 1 ? one : all, n, y, 0, w.rows());
            } else {
                w.matmul(x, n, y, 0, w.rows());
            }
        }

        /** Decode GB/s hot, decode GB/s cold, prefill GFLOP/s. */
        double[] measure() {
            int hotReps = 100;
            long t0 = cpuNanos();
            for (int rep = 0; rep < hotReps; rep++) {
                product(hot, 1);
            }
            double hotGbs = hot.byteSize() * (double) hotReps / (cpuNanos() - t0);
            t0 = cpuNanos();
            long bytes = 0;
            for (WeightTensor w : cold) {
                product(w, 1);
                bytes += w.byteSize();
            }
            double coldGbs = bytes / (double) (cpuNanos() - t0);
            t0 = cpuNanos();
            product(prefill, PREFILL_TOKENS);
            double flops = 2.0 * prefill.rows() * COLS * PREFILL_TOKENS;
            return new double[]{hotGbs, coldGbs, flops / (cpuNanos() - t0)};
        }

        /**
         * GB/s of one thread reading the pages the cold products stream ({@link CpuBench#sum}), counted in the same
         * bytes as they are (the file's), so that the two rates compare the same pass.
         */
        double readGbs() {
            long t0 = cpuNanos(), bytes = 0;
            float sum = 0;
            for (WeightTensor w : cold) {
                MemorySegment pages = w.streamedBytes(one != null);
                sum += CpuBench.sum(pages, 0, pages.byteSize());
                bytes += w.byteSize();
            }
            double gbs = bytes / (double) (cpuNanos() - t0);
            readSink += sum; // keeps the loads alive
            return gbs;
        }
    }

    static WeightTensor tensor(GgmlType type, int rows, Arena arena, long seed) {
        float[] values = random(rows * COLS, seed);
        byte[] bytes = WeightTensor.quantize(type, values);
        MemorySegment data = arena.allocate(bytes.length, 64);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, data, 0, bytes.length);
        return WeightTensor.wrap(new GgufTensor("bench", new long[]{COLS, rows}, type, data));
    }

    private static float[] random(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextDouble(-1, 1);
        }
        return v;
    }
}
