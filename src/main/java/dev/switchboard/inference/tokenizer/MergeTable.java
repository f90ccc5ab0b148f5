package dev.switchboard.inference.tokenizer;

import java.util.Arrays;

/**
 * The BPE merges: (left id, right id) to (rank, merged id). Lower rank merges first. tiktoken vocabularies rank a
 * pair by the rank of the merged bytes; GGUF ones by the merge's index in {@code tokenizer.ggml.merges}. A
 * primitive open-addressing table, because the BPE loop probes it for every adjacent pair.
 */
final class MergeTable {
    private static final long EMPTY = -1L;
    private long[] keys;
    private long[] values;
    private int size;

    MergeTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new long[cap];
        Arrays.fill(keys, EMPTY);
    }

    /** Adds a merge unless the pair already has one (the first, lowest-ranked entry wins, as in llama.cpp). */
    void putIfAbsent(int left, int right, int rank, int merged) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        long key = key(left, right);
        int h = slot(key);
        while (keys[h] != EMPTY) {
            if (keys[h] == key) {
                return;
            }
            h = (h + 1) & (keys.length - 1);
        }
        keys[h] = key;
        values[h] = ((long) rank << 32) | (merged & 0xFFFFFFFFL);
        size++;
    }

    /** {@code (rank << 32) | merged} for the pair, or -1 when the pair does not merge. */
    long get(int left, int right) {
        long key = key(left, right);
        int h = slot(key);
        long k;
        while ((k = keys[h]) != EMPTY) {
            if (k == key) {
                return values[h];
            }
            h = (h + 1) & (keys.length - 1);
        }
        return -1;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 33) & (keys.length - 1);
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new long[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                putIfAbsent((int) (oldKeys[i] >>> 32), (int) oldKeys[i], (int) (oldValues[i] >>> 32), (int) oldValues[i]);
            }
        }
    }
}
