package dev.switchboard.inference.kv;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KvBlockPoolTest {
    private static final int BS = 4;

    /** Allocates and registers blocks for {@code tokens} (whole blocks), as a sequence that computed them would. */
    private static int[] fill(KvBlockPool pool, int[] tokens) {
        int[] blocks = new int[tokens.length / BS];
        long parent = KvBlockPool.ROOT;
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = pool.allocate();
            parent = pool.register(blocks[i], parent, tokens, i * BS);
        }
        return blocks;
    }

    @Test
    void aRegisteredPrefixIsFoundBlockByBlockAndOnlyWithTheSameTokensBefore() {
        KvBlockPool pool = new KvBlockPool(8, BS, true);
        int[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        int[] blocks = fill(pool, a);
        assertEquals(3, pool.cachedBlocks());
        assertArrayEquals(blocks, pool.lookup(a, 3));
        assertArrayEquals(new int[] {blocks[0], blocks[1]}, pool.lookup(a, 2), "at most maxBlocks");
        assertArrayEquals(new int[] {blocks[0]}, pool.lookup(new int[] {1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12}, 3),
                "a difference in block 1 ends the match there");
        assertArrayEquals(new int[0], pool.lookup(new int[] {0, 2, 3, 4, 5, 6, 7, 8}, 2),
                "block 1 holds the same tokens but follows another block 0: its keys and values differ");
    }

    @Test
    void referencesPinBlocksAndReleasedOnesAreEvictedLeastRecentlyUsedFirstDeepestFirst() {
        KvBlockPool pool = new KvBlockPool(4, BS, true);
        int[] a = {1, 2, 3, 4, 5, 6, 7, 8};
        int[] seqA = fill(pool, a);
        assertEquals(1, pool.refs(seqA[0]));
        int[] hits = pool.lookup(a, 2);
        assertEquals(0, pool.countEvictable(hits), "still referenced by the sequence that computed them");
        pool.acquire(hits);
        assertEquals(2, pool.refs(seqA[1]));
        pool.release(seqA);
        assertEquals(0, pool.evictableBlocks(), "the second sequence still reads them");
        pool.release(hits);
        assertEquals(List.of(seqA[1], seqA[0]), pool.evictionOrder(), "the later block goes first");
        assertEquals(4, pool.availableBlocks());
        int[] b = {9, 9, 9, 9};
        int[] seqB = fill(pool, b);
        pool.release(seqB);
        assertEquals(List.of(seqA[1], seqA[0], seqB[0]), pool.evictionOrder());
        // The one free block first, then evictions in order.
        pool.allocate();
        assertEquals(0, pool.evictions());
        assertEquals(seqA[1], pool.allocate());
        assertEquals(1, pool.evictions());
        assertArrayEquals(new int[] {seqA[0]}, pool.lookup(a, 2), "the evicted block is no longer found");
        assertEquals(-1, pool.refs(seqA[1]));
        assertEquals(seqA[0], pool.allocate());
        assertEquals(seqB[0], pool.allocate());
        assertEquals(-1, pool.allocate(), "every block is private now");
    }

    @Test
    void referenceCountsNeverGoNegative() {
        KvBlockPool pool = new KvBlockPool(2, BS, true);
        int[] blocks = fill(pool, new int[] {1, 2, 3, 4});
        pool.release(blocks);
        assertEquals(0, pool.refs(blocks[0]));
        assertThrows(IllegalStateException.class, () -> pool.release(blocks));
        assertEquals(0, pool.refs(blocks[0]));
        assertThrows(IllegalStateException.class, () -> pool.release(1), "a free private block");
    }

    @Test
    void anEqualBlockComputedTwiceStaysPrivateTheSecondTime() {
        KvBlockPool pool = new KvBlockPool(4, BS, true);
        int[] t = {1, 2, 3, 4};
        int[] first = fill(pool, t);
        int[] second = fill(pool, t);
        assertEquals(1, pool.cachedBlocks());
        assertEquals(-1, pool.refs(second[0]));
        pool.release(second);
        assertEquals(3, pool.freeBlocks(), "the private copy went straight back to the free list");
        pool.release(first);
        assertEquals(1, pool.evictableBlocks());
    }

    @Test
    void withoutCachingEveryBlockIsPrivate() {
        KvBlockPool pool = new KvBlockPool(2, BS, false);
        int[] t = {1, 2, 3, 4};
        int[] blocks = fill(pool, t);
        assertEquals(0, pool.cachedBlocks());
        assertArrayEquals(new int[0], pool.lookup(t, 1));
        pool.release(blocks);
        assertEquals(2, pool.freeBlocks());
    }
}
