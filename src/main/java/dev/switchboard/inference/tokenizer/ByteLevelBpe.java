package dev.switchboard.inference.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Function;

/**
 * Byte-level BPE with the Llama 3 pre-tokenizer, the one algorithm behind both Meta's {@code tokenizer.model}
 * (tiktoken) and GGUF {@code gpt2} vocabularies. Encoding follows Meta's reference: the text is cut where tiktoken's
 * wrapper cuts it (runs of over 25,000 like characters, windows of 400,000), special tokens are split out, each
 * remaining segment is pre-tokenized, a piece that is itself a token becomes that token, and any other piece is
 * merged pair by pair, always the lowest-ranked adjacent pair first (the leftmost on ties). A heap of candidate
 * pairs keeps that linear-logarithmic, so a long word without spaces costs no quadratic rescans.
 */
final class ByteLevelBpe extends VocabularyTokenizer {
    /** Meta's {@code TIKTOKEN_MAX_ENCODE_CHARS}: the reference encodes longer texts in windows of this many. */
    static final int MAX_ENCODE_CHARS = 400_000;
    /** Meta's {@code MAX_NO_WHITESPACES_CHARS}: longer runs of only space or only non-space are cut. */
    static final int MAX_RUN_CHARS = 25_000;

    private final ByteSequenceIndex index;
    private final int[] byteToken = new int[256];
    private final MergeTable merges;

    /**
     * @param pieces per id, the bytes of a normal token, or the UTF-8 text of any other
     * @param types  per id, a {@link TokenType}
     * @param fail   makes the error for an unusable vocabulary (naming its file)
     */
    ByteLevelBpe(byte[][] pieces, byte[] types, MergeTable merges, int bos, int eos, Set<Integer> stopTokens,
                 boolean addBos, Function<String, RuntimeException> fail) {
        boolean[] normal = new boolean[pieces.length];
        String[] texts = new String[pieces.length];
        byte[] kind = new byte[pieces.length];
        for (int id = 0; id < pieces.length; id++) {
            normal[id] = types[id] == TokenType.NORMAL;
            if (TokenType.isSpecial(types[id]) || types[id] == TokenType.USER_DEFINED) {
                texts[id] = new String(pieces[id], StandardCharsets.UTF_8);
                kind[id] = (byte) (types[id] == TokenType.USER_DEFINED ? 2 : 1);
            }
        }
        super(pieces, types, new SpecialTokens(texts, kind), bos, eos, stopTokens, addBos);
        this.merges = merges;
        this.index = new ByteSequenceIndex(pieces, normal);
        byte[] one = new byte[1];
        for (int b = 0; b < 256; b++) {
            one[0] = (byte) b;
            byteToken[b] = index.get(one);
            if (byteToken[b] < 0) {
                throw fail.apply(String.format("byte-level BPE needs a token for every byte, but byte 0x%02X has none", b));
            }
        }
    }

    @Override
    public int[] encode(String text, boolean allowSpecial) {
        IntList out = new IntList();
        Scratch scratch = new Scratch();
        int windowStart = 0;
        while (windowStart < text.length()) {
            int windowEnd = advanceCodePoints(text, windowStart, MAX_ENCODE_CHARS);
            encodeWindow(text, windowStart, windowEnd, allowSpecial, out, scratch);
            windowStart = windowEnd;
        }
        return out.toArray();
    }

    /** Meta's {@code _split_whitespaces_or_nonwhitespaces}: cuts runs of more than MAX_RUN_CHARS like characters. */
    private void encodeWindow(String s, int start, int end, boolean allowSpecial, IntList out, Scratch scratch) {
        int sliceStart = start;
        int runLength = 0;
        boolean runIsSpace = CharClasses.isPythonSpace(s.codePointAt(start));
        for (int p = start; p < end; ) {
            int cp = s.codePointAt(p);
            boolean space = CharClasses.isPythonSpace(cp);
            if (space != runIsSpace) {
                runLength = 1;
                runIsSpace = space;
            } else if (++runLength > MAX_RUN_CHARS) {
                encodeChunk(s, sliceStart, p, allowSpecial, out, scratch);
                sliceStart = p;
                runLength = 1;
            }
            p += Character.charCount(cp);
        }
        encodeChunk(s, sliceStart, end, allowSpecial, out, scratch);
    }

    private void encodeChunk(String s, int start, int end, boolean allowSpecial, IntList out, Scratch scratch) {
        int pos = start;
        while (pos < end) {
            long match = specials.find(s, pos, end, allowSpecial);
            int segmentEnd = match < 0 ? end : (int) (match >>> 32);
            for (int i = pos; i < segmentEnd; ) {
                int j = Llama3Pretokenizer.next(s, i, segmentEnd);
                int len = scratch.utf8(s, i, j);
                mergePiece(scratch, len, out);
                i = j;
            }
            if (match < 0) {
                break;
            }
            int id = (int) match;
            out.add(id);
            pos = segmentEnd + specials.text(id).length();
        }
    }

    /** BPE over {@code scratch.bytes[0, len)}. Parts are named by their first byte's index. */
    private void mergePiece(Scratch sc, int len, IntList out) {
        int whole = index.get(sc.bytes, 0, len);
        if (whole >= 0) {
            out.add(whole);
            return;
        }
        sc.ensureParts(len);
        int[] ids = sc.ids;
        int[] next = sc.next;
        int[] prev = sc.prev;
        int[] version = sc.version;
        for (int i = 0; i < len; i++) {
            ids[i] = byteToken[sc.bytes[i] & 0xFF];
            next[i] = i + 1 < len ? i + 1 : -1;
            prev[i] = i - 1;
            version[i] = 0;
        }
        sc.heapSize = 0;
        for (int i = 0; i + 1 < len; i++) {
            pushPair(sc, i);
        }
        while (sc.heapSize > 0) {
            long key = sc.heapKeys[0];
            int stamp = sc.heapStamps[0];
            int merged = sc.heapMerged[0];
            sc.popHeap();
            int left = (int) key;
            if (version[left] != stamp) {
                continue; // the pair changed since it was queued
            }
            int right = next[left];
            ids[left] = merged;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            version[left]++;
            version[right] = -1; // absorbed: never valid again
            int p = prev[left];
            if (p >= 0) {
                version[p]++;
                pushPair(sc, p);
            }
            pushPair(sc, left);
        }
        for (int i = 0; i >= 0; i = next[i]) {
            out.add(ids[i]);
        }
    }

    private void pushPair(Scratch sc, int left) {
        int right = sc.next[left];
        if (right < 0) {
            return;
        }
        long m = merges.get(sc.ids[left], sc.ids[right]);
        if (m >= 0) {
            sc.pushHeap((m & 0xFFFFFFFF00000000L) | left, sc.version[left], (int) m);
        }
    }

    private static int advanceCodePoints(String s, int from, int count) {
        int p = from;
        for (int n = 0; n < count && p < s.length(); n++) {
            p += Character.charCount(s.codePointAt(p));
        }
        return p;
    }

    /** Per-call working memory, so one tokenizer serves many threads. */
    private static final class Scratch {
        byte[] bytes = new byte[256];
        int[] ids = new int[0];
        int[] next;
        int[] prev;
        int[] version;
        long[] heapKeys = new long[0];
        int[] heapStamps;
        int[] heapMerged;
        int heapSize;

        /** Writes {@code s[from, to)} as UTF-8; a lone surrogate becomes U+FFFD, as tiktoken makes it. */
        int utf8(String s, int from, int to) {
            if (bytes.length < (to - from) * 3) {
                bytes = new byte[(to - from) * 3];
            }
            int n = 0;
            for (int i = from; i < to; ) {
                int c = s.codePointAt(i);
                i += Character.charCount(c);
                if (c < 0x80) {
                    bytes[n++] = (byte) c;
                } else if (c < 0x800) {
                    bytes[n++] = (byte) (0xC0 | c >> 6);
                    bytes[n++] = (byte) (0x80 | c & 0x3F);
                } else if (c < 0x10000) {
                    if (Character.isSurrogate((char) c)) {
                        c = 0xFFFD;
                    }
                    bytes[n++] = (byte) (0xE0 | c >> 12);
                    bytes[n++] = (byte) (0x80 | c >> 6 & 0x3F);
                    bytes[n++] = (byte) (0x80 | c & 0x3F);
                } else {
                    bytes[n++] = (byte) (0xF0 | c >> 18);
                    bytes[n++] = (byte) (0x80 | c >> 12 & 0x3F);
                    bytes[n++] = (byte) (0x80 | c >> 6 & 0x3F);
                    bytes[n++] = (byte) (0x80 | c & 0x3F);
                }
            }
            return n;
        }

        void ensureParts(int len) {
            if (ids.length < len) {
                int cap = Math.max(len, 64);
                ids = new int[cap];
                next = new int[cap];
                prev = new int[cap];
                version = new int[cap];
            }
            // each merge queues at most two pairs, after len - 1 initial ones
            int heapCap = 3 * len;
            if (heapKeys.length < heapCap) {
                heapKeys = new long[heapCap];
                heapStamps = new int[heapCap];
                heapMerged = new int[heapCap];
            }
        }

        /** A min-heap on {@code (rank << 32) | leftIndex}: lowest rank first, then leftmost. */
        void pushHeap(long key, int stamp, int merged) {
            int i = heapSize++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (heapKeys[parent] <= key) {
                    break;
                }
                heapKeys[i] = heapKeys[parent];
                heapStamps[i] = heapStamps[parent];
                heapMerged[i] = heapMerged[parent];
                i = parent;
            }
            heapKeys[i] = key;
            heapStamps[i] = stamp;
            heapMerged[i] = merged;
        }

        void popHeap() {
            int last = --heapSize;
            if (last == 0) {
                return;
            }
            long key = heapKeys[last];
            int stamp = heapStamps[last];
            int merged = heapMerged[last];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= last) {
                    break;
                }
                if (child + 1 < last && heapKeys[child + 1] < heapKeys[child]) {
                    child++;
                }
                if (heapKeys[child] >= key) {
                    break;
                }
                heapKeys[i] = heapKeys[child];
                heapStamps[i] = heapStamps[child];
                heapMerged[i] = heapMerged[child];
                i = child;
            }
            heapKeys[i] = key;
            heapStamps[i] = stamp;
            heapMerged[i] = merged;
        }
    }
}
