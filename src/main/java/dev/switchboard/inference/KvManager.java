package dev.switchboard.inference;

import dev.switchboard.inference.kv.KvBlockPool;
import dev.switchboard.inference.model.BlockTable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The KV cache's bookkeeping for the engine loop: each request's block table, the blocks admission reserved for it,
 * the prefix-cache hashes of its full blocks, and rolling back blocks that only rejected drafts touched. Wraps the
 * {@link KvBlockPool}; the engine loop owns it.
 *
 * <p>KV memory is admitted, not hoped for: a request enters only when the blocks it may need in the worst case
 * (prompt plus max tokens) fit beside what the admitted ones may still claim, so {@link #growTo} never runs out of
 * blocks and no request is ever preempted. Blocks of a prompt prefix found in the prefix cache are shared instead
 * of recomputed; the last prompt token is always computed, since its logits give the first token.
 */
final class KvManager {
    private final KvBlockPool pool;
    private final int blockSize;
    /** Requests admitted and not yet freed: their outstanding reservations are spoken for. */
    private final List<Blocks> admitted = new ArrayList<>();

    /** One request's blocks: its table, reservation and the prefix-cache hashes of its full blocks. */
    static final class Blocks {
        final BlockTable table = new BlockTable();
        /** Blocks the request may need at most: positions up to min(prompt + max tokens, context) - 1. */
        final int worstCase;
        /** Hashes of the blocks of {@code table} registered in (or taken from) the prefix cache, in order. */
        private long[] hashes = new long[8];
        private int registered;
        /** Blocks taken from the prefix cache at admission: not the request's to budget. */
        int reused;
        /** Blocks this request allocated and still holds. */
        private int allocated;

        private Blocks(int worstCase) {
            this.worstCase = worstCase;
        }

        /** Blocks the request may still allocate: its share of the cache that admission set aside. */
        private int outstanding() {
            return worstCase - reused - allocated;
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
     * @throws IllegalArgumentException when even the whole cache could not hold it
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
     * Admits the request if its worst case fits beside the reservations of those admitted, taking the prompt's
     * cached full blocks. Returns the prompt positions that are already computed (0 when nothing was cached), or
     * -1 when it does not fit.
     */
    int admit(Blocks b, int[] prompt) {
        // Full blocks before the last prompt token only: that token's logits must be computed.
        int[] hits = pool.lookup(prompt, (prompt.length - 1) / blockSize);
        int spare = pool.availableBlocks() - pool.countEvictable(hits) - outstanding();
        if (b.worstCase - hits.length > spare) {
            return -1;
        }
        pool.acquire(hits);
        long parent = KvBlockPool.ROOT;
        for (int block : hits) {
            b.table.add(block);
            parent = pool.hash(parent, prompt, b.registered * blockSize);
            b.remember(parent);
        }
        b.reused = hits.length;
        admitted.add(b);
        return hits.length * blockSize;
    }

    private int outstanding() {
        int n = 0;
        for (Blocks b : admitted) {
            n += b.outstanding();
        }
        return n;
    }

    /** Grows the table to hold {@code positions}, from the request's reservation. */
    void growTo(Blocks b, int positions) {
        while (b.table.size() * blockSize < positions) {
            int block = pool.allocate();
            if (block < 0) {
                // Admission reserved every block a request can need: running out is a bug, not a full cache.
                throw new IllegalStateException("KV block accounting broken: no block for a request within its "
                        + "reservation of " + b.worstCase);
            }
            b.table.add(block);
            b.allocated++;
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
            b.allocated -= dropped.length;
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

    /** Gives every block of the request back (cached ones stay cached) and ends its reservation. */
    void free(Blocks b) {
        pool.release(b.table.truncate(0));
        b.allocated = 0;
        admitted.remove(b);
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
