package dev.switchboard.inference.speculative;

/**
 * How many tokens to draft from a match: more when the match is long, and more when this drafter's drafts have
 * been accepted before. Verifying a rejected token costs a position of the batched forward pass, so a drafter
 * whose guesses fail drafts less, and one whose guesses pass drafts up to the limit.
 */
final class DraftLength {
    /** Weight of the newest step in the running acceptance rate. */
    private static final double DECAY = 0.3;
    /** The acceptance rate before any feedback: optimistic, so that drafting starts at all. */
    private double acceptance = 0.7;

    /**
     * @param matchLength tokens of the sequence's end that the source matched (at least 1)
     * @param available tokens the source has after the match
     * @param maxTokens the caller's limit
     */
    int length(int matchLength, int available, int maxTokens) {
        // A match of m tokens earns about m drafted tokens at full acceptance, scaled down by the acceptance rate.
        int wanted = (int) Math.ceil((matchLength + 1) * acceptance * 1.5);
        return Math.max(0, Math.min(Math.min(wanted, available), maxTokens));
    }

    void accepted(int drafted, int accepted) {
        if (drafted > 0) {
            acceptance = (1 - DECAY) * acceptance + DECAY * ((double) accepted / drafted);
        }
    }
}
