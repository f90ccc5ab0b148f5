package dev.switchboard.inference.cuda;

import dev.switchboard.inference.model.PagedKvCache;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Keys and values in device memory, one allocation: per layer K then V, each {@code (numBlocks + 1) * blockSize}
 * slots of {@code kvDim} values (float32 or bf16). Block {@code numBlocks} is the scratch block that padding
 * entries of a CUDA graph write to, so they never touch a sequence's blocks.
 */
final class CudaKvCache extends PagedKvCache {
    private static final AtomicLong IDS = new AtomicLong();

    final long id = IDS.incrementAndGet();
    final long base;
    final boolean bf16;
    final int layers;
    final int kvDim;
    private final Runnable free;
    private boolean closed;

    CudaKvCache(long base, boolean bf16, int layers, int kvDim, int numBlocks, int blockSize, Runnable free) {
        super(numBlocks, blockSize);
        this.base = base;
        this.bf16 = bf16;
        this.layers = layers;
        this.kvDim = kvDim;
        this.free = free;
    }

    /** Bytes of one layer's keys (or values), the scratch block included. */
    static long layerBytes(int numBlocks, int blockSize, int kvDim, boolean bf16) {
        return (numBlocks + 1L) * blockSize * kvDim * (bf16 ? 2 : 4);
    }

    static long totalBytes(int layers, int numBlocks, int blockSize, int kvDim, boolean bf16) {
        return 2L * layers * layerBytes(numBlocks, blockSize, kvDim, bf16);
    }

    long keys(int layer) {
        return base + 2L * layer * layerBytes(numBlocks(), blockSize(), kvDim, bf16);
    }

    long values(int layer) {
        return keys(layer) + layerBytes(numBlocks(), blockSize(), kvDim, bf16);
    }

    /** The physical block index padding entries use. */
    int scratchBlock() {
        return numBlocks();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            free.run();
        }
    }
}
