package dev.switchboard.inference;

import dev.switchboard.inference.kv.KvBlockPool;
import dev.switchboard.inference.model.BlockTable;

import java.util.Arrays;

/**
 * The KV cache's bookkeeping for the engine loop: each request's block table, the prefix-cache hashes of its full
 * blocks, and rolling back blocks that only rejected drafts touched. Wraps the {@link KvBlockPool}; the engine loop
 * owns it.
 *
 * <p>KV memory is admitted by use, as vLLM v1 does: a request enters when the positions it must compute now (its
 * prompt, or what a preempted request recomputes) plus a block of headroom fit, and its table grows as it
 * generates. When a step cannot get a block ({@link #tryGrowTo} false), the {@link Scheduler} preempts a request
 * by recompute. Blocks of a prefix found in the prefix cache are shared instead of recomputed; the last position
 * before decoding is always computed.
 */
final class KvManager {
    /** Blocks beyond its prompt that a request needs free to be admitted: room for its first decode steps. */
    static final int HEADROOM_BLOCKS = 1;

    private final KvBlockPool pool;
    private final int blockSize;

    /** One request's blocks: its table and the prefix-cache hashes of its full blocks. */
    static final class Blocks {
        final BlockTable table = new BlockTable();
        /** Blocks the request may need at most: positions up to min(prompt + max tokens, context) - 1. */
        private final int worstCase;
        /** Hashes of the blocks of {@code table} registered in (or taken from) the prefix cache, in order. */
        private long[] hashes = new long[8];
        private int registered;

        private Blocks(int worstCase) {
            this.worstCase = worstCase;
        }

        private void remember(long hash) {
            if (registered == hashes.length) {
                hashes = Arrays.copyOf(hashes, registered * 2);
            }
            hashes[registered++] = hash;
        }
    }

    KvManager(KvBlockPool pool) {
        this.pool = pool;
        this.blockSize = pool.blockSize();
    }

    /**
     * The blocks of a request with {@code promptLength + maxTokens} positions at most (capped by the context).
     *
     * @throws IllegalArgumentException when even the whole cache could not hold it (alone it could never finish)
     */
    Blocks blocksFor(int promptLength, int maxTokens, int contextLength) {
        int worst = Math.ceilDiv(Math.min(promptLength + maxTokens, contextLength) - 1, blockSize);
        if (worst > pool.numBlocks()) {
            throw new IllegalArgumentException("the request needs up to " + worst + " KV blocks of " + blockSize
                    + " positions (prompt " + promptLength + " + max tokens " + maxTokens + "), the KV cache has "
                    + pool.numBlocks() + ": lower max_tokens");
        }
        return new Blocks(worst);
    }

    /**
     * Admits the request if the blocks for {@code tokens[0..length)} not in the prefix cache, plus
     * {@link #HEADROOM_BLOCKS} (never beyond what the request can need), can be had now: takes the cached full blocks and allocates the rest. Returns the
     * positions already computed (0 when nothing was cached), or -1 when it does not fit.
     */
    int admit(Blocks b, int[] tokens, int length) {
        // Full blocks before the last position only: that position's output must be computed.
        int[] hits = pool.lookup(tokens, (length - 1) / blockSize);
        int spare = pool.availableBlocks() - pool.countEvictable(hits);
        int needed = Math.min(Math.ceilDiv(length, blockSize) + HEADROOM_BLOCKS, b.worstCase);
        if (needed - hits.length > spare) {
            return -1;
        }
        pool.acquire(hits);
        long parent = KvBlockPool.ROOT;
        for (int block : hits) {
            b.table.add(block);
            parent = pool.hash(parent, tokens, b.registered * blockSize);
            b.remember(parent);
        }
        if (!tryGrowTo(b, length)) {
            throw new IllegalStateException("KV block accounting broken: " + spare + " blocks were available");
        }
        return hits.length * blockSize;
    }

    /**
     * Grows the table to hold {@code positions}; false when the pool has no block left (what it could get stays
     * in the table).
     */
    boolean tryGrowTo(Blocks b, int positions) {
        while (b.table.size() * blockSize < positions) {
            int block = pool.allocate();
            if (block < 0) {
                return false;
            }
            b.table.add(block);
        }
        return true;
    }

    /** Grows the table to hold {@code positions}, which the scheduler made room for this step. */
    void growTo(Blocks b, int positions) {
        if (!tryGrowTo(b, positions)) {
            throw new IllegalStateException("KV block accounting broken: no block for positions the scheduler "
                    + "made room for");
        }
    }

    /**
     * Rolls back to {@code valid} positions: keys and values past them (rejected drafts) are stale; later passes
     * overwrite them, and whole blocks holding only stale positions go back to the pool now.
     */
    void rollbackTo(Blocks b, int valid) {
        int keep = Math.ceilDiv(valid, blockSize);
        if (b.table.size() > keep) {
            int[] dropped = b.table.truncate(keep);
            pool.release(dropped);
        }
    }

    /**
     * Offers the blocks whose positions all hold final keys and values ({@code tokens[0..valid)}) to the prefix
     * cache.
     */
    void registerFullBlocks(Blocks b, int[] tokens, int valid) {
        if (!pool.caching()) {
            return;
        }
        while ((b.registered + 1) * blockSize <= valid) {
            long parent = b.registered == 0 ? KvBlockPool.ROOT : b.hashes[b.registered - 1];
            b.remember(pool.register(b.table.block(b.registered), parent, tokens, b.registered * blockSize));
        }
    }

    /** Gives every block of the request back (cached ones stay cached); a freed table may be admitted again. */
    void free(Blocks b) {
        pool.release(b.table.truncate(0));
        b.registered = 0;
    }

    int freeBlocks() {
        return pool.freeBlocks();
    }

    int evictableBlocks() {
        return pool.evictableBlocks();
    }

    int cachedBlocks() {
        return pool.cachedBlocks();
    }

    long evictions() {
        return pool.evictions();
    }
}
