package dev.switchboard.inference.model;

/**
 * Backend-owned key/value storage, organised as fixed-size blocks of positions (paged). Which block holds which
 * positions of which sequence is decided above the backend and recorded in {@link BlockTable}s.
 */
public interface KvCache extends AutoCloseable {

    int numBlocks();

    int blockSize();

    @Override
    void close();
}
