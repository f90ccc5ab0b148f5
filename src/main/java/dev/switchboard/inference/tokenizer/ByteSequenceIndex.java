package dev.switchboard.inference.tokenizer;

import java.util.Arrays;

/**
 * Token bytes to token id, looked up straight from a slice of a buffer (no key object per lookup: the BPE loop
 * asks this for every piece). Open addressing over ids; the bytes themselves stay in the vocabulary's arrays.
 */
final class ByteSequenceIndex {
    private final byte[][] pieces;
    private final int[] slots;
    private final int mask;

    /** Indexes {@code pieces[id]} for every id with {@code include[id]}; a later id wins over an equal earlier one. */
    ByteSequenceIndex(byte[][] pieces, boolean[] include) {
        this.pieces = pieces;
        int n = 0;
        for (boolean b : include) {
            n += b ? 1 : 0;
        }
        int cap = Integer.highestOneBit(Math.max(4, n * 2 - 1)) << 1;
        slots = new int[cap];
        Arrays.fill(slots, -1);
        mask = cap - 1;
        for (int id = 0; id < pieces.length; id++) {
            if (!include[id]) {
                continue;
            }
            byte[] p = pieces[id];
            int h = hash(p, 0, p.length) & mask;
            while (slots[h] >= 0 && !Arrays.equals(pieces[slots[h]], p)) {
                h = (h + 1) & mask;
            }
            slots[h] = id;
        }
    }

    /** The id of {@code b[off, off + len)}, or -1. */
    int get(byte[] b, int off, int len) {
        int h = hash(b, off, len) & mask;
        int id;
        while ((id = slots[h]) >= 0) {
            byte[] p = pieces[id];
            if (p.length == len && Arrays.equals(p, 0, len, b, off, off + len)) {
                return id;
            }
            h = (h + 1) & mask;
        }
        return -1;
    }

    int get(byte[] b) {
        return get(b, 0, b.length);
    }

    private static int hash(byte[] b, int off, int len) {
        int h = 0x811C9DC5;
        for (int i = off; i < off + len; i++) {
            h = (h ^ b[i]) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }
}
