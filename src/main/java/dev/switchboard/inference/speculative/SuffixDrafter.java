package dev.switchboard.inference.speculative;

import java.util.List;

/**
 * Suffix decoding: drafts from the longest earlier occurrence of the sequence's end in a suffix index over a
 * corpus of token documents (given up front: a workspace's FAQ answers and earlier answers) and the sequence
 * itself (its prompt and, as they are accepted, its generated tokens). The draft length grows with the match
 * length and with how often this drafter's drafts were accepted.
 */
public final class SuffixDrafter implements Drafter {
    public static final int DEFAULT_MIN_MATCH = 2;
    private final SuffixIndex index = new SuffixIndex();
    private final DraftLength draftLength = new DraftLength();
    private final int minMatch;
    /** How many of the sequence's tokens the index holds. */
    private int indexed;

    /** @param corpus documents to draft from besides the sequence itself */
    public SuffixDrafter(List<int[]> corpus) {
        this(corpus, DEFAULT_MIN_MATCH);
    }

    public SuffixDrafter(List<int[]> corpus, int minMatch) {
        if (minMatch < 1) {
            throw new IllegalArgumentException("minMatch must be at least 1, got " + minMatch);
        }
        this.minMatch = minMatch;
        for (int[] document : corpus) {
            addDocument(document);
        }
    }

    /**
     * Adds a document to draft from (an FAQ answer, an earlier answer). Only before the first proposal: the
     * sequence's own tokens are indexed last, as one growing document.
     */
    public void addDocument(int[] tokens) {
        if (indexed > 0) {
            throw new IllegalStateException("documents must be added before the first proposal");
        }
        index.addDocument(tokens);
    }

    @Override
    public int propose(int[] tokens, int length, int maxTokens, int[] draft) {
        if (length < indexed) {
            throw new IllegalArgumentException("the sequence shrank from " + indexed + " to " + length + " tokens");
        }
        for (; indexed < length; indexed++) {
            index.append(tokens[indexed]);
        }
        int[] match = index.longestEarlierMatch(minMatch);
        if (match == null) {
            return 0;
        }
        int from = match[1] + 1;
        int available = 0;
        while (available < maxTokens && from + available < index.textLength()
                && index.token(from + available) >= 0) {
            available++;
        }
        int k = draftLength.length(match[0], available, maxTokens);
        for (int i = 0; i < k; i++) {
            draft[i] = index.token(from + i);
        }
        return k;
    }

    @Override
    public void accepted(int drafted, int accepted) {
        draftLength.accepted(drafted, accepted);
    }
}
