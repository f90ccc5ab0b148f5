package dev.switchboard.inference.kv;

import java.util.BitSet;

/**
 * Hands out the physical blocks of one {@link dev.switchboard.inference.model.KvCache} from a free list. Freed blocks
 * are reused first (LIFO), which keeps a small working set warm in caches. Not thread-safe: the generation loop
 * (later the scheduler) owns it.
 */
public final class BlockAllocator {
    private final int numBlocks;
    private final int[] free;
    private final BitSet inUse;
    private int freeCount;

    public BlockAllocator(int numBlocks) {
        if (numBlocks < 1) {
            throw new IllegalArgumentException("numBlocks must be at least 1, got " + numBlocks);
        }
        this.numBlocks = numBlocks;
        this.free = new int[numBlocks];
        this.inUse = new BitSet(numBlocks);
        // Highest first, so the first allocations return 0, 1, 2, ...
        for (int i = 0; i < numBlocks; i++) {
            free[i] = numBlocks - 1 - i;
        }
        this.freeCount = numBlocks;
    }

    public int numBlocks() {
        return numBlocks;
    }

    public int freeBlocks() {
        return freeCount;
    }

    /** A free block, or -1 when all are in use (the caller decides: stop the sequence, preempt another, ...). */
    public int allocate() {
        if (freeCount == 0) {
            return -1;
        }
        int block = free[--freeCount];
        inUse.set(block);
        return block;
    }

    /** Returns blocks to the free list; freeing a block that is not in use is a bug and fails loudly. */
    public void free(int... blocks) {
        for (int b : blocks) {
            if (b < 0 || b >= numBlocks || !inUse.get(b)) {
                throw new IllegalStateException("block " + b + " is not allocated");
            }
            inUse.clear(b);
            free[freeCount++] = b;
        }
    }
}
