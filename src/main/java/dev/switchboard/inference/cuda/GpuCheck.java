package dev.switchboard.inference.cuda;

import dev.switchboard.inference.cpu.CpuBackend;
import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Checks the CUDA backend against the CPU backend on a machine with a GPU; exit status 0 only when every check
 * passes (1 on a failed check, 2 when no GPU is usable). JDK only:
 *
 * <pre>java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp target/classes \
 *     dev.switchboard.inference.cuda.GpuCheck [path/to/stories260K.gguf] [--steps 200]</pre>
 *
 * First every kernel on its own against a Java reference ({@link KernelCheck}), so a failure names its kernel. Then,
 * for stories260K (F32) and random-weight models written as F32, F16, BF16, Q8_0 and Q4_K GGUF files (and BF16 and
 * FP8 device weights): logits of a batch mixing three prefills, then joint decode steps fed the CPU's argmax, and a
 * 40-sequence batch (graph bucket 64), each compared row by row (‖gpu − cpu‖ / ‖cpu‖ against a tolerance per
 * storage type, max abs and max relative error printed, argmax agreement except on near-ties); graph replay against eager launches; cuBLAS against the GEMV kernels; on stories260K the
 * free-running greedy continuation of BOS for {@code --steps} tokens must equal the CPU's and start with the
 * known story.
 */
public final class GpuCheck {
    /** stories260K's greedy continuation of BOS, from the models README. */
    static final int[] STORIES_GREEDY_PREFIX = {403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421};
    /**
     * Bounds on ‖gpu − cpu‖ / ‖cpu‖ over all compared logits: float32 lands far under 1e-3, bf16 operands between
     * 1e-3 and 1e-2; 16-bit storage of weights or KV adds its rounding, FP8 its 3-bit mantissa.
     */
    static final double TOL_F32 = 1e-4;
    static final double TOL_16BIT = 2e-2;
    static final double TOL_FP8 = 0.15;

    private final PrintStream out;
    private int failures;
    private int checks;

    private GpuCheck(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws IOException {
        Path stories = Path.of("../shared/models/stories260K/stories260K.gguf");
        int steps = 200;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--steps") && i + 1 < args.length) {
                steps = Integer.parseInt(args[++i]);
            } else if (!args[i].startsWith("--")) {
                stories = Path.of(args[i]);
            } else {
                System.err.println("usage: GpuCheck [stories260K.gguf] [--steps 200]");
                System.exit(2);
            }
        }
        String reason = CudaBackend.unavailableReason();
        if (reason != null) {
            System.out.println("FAIL: no usable GPU: " + reason);
            System.exit(2);
        }
        GpuCheck check = new GpuCheck(System.out);
        check.runAll(stories, steps);
        System.out.printf(Locale.ROOT, "%n%s: %d of %d checks passed%n", check.failures == 0 ? "PASS" : "FAIL",
                check.checks - check.failures, check.checks);
        System.exit(check.failures == 0 ? 0 : 1);
    }

    private void runAll(Path stories, int steps) throws IOException {
        out.println("== kernels one by one against Java references");
        try (CudaContext ctx = CudaContext.open(0, false, CudaLibraries.fromEnvironment(),
                new CubinCache(CubinCache.defaultDirectory()))) {
            out.println("   " + ctx.thread.call(ctx::describe));
            new KernelCheck(ctx, this::check).run();
        } catch (RuntimeException e) {
            fail("kernel checks: " + e);
            e.printStackTrace(out);
        }
        CudaBackend.Options base = CudaBackend.Options.DEFAULT;
        if (Files.exists(stories)) {
            model("stories260K F32", stories, base, TOL_F32, steps, true);
            model("stories260K as BF16", stories, base.withWeights(WeightStorage.BF16), TOL_16BIT, steps, false);
            graphsAgainstEager(stories);
        } else {
            fail("stories260K missing at " + stories.toAbsolutePath() + " (copy it next to the classes: bin/gpu-prepare)");
        }
        Path dir = Files.createTempDirectory("gpucheck");
        for (GgmlType type : new GgmlType[]{GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_K}) {
            Path f = dir.resolve("tiny-" + type + ".gguf");
            SyntheticModels.write(SyntheticModels.shape("tiny"), type, 7, f);
            model("random tiny " + type, f, base, type == GgmlType.F32 ? TOL_F32 : TOL_16BIT, 0, false);
        }
        Path tied = dir.resolve("tiny-tied-BF16.gguf");
        SyntheticModels.write(SyntheticModels.shape("tiny-tied"), GgmlType.BF16, 11, tied);
        model("random tiny-tied BF16", tied, base, TOL_16BIT, 0, false);
        Path q8 = dir.resolve("tiny-Q8_0.gguf");
        model("random tiny Q8_0 as FP8", q8, base.withWeights(WeightStorage.FP8), TOL_FP8, 0, false);
        model("random tiny F32, no cuBLAS", dir.resolve("tiny-F32.gguf"), base.withCublas(false), TOL_F32, 0, false);
        model("random tiny Q8_0, no cuBLAS", q8, base.withCublas(false), TOL_16BIT, 0, false);
    }

    /** All workloads for one model file and device configuration against the CPU backend. */
    private void model(String label, Path file, CudaBackend.Options options, double tolerance, int greedySteps,
                       boolean exactGreedy) {
        out.println("== " + label);
        try (GgufFile gguf = GgufFile.open(file)) {
            LlamaConfig config = LlamaConfig.fromGguf(gguf, 0);
            try (CpuBackend cpu = CpuBackend.load(gguf, config, 0, LoadProgress.NONE);
                 CudaBackend gpu = CudaBackend.load(gguf, config, options, LoadProgress.NONE)) {
                out.println("   " + gpu.describe());
                BackendComparison cmp = new BackendComparison(cpu, gpu, tolerance);
                report(cmp.prefillThenDecode("3 prefills + 24 joint decodes", new int[]{7, 20, 45}, 24, 1), tolerance);
                report(cmp.prefillThenDecode("40 sequences (graph bucket 64)", filled(40, 3), 4, 2), tolerance);
                report(cmp.prefillThenDecode("prefill of 300 (chunked)", new int[]{300}, 2, 3), tolerance);
                if (greedySteps > 0) {
                    greedy(cpu, gpu, greedySteps, exactGreedy);
                }
            }
        } catch (RuntimeException e) {
            fail(label + ": " + e);
            e.printStackTrace(out);
        }
    }

    private void greedy(Backend cpu, CudaBackend gpu, int steps, boolean exact) {
        int[] prompt = {1};
        float[] margins = new float[steps];
        int[] c = BackendComparison.greedy(cpu, prompt, steps, margins);
        int[] g = BackendComparison.greedy(gpu, prompt, steps);
        int firstDiff = -1;
        for (int i = 0; i < steps && firstDiff < 0; i++) {
            if (c[i] != g[i]) {
                firstDiff = i;
            }
        }
        String line = String.format(Locale.ROOT, "greedy %d steps from BOS%s: %s", steps, exact ? "" : " (information)",
                firstDiff < 0 ? "identical to the CPU" : "first differs at step " + firstDiff + " (cpu " + c[firstDiff]
                        + ", gpu " + g[firstDiff] + "; the CPU's margin there was " + String.format(Locale.ROOT, "%.1e",
                        margins[firstDiff]) + " of its largest logit)");
        if (!exact) {
            out.println("   info " + line); // rounded weights may legitimately part ways at a near-tie
            return;
        }
        check(firstDiff < 0, line);
        boolean known = steps >= STORIES_GREEDY_PREFIX.length
                && Arrays.equals(Arrays.copyOf(g, STORIES_GREEDY_PREFIX.length), STORIES_GREEDY_PREFIX);
        check(known, "gpu greedy starts with the known story " + Arrays.toString(STORIES_GREEDY_PREFIX)
                + (known ? "" : ": got " + Arrays.toString(Arrays.copyOf(g, Math.min(steps, 12)))));
    }

    /** The same workloads with and without CUDA graphs must give the same logits (same kernels, same order). */
    private void graphsAgainstEager(Path file) {
        out.println("== stories260K: CUDA graphs against eager launches");
        try (GgufFile gguf = GgufFile.open(file)) {
            LlamaConfig config = LlamaConfig.fromGguf(gguf, 0);
            try (CudaBackend eager = CudaBackend.load(gguf, config, CudaBackend.Options.DEFAULT.withGraphs(false),
                    LoadProgress.NONE);
                 CudaBackend graphs = CudaBackend.load(gguf, config, CudaBackend.Options.DEFAULT, LoadProgress.NONE)) {
                BackendComparison cmp = new BackendComparison(eager, graphs, 1e-6);
                report(cmp.prefillThenDecode("graph vs eager, 5 sequences", new int[]{3, 9, 1, 17, 5}, 30, 4), 1e-6);
                int before = graphs.graphCaptures();
                // one new KV cache: every bucket used is captured once more, then replayed
                report(cmp.prefillThenDecode("graph vs eager, new cache", new int[]{2, 4, 6, 8, 10}, 10, 5), 1e-6);
                int added = graphs.graphCaptures() - before;
                check(added == 2, "graph captures for the new cache: " + added
                        + " (expected 2: bucket 32 for the 30-entry prefill, bucket 8 for the 5-entry decodes)");
            }
        } catch (RuntimeException e) {
            fail("graphs against eager: " + e);
            e.printStackTrace(out);
        }
    }

    private static int[] filled(int n, int value) {
        int[] a = new int[n];
        Arrays.fill(a, value);
        return a;
    }

    private void report(BackendComparison.Result r, double tolerance) {
        check(r.passes(tolerance), r.format() + String.format(Locale.ROOT, "  (tolerance %.0e)", tolerance));
    }

    private void check(boolean ok, String line) {
        checks++;
        if (!ok) {
            failures++;
        }
        out.println((ok ? "   ok   " : "   FAIL ") + line);
    }

    private void fail(String line) {
        check(false, line);
    }
}
