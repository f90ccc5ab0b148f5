package dev.switchboard.inference.model;

import java.util.Arrays;

/**
 * The physical KV blocks of one sequence, in logical order: position {@code p} lives in block
 * {@code block(p / blockSize)} at slot {@code p % blockSize}. Owned and grown by whoever schedules the sequence.
 */
public final class BlockTable {
    private int[] blocks = new int[8];
    private int size;

    public int size() {
        return size;
    }

    public int block(int logicalIndex) {
        if (logicalIndex >= size) {
            throw new IndexOutOfBoundsException("logical block " + logicalIndex + " of " + size);
        }
        return blocks[logicalIndex];
    }

    public void add(int physicalBlock) {
        if (size == blocks.length) {
            blocks = Arrays.copyOf(blocks, size * 2);
        }
        blocks[size++] = physicalBlock;
    }

    /** Drops the last blocks so that {@code newSize} remain; returns the dropped ones. */
    public int[] truncate(int newSize) {
        int[] dropped = Arrays.copyOfRange(blocks, newSize, size);
        size = newSize;
        return dropped;
    }

    /** The physical blocks, in logical order. */
    public int[] toArray() {
        return Arrays.copyOf(blocks, size);
    }
}
