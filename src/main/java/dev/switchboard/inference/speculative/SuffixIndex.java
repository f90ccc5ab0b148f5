package dev.switchboard.inference.speculative;

import java.util.Arrays;
import java.util.HashMap;

/**
 * A suffix automaton over a growing text of token documents: finds, in time linear in the text, the longest end of
 * the last document that also occurs earlier, and where. Documents are separated by unique negative separators, so
 * no match spans two documents; the last document may keep growing ({@link #append(int)}) while it is matched.
 *
 * <p>Each state stands for the substrings that end at the same set of positions; it records the first of those end
 * positions, which is where a match's continuation is read from.
 */
final class SuffixIndex {
    private int[] text = new int[64];
    private int textLength;
    private int documents;
    private int[] length = new int[128];
    private int[] link = new int[128];
    private int[] firstEnd = new int[128];
    @SuppressWarnings("unchecked")
    private HashMap<Integer, Integer>[] next = new HashMap[128];
    private int states;
    private int last;

    SuffixIndex() {
        last = newState(0, -1);
        link[last] = -1;
    }

    /** Adds a finished document: its tokens, then a separator no other text matches. */
    void addDocument(int[] tokens) {
        for (int t : tokens) {
            append(t);
        }
        endDocument();
    }

    /** Closes the current document, so that the next tokens start a new one. */
    void endDocument() {
        extend(-1 - documents++);
    }

    /** Appends a token (a non-negative id) to the current document. */
    void append(int token) {
        if (token < 0) {
            throw new IllegalArgumentException("token ids are non-negative, got " + token);
        }
        extend(token);
    }

    int textLength() {
        return textLength;
    }

    /** The token at a text position: an id, or a negative separator. */
    int token(int position) {
        return text[position];
    }

    /**
     * The longest end of the text (at least {@code minLength} tokens) that also ends earlier at a position followed
     * by at least one token of the same document, as {@code {matchLength, earlierEnd}} ({@code earlierEnd} is the
     * index of the occurrence's last token), or null when there is none.
     */
    int[] longestEarlierMatch(int minLength) {
        int end = textLength - 1;
        for (int v = last; v > 0 && length[v] >= minLength; v = link[v]) {
            int first = firstEnd[v];
            if (first < end && text[first + 1] >= 0) {
                return new int[] {length[v], first};
            }
        }
        return null;
    }

    /** The standard online construction: the new state for the whole text, then clones where end sets split. */
    private void extend(int token) {
        if (textLength == text.length) {
            text = Arrays.copyOf(text, textLength * 2);
        }
        int position = textLength;
        text[textLength++] = token;
        int cur = newState(length[last] + 1, position);
        int p = last;
        while (p != -1 && !next[p].containsKey(token)) {
            next[p].put(token, cur);
            p = link[p];
        }
        if (p == -1) {
            link[cur] = 0;
        } else {
            int q = next[p].get(token);
            if (length[p] + 1 == length[q]) {
                link[cur] = q;
            } else {
                int clone = newState(length[p] + 1, firstEnd[q]);
                next[clone].putAll(next[q]);
                link[clone] = link[q];
                while (p != -1 && next[p].get(token) == q) {
                    next[p].put(token, clone);
                    p = link[p];
                }
                link[q] = clone;
                link[cur] = clone;
            }
        }
        last = cur;
    }

    private int newState(int len, int end) {
        if (states == length.length) {
            int c = states * 2;
            length = Arrays.copyOf(length, c);
            link = Arrays.copyOf(link, c);
            firstEnd = Arrays.copyOf(firstEnd, c);
            next = Arrays.copyOf(next, c);
        }
        length[states] = len;
        firstEnd[states] = end;
        next[states] = new HashMap<>(4);
        return states++;
    }
}
