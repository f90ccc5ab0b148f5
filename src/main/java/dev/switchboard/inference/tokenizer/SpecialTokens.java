package dev.switchboard.inference.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds spelled-out special tokens in text: the leftmost occurrence wins, and the longest token at that position
 * (tiktoken's rule). Tokens marked {@code always} (GGUF user-defined tokens) are found even when special parsing is
 * off, as llama.cpp does; control tokens only when it is on.
 */
final class SpecialTokens {
    private record Entry(String text, int id, boolean always) {}

    private final String[] texts;
    private final Map<String, Integer> ids = new HashMap<>();
    /** Candidates by first UTF-16 unit, longest first. */
    private final Map<Character, Entry[]> byFirst = new HashMap<>();
    private final boolean[] firstChar = new boolean[0x10000];
    private final boolean anyAlways;

    /**
     * @param texts token texts by id (null or empty for ids that are not candidates)
     * @param kind  per id: 0 not matched in text, 1 matched only when special parsing is on, 2 always matched
     */
    SpecialTokens(String[] texts, byte[] kind) {
        this.texts = texts.clone();
        Map<Character, List<Entry>> lists = new HashMap<>();
        boolean always = false;
        for (int id = 0; id < texts.length; id++) {
            String t = texts[id];
            if (kind[id] == 0 || t == null || t.isEmpty()) {
                continue;
            }
            Entry e = new Entry(t, id, kind[id] == 2);
            always |= e.always;
            ids.putIfAbsent(t, id);
            lists.computeIfAbsent(t.charAt(0), k -> new ArrayList<>()).add(e);
            firstChar[t.charAt(0)] = true;
        }
        lists.forEach((c, l) -> {
            l.sort(Comparator.comparingInt((Entry e) -> -e.text.length()).thenComparingInt(e -> e.id));
            byFirst.put(c, l.toArray(Entry[]::new));
        });
        anyAlways = always;
    }

    /** The text of a matched token, for the length a match covers. */
    String text(int id) {
        return texts[id];
    }

    /** The id of the token spelled {@code text}, or -1. */
    int id(String text) {
        return ids.getOrDefault(text, -1);
    }

    /**
     * The leftmost match in {@code s[from, to)} as {@code (position << 32) | id}, or -1. The match length is the
     * length of that token's text.
     */
    long find(String s, int from, int to, boolean allowSpecial) {
        if (!allowSpecial && !anyAlways) {
            return -1;
        }
        for (int p = from; p < to; p++) {
            char c = s.charAt(p);
            if (!firstChar[c]) {
                continue;
            }
            for (Entry e : byFirst.get(c)) {
                if ((allowSpecial || e.always) && e.text.length() <= to - p && s.startsWith(e.text, p)) {
                    return ((long) p << 32) | e.id;
                }
            }
        }
        return -1;
    }
}
