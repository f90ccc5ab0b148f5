package dev.switchboard.inference.kv;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BlockAllocatorTest {

    @Test
    void allocatesEveryBlockOnceThenReportsExhaustion() {
        BlockAllocator a = new BlockAllocator(3);
        assertEquals(0, a.allocate());
        assertEquals(1, a.allocate());
        assertEquals(2, a.allocate());
        assertEquals(0, a.freeBlocks());
        assertEquals(-1, a.allocate());
    }

    @Test
    void freedBlocksAreReusedMostRecentFirst() {
        BlockAllocator a = new BlockAllocator(4);
        int b0 = a.allocate();
        int b1 = a.allocate();
        a.free(b0, b1);
        assertEquals(4, a.freeBlocks());
        assertEquals(b1, a.allocate());
        assertEquals(b0, a.allocate());
    }

    @Test
    void doubleFreeAndForeignBlocksFailLoudly() {
        BlockAllocator a = new BlockAllocator(2);
        int b = a.allocate();
        a.free(b);
        assertThrows(IllegalStateException.class, () -> a.free(b));
        assertThrows(IllegalStateException.class, () -> a.free(7));
        assertThrows(IllegalArgumentException.class, () -> new BlockAllocator(0));
    }
}
