package dev.switchboard.inference;

/**
 * The outcome of one generation.
 *
 * @param text the emitted text (stop strings and what follows them excluded)
 * @param tokens the generated token ids, including a final stop token
 * @param promptTokens how many tokens the prompt had
 * @param timeToFirstTokenNanos from the request's arrival at the engine (time queued for KV cache room included)
 *     to the first sampled token (0 if cancelled before)
 * @param decodeNanos from the first sampled token to the end
 * @param decodePasses forward passes after prefill (each verifies a draft, possibly empty)
 * @param draftedTokens tokens speculative drafting proposed
 * @param acceptedTokens drafted tokens verification accepted
 * @param cachedPromptTokens prompt tokens whose keys and values came from the prefix cache (not computed)
 */
public record GenerationResult(
        String text,
        int[] tokens,
        FinishReason finishReason,
        int promptTokens,
        long timeToFirstTokenNanos,
        long decodeNanos,
        int decodePasses,
        int draftedTokens,
        int acceptedTokens,
        int cachedPromptTokens) {

    public int completionTokens() {
        return tokens.length;
    }

    /**
     * Tokens gained per decode pass: 1 without speculation, 1 + accepted drafts per pass with it (the speed-up
     * bound when verifying k+1 positions costs as much as decoding one).
     */
    public double acceptanceLength() {
        return decodePasses == 0 ? 0 : (double) (decodePasses + acceptedTokens) / decodePasses;
    }

    public double timeToFirstTokenMillis() {
        return timeToFirstTokenNanos / 1e6;
    }

    /** The mean time between two tokens of this generation's stream (0 with fewer than two tokens). */
    public double meanInterTokenMillis() {
        return tokens.length < 2 ? 0 : decodeNanos / 1e6 / (tokens.length - 1);
    }

    /** Tokens per second of the decode phase: tokens after the first, whatever number of forward passes they took. */
    public double decodeTokensPerSecond() {
        return tokens.length < 2 || decodeNanos == 0 ? 0 : (tokens.length - 1) * 1e9 / decodeNanos;
    }
}
