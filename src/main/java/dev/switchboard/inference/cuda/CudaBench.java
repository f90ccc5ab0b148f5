package dev.switchboard.inference.cuda;

import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Decode speed of the CUDA backend: greedy decode steps (argmax on the GPU) at several stream counts, after a
 * prefill and warm-up, timed on the host clock around whole synchronous steps. Next to it the device's measured
 * copy bandwidth (device-to-device, bytes read plus written) and what batch-1 decode implies: weight bytes read per
 * token × tokens per second, as a fraction of that bandwidth.
 *
 * <pre>java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp target/classes \
 *     dev.switchboard.inference.cuda.CudaBench [--model synthetic:llama3-8b|PATH] [--weights bf16,fp8]
 *     [--streams 1,8,32,64] [--steps 64] [--prompt 16] [--no-graphs] [--no-cublas]</pre>
 *
 * A synthetic model is generated on the GPU (no file); a GGUF path loads that file (weights {@code native},
 * {@code bf16} or {@code fp8}).
 */
public final class CudaBench {
    /** H100 SXM HBM3 datasheet bandwidth, for the "ceiling" column only; the measured copy is the real reference. */
    static final double DATASHEET_GBS = 3350;

    private CudaBench() {
    }

    record Row(String weights, int streams, double tokensPerSecond, double msPerStep, double impliedGBs,
               long weightBytes) {}

    public static void main(String[] args) {
        String model = "synthetic:llama3-8b";
        List<WeightStorage> modes = List.of(WeightStorage.BF16, WeightStorage.FP8);
        int[] streams = {1, 8, 32, 64};
        int steps = 64, prompt = 16;
        CudaBackend.Options options = CudaBackend.Options.DEFAULT;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--model" -> model = value(args, ++i, a);
                case "--weights" -> modes = Arrays.stream(value(args, ++i, a).split(","))
                        .map(WeightStorage::parse).toList();
                case "--streams" -> streams = Arrays.stream(value(args, ++i, a).split(",")).mapToInt(Integer::parseInt)
                        .toArray();
                case "--steps" -> steps = Integer.parseInt(value(args, ++i, a));
                case "--prompt" -> prompt = Integer.parseInt(value(args, ++i, a));
                case "--no-graphs" -> options = options.withGraphs(false);
                case "--no-cublas" -> options = options.withCublas(false);
                default -> {
                    System.err.println("usage: CudaBench [--model synthetic:llama3-8b|PATH] [--weights bf16,fp8] "
                            + "[--streams 1,8,32,64] [--steps 64] [--prompt 16] [--no-graphs] [--no-cublas]");
                    System.exit(2);
                }
            }
        }
        String reason = CudaBackend.unavailableReason();
        if (reason != null) {
            System.out.println("no usable GPU: " + reason);
            System.exit(2);
        }
        run(model, modes, streams, steps, prompt, options, 1L << 30, System.out);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException("option " + option + " needs a value");
        }
        return args[i];
    }

    /** @param copyBytes size of the device-to-device copy that measures bandwidth (large enough to defeat L2) */
    static void run(String model, List<WeightStorage> modes, int[] streams, int steps, int prompt,
                    CudaBackend.Options options, long copyBytes, PrintStream out) {
        List<Row> rows = new ArrayList<>();
        double copyGBs = 0;
        for (WeightStorage mode : modes) {
            long t0 = System.nanoTime();
            CudaBackend.Options o = options.withWeights(mode);
            try (GgufFile gguf = SyntheticModels.isSynthetic(model) ? null : GgufFile.open(Path.of(model));
                 CudaBackend gpu = gguf == null ? CudaBackend.synthetic(model, o, 42, LoadProgress.NONE)
                         : CudaBackend.load(gguf, LlamaConfig.fromGguf(gguf, 0), o, LoadProgress.NONE)) {
                long[] mem = gpu.memoryInfo();
                out.printf(Locale.ROOT, "%s %s: ready in %.1f s, %.1f of %.1f GiB in use: %s%n", model, mode,
                        (System.nanoTime() - t0) / 1e9, (mem[1] - mem[0]) / (double) (1L << 30),
                        mem[1] / (double) (1L << 30), gpu.describe());
                if (copyGBs == 0) {
                    copyGBs = gpu.copyBandwidthGBs(copyBytes, 21);
                    out.printf(Locale.ROOT, "device-to-device copy (%d MiB, median of 21, read+write): %.0f GB/s%n",
                            copyBytes >> 20, copyGBs);
                }
                for (int s : streams) {
                    Row r = decode(gpu, mode.name(), s, prompt, steps);
                    rows.add(r);
                    out.printf(Locale.ROOT, "  %2d streams: %8.1f tok/s  %7.2f ms/step%n", s, r.tokensPerSecond,
                            r.msPerStep);
                }
            }
        }
        out.println();
        out.printf(Locale.ROOT, "%-7s %7s %10s %9s %14s %10s %16s%n", "weights", "streams", "tok/s", "ms/step",
                "weights GB/s", "% of copy", "1-stream ceiling");
        for (Row r : rows) {
            // the batch-1 ceiling: every weight byte read once per token at the measured copy bandwidth
            out.printf(Locale.ROOT, "%-7s %7d %10.1f %9.2f %14.0f %9.0f%% %11.0f tok/s  (%.2f GB/token)%n", r.weights,
                    r.streams, r.tokensPerSecond, r.msPerStep, r.impliedGBs, 100 * r.impliedGBs / copyGBs,
                    copyGBs * 1e9 / r.weightBytes, r.weightBytes / 1e9);
        }
        out.printf(Locale.ROOT, "measured copy bandwidth %.0f GB/s (datasheet %.0f GB/s); batch-1 ceiling = bandwidth"
                + " / weight bytes per token%n", copyGBs, DATASHEET_GBS);
    }

    /** Prefills {@code streams} prompts in one batch, warms up, then times {@code steps} joint greedy steps. */
    private static Row decode(CudaBackend gpu, String weights, int streams, int prompt, int steps) {
        int warm = 3;
        int blockSize = 16;
        int perSeq = (prompt + warm + steps) / blockSize + 1;
        SplittableRandom rnd = new SplittableRandom(streams);
        try (KvCache cache = gpu.newKvCache(streams * perSeq, blockSize)) {
            BlockTable[] tables = new BlockTable[streams];
            ForwardBatch batch = new ForwardBatch(streams * prompt);
            for (int s = 0; s < streams; s++) {
                tables[s] = new BlockTable();
                for (int b = 0; b < perSeq; b++) {
                    tables[s].add(s * perSeq + b);
                }
                for (int p = 0; p < prompt; p++) {
                    batch.add(rnd.nextInt(gpu.config().vocabSize()), p, tables[s], p == prompt - 1);
                }
            }
            int[] next = new int[streams];
            gpu.forwardArgmax(batch, cache, next);
            long start = 0;
            for (int step = 0; step < warm + steps; step++) {
                if (step == warm) {
                    start = System.nanoTime();
                }
                batch.clear();
                for (int s = 0; s < streams; s++) {
                    batch.add(next[s], prompt + step, tables[s], true);
                }
                gpu.forwardArgmax(batch, cache, next);
            }
            double secs = (System.nanoTime() - start) / 1e9;
            double tps = (double) streams * steps / secs;
            double stepsPerSecond = steps / secs;
            return new Row(weights, streams, tps, 1000 * secs / steps, gpu.weightBytesPerToken() * stepsPerSecond / 1e9,
                    gpu.weightBytesPerToken());
        }
    }
}
