package dev.switchboard.inference.speculative;

/**
 * Prompt lookup: finds the sequence's last n tokens earlier in the sequence (prompt and generated tokens) and
 * proposes what followed them there. Longest n-gram first, most recent occurrence first: support answers quote the
 * question, the documents in the prompt and themselves, and the latest occurrence is the likeliest to continue alike.
 */
public final class PromptLookupDrafter implements Drafter {
    public static final int DEFAULT_MAX_NGRAM = 4;
    public static final int DEFAULT_MIN_NGRAM = 2;
    private final int maxNgram;
    private final int minNgram;
    private final DraftLength draftLength = new DraftLength();

    public PromptLookupDrafter() {
        this(DEFAULT_MAX_NGRAM, DEFAULT_MIN_NGRAM);
    }

    public PromptLookupDrafter(int maxNgram, int minNgram) {
        if (minNgram < 1 || maxNgram < minNgram) {
            throw new IllegalArgumentException("n-gram sizes need 1 <= minNgram <= maxNgram, got " + minNgram + ".."
                    + maxNgram);
        }
        this.maxNgram = maxNgram;
        this.minNgram = minNgram;
    }

    @Override
    public int propose(int[] tokens, int length, int maxTokens, int[] draft) {
        for (int n = Math.min(maxNgram, length - 1); n >= minNgram; n--) {
            // The occurrence ends at end (exclusive) before the sequence's own last n tokens; latest first.
            for (int end = length - 1; end >= n; end--) {
                if (matches(tokens, end - n, length - n, n)) {
                    int k = draftLength.length(n, length - end, maxTokens);
                    System.arraycopy(tokens, end, draft, 0, k);
                    return k;
                }
            }
        }
        return 0;
    }

    private static boolean matches(int[] tokens, int a, int b, int n) {
        for (int i = 0; i < n; i++) {
            if (tokens[a + i] != tokens[b + i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void accepted(int drafted, int accepted) {
        draftLength.accepted(drafted, accepted);
    }
}
