package dev.switchboard.inference.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Function;

/**
 * SentencePiece-style BPE over scored pieces (GGUF {@code tokenizer.ggml.model = "llama"}: Llama 2, TinyStories),
 * as llama.cpp's {@code llm_tokenizer_spm} does it: spaces become U+2581, a space is put in front of the text and
 * after every special token (when {@code add_space_prefix}), adjacent symbols merge highest score first (leftmost on
 * ties) as long as the merged text is a token, and characters that end up in no token fall back to byte tokens.
 */
final class SentencePieceTokenizer extends VocabularyTokenizer {
    private static final char SPACE_MARK = '\u2581';

    private final Map<String, Integer> ids;
    private final float[] scores;
    private final int[] byteTokens;
    private final int unk;
    private final boolean addSpacePrefix;

    SentencePieceTokenizer(String[] tokens, float[] scores, byte[] types, int bos, int eos, int unk,
                           Set<Integer> stopTokens, boolean addBos, boolean addSpacePrefix,
                           Function<String, RuntimeException> fail) {
        Map<String, Integer> ids = new HashMap<>(tokens.length * 2);
        byte[][] pieces = new byte[tokens.length][];
        int[] byteTokens = new int[256];
        Arrays.fill(byteTokens, -1);
        byte[] kind = new byte[tokens.length];
        for (int id = 0; id < tokens.length; id++) {
            String t = tokens[id];
            ids.put(t, id);
            switch (types[id]) {
                case TokenType.NORMAL -> pieces[id] = t.replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
                case TokenType.BYTE -> {
                    if (!t.matches("<0x[0-9A-Fa-f]{2}>")) {
                        throw fail.apply("tokenizer.ggml.tokens[" + id + "] '" + t
                                + "' is a byte token but not spelled <0xNN>");
                    }
                    int b = Integer.parseInt(t.substring(3, 5), 16);
                    pieces[id] = new byte[]{(byte) b};
                    byteTokens[b] = id;
                }
                case TokenType.UNUSED -> pieces[id] = new byte[0];
                default -> {
                    pieces[id] = t.getBytes(StandardCharsets.UTF_8);
                    kind[id] = (byte) (types[id] == TokenType.USER_DEFINED ? 2 : 1);
                }
            }
        }
        super(pieces, types.clone(), new SpecialTokens(tokens, kind), bos, eos, stopTokens, addBos);
        this.ids = ids;
        this.byteTokens = byteTokens;
        this.scores = scores.clone();
        this.unk = unk;
        this.addSpacePrefix = addSpacePrefix;
    }

    @Override
    public int[] encode(String text, boolean allowSpecial) {
        IntList out = new IntList();
        boolean afterSpecial = true; // the text's start counts as following a special token
        int pos = 0;
        while (pos < text.length()) {
            long match = specials.find(text, pos, text.length(), allowSpecial);
            int segmentEnd = match < 0 ? text.length() : (int) (match >>> 32);
            if (segmentEnd > pos) {
                String raw = text.substring(pos, segmentEnd);
                if (addSpacePrefix && afterSpecial) {
                    raw = " " + raw;
                }
                mergeSymbols(raw.replace(' ', SPACE_MARK), out);
                afterSpecial = false;
            }
            if (match < 0) {
                break;
            }
            int id = (int) match;
            out.add(id);
            afterSpecial = true;
            pos = segmentEnd + specials.text(id).length();
        }
        return out.toArray();
    }

    private record Bigram(int left, int right, float score, int length) {}

    /** llama.cpp's bigram loop; symbols are code points, named by their first char's index. */
    private void mergeSymbols(String s, IntList out) {
        int n = s.length();
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        int last = -1;
        for (int i = 0; i < n; ) {
            int c = Character.charCount(s.codePointAt(i));
            len[i] = c;
            prev[i] = last;
            if (last >= 0) {
                next[last] = i;
            }
            last = i;
            i += c;
        }
        next[last] = -1;
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score
                ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 0; next[i] >= 0; i = next[i]) {
            offer(queue, s, i, next[i], len);
        }
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (len[b.left] == 0 || len[b.right] == 0 || len[b.left] + len[b.right] != b.length) {
                continue; // one side was merged elsewhere since this pair was queued
            }
            len[b.left] += len[b.right];
            len[b.right] = 0;
            next[b.left] = next[b.right];
            if (next[b.right] >= 0) {
                prev[next[b.right]] = b.left;
            }
            if (prev[b.left] >= 0) {
                offer(queue, s, prev[b.left], b.left, len);
            }
            if (next[b.left] >= 0) {
                offer(queue, s, b.left, next[b.left], len);
            }
        }
        // a merged symbol is always a token, so only single characters can miss the vocabulary
        for (int i = 0; i >= 0; i = next[i]) {
            String symbol = s.substring(i, i + len[i]);
            Integer id = ids.get(symbol);
            if (id != null) {
                out.add(id);
            } else {
                for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                    out.add(byteToken(b & 0xFF));
                }
            }
        }
    }

    private void offer(PriorityQueue<Bigram> queue, String s, int left, int right, int[] len) {
        Integer id = ids.get(s.substring(left, right + len[right]));
        if (id != null) {
            queue.add(new Bigram(left, right, scores[id], len[left] + len[right]));
        }
    }

    /** The byte token, else a token spelled as that ASCII character, else unknown (where llama.cpp would abort). */
    private int byteToken(int b) {
        if (byteTokens[b] >= 0) {
            return byteTokens[b];
        }
        Integer id = b < 0x80 ? ids.get(String.valueOf((char) b)) : null;
        if (id != null) {
            return id;
        }
        if (unk >= 0) {
            return unk;
        }
        throw new IllegalStateException(String.format("byte 0x%02X has no token and the vocabulary has no unknown token", b));
    }

    @Override
    boolean stripsLeadingSpace() {
        return addSpacePrefix;
    }
}
