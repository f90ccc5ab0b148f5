package dev.switchboard.inference.speculative;

import dev.switchboard.inference.kv.BlockAllocator;
import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.sampling.Sampler;

import java.util.List;

/**
 * A smaller model with the target's tokenizer, loaded once per engine, that drafts for every sequence through its
 * own KV cache ({@link ModelDrafter} holds one sequence's blocks). Used only from the engine loop, like the
 * target's backend.
 */
public final class DraftModel implements AutoCloseable {
    private final Backend backend;
    private final KvCache cache;
    private final BlockAllocator blocks;
    private final int blockSize;
    private final int vocabSize;
    private final ForwardBatch batch;
    private final int rowStride;
    private float[] logits;

    /**
     * @param numBlocks KV blocks for all sequences together (as many as the target's: a draft never runs further
     *     than the target's positions)
     * @param vocabSize the tokenizer's vocabulary: drafts are only its ids
     */
    public DraftModel(Backend backend, int numBlocks, int blockSize, int vocabSize) {
        if (backend.config().vocabSize() < vocabSize) {
            throw new IllegalArgumentException("the draft model's output has " + backend.config().vocabSize()
                    + " tokens, the tokenizer " + vocabSize + ": not the same tokenizer");
        }
        this.backend = backend;
        this.cache = backend.newKvCache(numBlocks, blockSize);
        this.blocks = new BlockAllocator(numBlocks);
        this.blockSize = blockSize;
        this.vocabSize = vocabSize;
        this.batch = new ForwardBatch(64);
        this.rowStride = backend.config().vocabSize();
        this.logits = new float[rowStride];
    }

    int contextLength() {
        return backend.config().contextLength();
    }

    /** Grows the table to hold {@code positions}; false when the draft cache is full (then nothing is drafted). */
    boolean reserve(BlockTable table, int positions) {
        while (table.size() * blockSize < positions) {
            int block = blocks.allocate();
            if (block < 0) {
                return false;
            }
            table.add(block);
        }
        return true;
    }

    void release(BlockTable table) {
        blocks.free(table.truncate(0));
    }

    /**
     * Drafts for every prepared drafter ({@link ModelDrafter#prepare} returned more than 0) in shared passes: one
     * pass catches all of them up and gives each its first token, then one pass per further token covers every
     * drafter that wants that many.
     */
    public void draftAll(List<ModelDrafter> drafters) {
        if (drafters.isEmpty()) {
            return;
        }
        int rows = drafters.size();
        if (logits.length < rows * rowStride) {
            logits = new float[rows * rowStride];
        }
        batch.clear();
        int maxK = 0;
        for (ModelDrafter d : drafters) {
            for (int p = d.computed; p < d.length; p++) {
                batch.add(d.tokens[p], p, d.table, p == d.length - 1);
            }
            maxK = Math.max(maxK, d.k);
        }
        backend.forward(batch, cache, logits);
        for (int j = 0; j < rows; j++) {
            drafters.get(j).draft[0] = Sampler.argmax(logits, j * rowStride, vocabSize);
        }
        // Draft i follows draft i-1, fed at the position after the sequence's end plus i-1.
        for (int i = 1; i < maxK; i++) {
            batch.clear();
            for (ModelDrafter d : drafters) {
                if (d.k > i) {
                    batch.add(d.draft[i - 1], d.length - 1 + i, d.table, true);
                }
            }
            backend.forward(batch, cache, logits);
            int row = 0;
            for (ModelDrafter d : drafters) {
                if (d.k > i) {
                    d.draft[i] = Sampler.argmax(logits, row++ * rowStride, vocabSize);
                }
            }
        }
        batch.clear();
        for (ModelDrafter d : drafters) {
            d.drafted();
        }
    }

    @Override
    public void close() {
        try (backend; cache) {
            // closes the cache, then the backend, even when one fails
        }
    }
}
