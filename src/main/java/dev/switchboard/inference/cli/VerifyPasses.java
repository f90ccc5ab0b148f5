package dev.switchboard.inference.cli;

import dev.switchboard.inference.Engine;
import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;

import java.util.Arrays;

/**
 * Times raw forward passes of one sequence, as verifying a draft runs them: what verifying k+1 positions costs
 * relative to decoding one. Runs on a loaded model without an engine (nothing else uses the backend meanwhile).
 */
public final class VerifyPasses {

    /**
     * @param prefix positions computed before the timed passes
     * @param entries the largest pass: 1..entries consecutive positions, all wanting logits
     * @param repetitions passes of each size; the best counts
     */
    public record Shape(int prefix, int entries, int repetitions) {
    }

    private VerifyPasses() {
    }

    /** The best time of a pass of n positions after the prefix, in nanoseconds, at index n-1. */
    public static long[] time(Engine.Loaded model, Shape shape, int prefillChunk) {
        int context = model.config().contextLength();
        if (shape.prefix() < 1 || shape.entries() < 1 || shape.repetitions() < 1
                || shape.prefix() + shape.entries() > context) {
            throw new IllegalArgumentException("prefix " + shape.prefix() + " + entries " + shape.entries()
                    + " must fit the context of " + context + ", with at least one repetition");
        }
        Backend backend = model.backend();
        int vocab = model.tokenizer().vocabSize();
        int blockSize = 16;
        int blocks = Math.ceilDiv(shape.prefix() + shape.entries(), blockSize);
        try (KvCache cache = backend.newKvCache(blocks, blockSize)) {
            BlockTable table = new BlockTable();
            for (int b = 0; b < blocks; b++) {
                table.add(b);
            }
            ForwardBatch batch = new ForwardBatch(Math.max(prefillChunk, shape.entries()));
            float[] rows = new float[model.config().vocabSize() * shape.entries()];
            for (int start = 0; start < shape.prefix(); start += prefillChunk) {
                batch.clear();
                for (int p = start; p < Math.min(shape.prefix(), start + prefillChunk); p++) {
                    batch.add(p % vocab, p, table, p == shape.prefix() - 1);
                }
                backend.forward(batch, cache, rows);
            }
            long[] best = new long[shape.entries()];
            Arrays.fill(best, Long.MAX_VALUE);
            for (int rep = 0; rep < shape.repetitions(); rep++) {
                for (int n = 1; n <= shape.entries(); n++) {
                    batch.clear();
                    for (int i = 0; i < n; i++) {
                        batch.add(i % vocab, shape.prefix() + i, table, true);
                    }
                    long t0 = System.nanoTime();
                    backend.forward(batch, cache, rows);
                    best[n - 1] = Math.min(best[n - 1], System.nanoTime() - t0);
                }
            }
            return best;
        }
    }
}
