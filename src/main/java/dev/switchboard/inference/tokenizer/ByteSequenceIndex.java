package dev.switchboard.inference.tokenizer;

import java.util.Arrays;

/**
 * Token bytes to token id, looked up straight from a slice of a buffer (no key object per lookup: the BPE loop
 * asks this for every piece). Open addressing over ids; the bytes themselves stay in the vocabulary's arrays.
 */
final class ByteSequenceIndex {
    private final byte[][] pieces;
    private final int[] slots;
    /** The full hash of each slot's bytes: most probes then end without comparing bytes. */
    private final int[] slotHashes;
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
        slotHashes = new int[cap];
        Arrays.fill(slots, -1);
        mask = cap - 1;
        for (int id = 0; id < pieces.length; id++) {
            if (!include[id]) {
                continue;
            }
            byte[] p = pieces[id];
            int full = hash(p, 0, p.length);
            int h = full & mask;
            while (slots[h] >= 0 && !(slotHashes[h] == full && Arrays.equals(pieces[slots[h]], p))) {
                h = (h + 1) & mask;
            }
            slots[h] = id;
            slotHashes[h] = full;
        }
    }

    /** The id of {@code b[off, off + len)}, or -1. */
    int get(byte[] b, int off, int len) {
        int full = hash(b, off, len);
        int h = full & mask;
        int id;
        while ((id = slots[h]) >= 0) {
            byte[] p = pieces[id];
            if (slotHashes[h] == full && p.length == len && Arrays.equals(p, 0, len, b, off, off + len)) {
                return id;
            }
            h = (h + 1) & mask;
        }
        return -1;
    }

    int get(byte[] b) {
        return get(b, 0, b.length);
    }

    /** FNV-1a, then MurmurHash3's finalizer so that short keys spread over the low bits the table uses. */
    private static int hash(byte[] b, int off, int len) {
        int h = 0x811C9DC5;
        for (int i = off; i < off + len; i++) {
            h = (h ^ b[i]) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }
}
