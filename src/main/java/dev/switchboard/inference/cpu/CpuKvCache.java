package dev.switchboard.inference.cpu;

import dev.switchboard.inference.model.PagedKvCache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Keys and values as off-heap float32, per layer: slot {@code s = block * blockSize + position % blockSize} holds
 * {@code kvDim} floats, so a block is a contiguous run of positions.
 */
final class CpuKvCache extends PagedKvCache {
    private final Arena arena = Arena.ofShared();
    private final int kvDim;
    final MemorySegment[] keys;
    final MemorySegment[] values;

    CpuKvCache(int layers, int kvDim, int numBlocks, int blockSize) {
        super(numBlocks, blockSize);
        this.kvDim = kvDim;
        long bytes = Math.multiplyExact(Math.multiplyExact((long) numBlocks, blockSize), kvDim * 4L);
        keys = new MemorySegment[layers];
        values = new MemorySegment[layers];
        try {
            for (int l = 0; l < layers; l++) {
                keys[l] = arena.allocate(bytes, 64);
                values[l] = arena.allocate(bytes, 64);
            }
        } catch (OutOfMemoryError e) {
            arena.close();
            throw new IllegalArgumentException("cannot allocate a KV cache of " + numBlocks + " blocks of " + blockSize
                    + " positions (" + 2 * layers * bytes / (1 << 20) + " MiB off-heap)", e);
        }
    }

    /** Byte offset of the slot of {@code position} in physical block {@code block}. */
    long offset(int block, int position) {
        return ((long) block * blockSize() + position % blockSize()) * kvDim * 4L;
    }

    int kvDim() {
        return kvDim;
    }

    int layers() {
        return keys.length;
    }

    @Override
    public void close() {
        arena.close();
    }
}
