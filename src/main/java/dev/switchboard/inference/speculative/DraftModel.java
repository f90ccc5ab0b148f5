package dev.switchboard.inference.speculative;

import dev.switchboard.inference.kv.BlockAllocator;
import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.sampling.Sampler;

/**
 * A smaller model with the target's tokenizer, loaded once per engine, that drafts for every sequence through its
 * own KV cache ({@link ModelDrafter} holds one sequence's blocks). Used only from the scheduler thread, like the
 * target's backend.
 */
public final class DraftModel implements AutoCloseable {
    private final Backend backend;
    private final KvCache cache;
    private final BlockAllocator blocks;
    private final int blockSize;
    private final int vocabSize;
    private final int chunk;
    private final ForwardBatch batch;
    private final float[] logits;

    /**
     * @param numBlocks KV blocks for all sequences together (as many as the target's: a draft never runs further
     *     than the target's positions)
     * @param vocabSize the tokenizer's vocabulary: drafts are only its ids
     * @param chunk positions per forward pass when the draft catches up on a prompt
     */
    public DraftModel(Backend backend, int numBlocks, int blockSize, int vocabSize, int chunk) {
        if (backend.config().vocabSize() < vocabSize) {
            throw new IllegalArgumentException("the draft model's output has " + backend.config().vocabSize()
                    + " tokens, the tokenizer " + vocabSize + ": not the same tokenizer");
        }
        this.backend = backend;
        this.cache = backend.newKvCache(numBlocks, blockSize);
        this.blocks = new BlockAllocator(numBlocks);
        this.blockSize = blockSize;
        this.vocabSize = vocabSize;
        this.chunk = chunk;
        this.batch = new ForwardBatch(chunk);
        this.logits = new float[backend.config().vocabSize()];
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
     * Feeds {@code tokens[from, to)} at positions {@code position, position + 1, ...} and returns the greedy next
     * token after them (the argmax over the tokenizer's ids).
     */
    int feed(int[] tokens, int from, int to, int position, BlockTable table) {
        for (int start = from; start < to; start += chunk) {
            int end = Math.min(to, start + chunk);
            batch.clear();
            for (int i = start; i < end; i++) {
                batch.add(tokens[i], position + i - from, table, i == to - 1);
            }
            backend.forward(batch, cache, logits);
        }
        batch.clear();
        return Sampler.argmax(logits, 0, vocabSize);
    }

    @Override
    public void close() {
        try (backend; cache) {
            // closes the cache, then the backend, even when one fails
        }
    }
}
