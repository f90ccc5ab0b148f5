package dev.switchboard.inference.model;

/** The block geometry every backend's KV cache checks and reports alike; subclasses hold the storage. */
public abstract class PagedKvCache implements KvCache {
    private final int numBlocks;
    private final int blockSize;

    protected PagedKvCache(int numBlocks, int blockSize) {
        checkShape(numBlocks, blockSize);
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
    }

    /** For backends that must reject a shape before they allocate its storage. */
    public static void checkShape(int numBlocks, int blockSize) {
        if (numBlocks < 1 || blockSize < 1) {
            throw new IllegalArgumentException("a KV cache needs at least one block of at least one position, got "
                    + numBlocks + " blocks of " + blockSize);
        }
    }

    @Override
    public final int numBlocks() {
        return numBlocks;
    }

    @Override
    public final int blockSize() {
        return blockSize;
    }
}
