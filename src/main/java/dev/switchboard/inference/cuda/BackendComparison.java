package dev.switchboard.inference.cuda;

import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Runs the same workloads through a reference backend and a backend under test, each with its own KV cache but
 * the same (shuffled, so non-contiguous) block tables, and measures how far the test's logits are from the
 * reference's. Works with any two backends; {@link GpuCheck} uses it for GPU against CPU.
 */
final class BackendComparison {
    static final int BLOCK_SIZE = 16;
    static final int BLOCKS = 512;

    /**
     * @param maxAbs            largest |test − ref| over all compared logits
     * @param maxRel            largest per-row maxAbs / max|ref| (a scale-free error, reported)
     * @param normRel           ‖test − ref‖ / ‖ref‖ over all compared logits: the pass criterion
     * @param argmaxMismatches  rows whose argmax differs and the reference's top two are not within the tolerance
     * @param nearTies          rows whose argmax differs on a near-tie of the reference (not a failure)
     * @param nonFinite         rows of the test holding NaN or infinity
     * @param degenerate        rows where the reference itself is all zeros (no real model gives those: when the
     *                          reference is a GPU run too, it means nothing was computed)
     */
    record Result(String workload, int rows, double maxAbs, double maxRel, double normRel, int argmaxMismatches,
                  int nearTies, int nonFinite, int degenerate) {
        boolean passes(double tolerance) {
            return nonFinite == 0 && degenerate == 0 && argmaxMismatches == 0 && normRel <= tolerance;
        }

        String format() {
            return String.format(Locale.ROOT, "%-34s rows %5d  |err|/|ref| %.2e  max abs %.2e  max rel %.2e  argmax "
                    + "mismatches %d (near-ties %d)%s", workload, rows, normRel, maxAbs, maxRel, argmaxMismatches, nearTies,
                    (nonFinite > 0 ? "  NON-FINITE ROWS " + nonFinite : "")
                            + (degenerate > 0 ? "  ALL-ZERO REFERENCE ROWS " + degenerate : ""));
        }
    }

    private final Backend ref;
    private final Backend test;
    private final double tolerance;
    private final int vocab;

    /** @param tolerance the relative error under which a different argmax counts as a near-tie */
    BackendComparison(Backend ref, Backend test, double tolerance) {
        if (!ref.config().equals(test.config())) {
            throw new IllegalArgumentException("the backends run different models: " + ref.config() + " vs "
                    + test.config());
        }
        this.ref = ref;
        this.test = test;
        this.tolerance = tolerance;
        this.vocab = ref.config().vocabSize();
    }

    /** Sequences with prompts of {@code promptLengths} prefilled in one batch (every entry wants logits), then
     *  {@code decodeSteps} steps of all of them together, each fed the reference's argmax. */
    Result prefillThenDecode(String name, int[] promptLengths, int decodeSteps, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Accumulator acc = new Accumulator(name);
        try (KvCache refCache = ref.newKvCache(BLOCKS, BLOCK_SIZE); KvCache testCache = test.newKvCache(BLOCKS, BLOCK_SIZE)) {
            int seqs = promptLengths.length;
            BlockTable[] tables = tables(promptLengths, decodeSteps, rnd);
            ForwardBatch batch = new ForwardBatch(64);
            for (int s = 0; s < seqs; s++) {
                for (int p = 0; p < promptLengths[s]; p++) {
                    batch.add(rnd.nextInt(vocab), p, tables[s], true);
                }
            }
            int[] next = step(batch, refCache, testCache, acc);
            int[] last = new int[seqs];
            for (int s = 0, row = 0; s < seqs; s++) {
                row += promptLengths[s];
                last[s] = next[row - 1];
            }
            for (int step = 0; step < decodeSteps; step++) {
                batch.clear();
                for (int s = 0; s < seqs; s++) {
                    batch.add(last[s], promptLengths[s] + step, tables[s], true);
                }
                last = step(batch, refCache, testCache, acc);
            }
        }
        return acc.result();
    }

    /** The greedy continuation of {@code prompt} for {@code steps} tokens, each backend on its own. */
    static int[] greedy(Backend b, int[] prompt, int steps) {
        return greedy(b, prompt, steps, new float[steps]);
    }

    /**
     * Greedy continuation that also records, per step, the margin of the chosen logit over the runner-up relative
     * to the row's largest magnitude: where two backends part ways, a tiny margin means a near-tie, not a bug.
     */
    static int[] greedy(Backend b, int[] prompt, int steps, float[] margins) {
        try (KvCache cache = b.newKvCache(BLOCKS, BLOCK_SIZE)) {
            BlockTable table = new BlockTable();
            for (int i = 0; i < (prompt.length + steps) / BLOCK_SIZE + 1; i++) {
                table.add(BLOCKS - 1 - i);
            }
            float[] logits = new float[b.config().vocabSize()];
            ForwardBatch batch = new ForwardBatch(prompt.length);
            for (int i = 0; i < prompt.length; i++) {
                batch.add(prompt[i], i, table, i == prompt.length - 1);
            }
            int[] out = new int[steps];
            for (int s = 0; s < steps; s++) {
                b.forward(batch, cache, logits);
                out[s] = argmax(logits, 0, logits.length);
                margins[s] = margin(logits, out[s]);
                batch.clear();
                batch.add(out[s], prompt.length + s, table, true);
            }
            return out;
        }
    }

    /** Runs one batch on both backends; returns the reference's argmax of each logit row. */
    private int[] step(ForwardBatch batch, KvCache refCache, KvCache testCache, Accumulator acc) {
        int rows = batch.logitRows();
        float[] r = new float[rows * vocab];
        float[] t = new float[rows * vocab];
        java.util.Arrays.fill(t, Float.NaN); // rows the test backend fails to write show up as non-finite
        ref.forward(batch, refCache, r);
        test.forward(batch, testCache, t);
        int[] next = new int[rows];
        for (int i = 0; i < rows; i++) {
            next[i] = acc.row(r, t, i * vocab, vocab, tolerance);
        }
        return next;
    }

    /** Block tables for the sequences, drawn from a shuffled pool so logical and physical order differ. */
    private static BlockTable[] tables(int[] promptLengths, int decodeSteps, SplittableRandom rnd) {
        List<Integer> pool = new ArrayList<>();
        for (int b = 0; b < BLOCKS; b++) {
            pool.add(b);
        }
        Collections.shuffle(pool, new java.util.Random(rnd.nextLong()));
        BlockTable[] tables = new BlockTable[promptLengths.length];
        int used = 0;
        for (int s = 0; s < tables.length; s++) {
            tables[s] = new BlockTable();
            int blocks = (promptLengths[s] + decodeSteps + BLOCK_SIZE - 1) / BLOCK_SIZE;
            if (used + blocks > BLOCKS) {
                throw new IllegalArgumentException("the workload needs more than " + BLOCKS + " KV blocks");
            }
            for (int b = 0; b < blocks; b++) {
                tables[s].add(pool.get(used++));
            }
        }
        return tables;
    }

    private static float margin(float[] logits, int best) {
        float second = Float.NEGATIVE_INFINITY, scale = 0;
        for (int i = 0; i < logits.length; i++) {
            scale = Math.max(scale, Math.abs(logits[i]));
            if (i != best) {
                second = Math.max(second, logits[i]);
            }
        }
        return scale > 0 ? (logits[best] - second) / scale : 0;
    }

    static int argmax(float[] a, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (a[off + i] > a[off + best]) {
                best = i;
            }
        }
        return best;
    }

    /** Error statistics over rows. */
    static final class Accumulator {
        private final String name;
        private int rows;
        private double maxAbs;
        private double maxRel;
        private double sumSqErr;
        private double sumSqRef;
        private int mismatches;
        private int nearTies;
        private int nonFinite;
        private int degenerate;

        Accumulator(String name) {
            this.name = name;
        }

        /** Compares one row; returns the reference's argmax. */
        int row(float[] ref, float[] test, int off, int n, double tolerance) {
            rows++;
            double abs = 0, scale = 0, sqErr = 0, sqRef = 0;
            boolean finite = true;
            for (int i = 0; i < n; i++) {
                float t = test[off + i];
                if (!Float.isFinite(t)) {
                    finite = false;
                }
                double d = t - ref[off + i];
                abs = Math.max(abs, Math.abs(d));
                scale = Math.max(scale, Math.abs(ref[off + i]));
                sqErr += d * d;
                sqRef += (double) ref[off + i] * ref[off + i];
            }
            int a = argmax(ref, off, n);
            if (!finite) {
                nonFinite++;
                return a;
            }
            if (scale == 0) {
                degenerate++;
            }
            sumSqErr += sqErr;
            sumSqRef += sqRef;
            maxAbs = Math.max(maxAbs, abs);
            maxRel = Math.max(maxRel, scale > 0 ? abs / scale : abs);
            int b = argmax(test, off, n);
            if (a != b) {
                if (ref[off + a] - ref[off + b] <= tolerance * scale) {
                    nearTies++;
                } else {
                    mismatches++;
                }
            }
            return a;
        }

        Result result() {
            double normRel = sumSqRef > 0 ? Math.sqrt(sumSqErr / sumSqRef) : Math.sqrt(sumSqErr);
            return new Result(name, rows, maxAbs, maxRel, Double.isNaN(normRel) ? Double.POSITIVE_INFINITY : normRel,
                    mismatches, nearTies, nonFinite, degenerate);
        }
    }
}
