package dev.switchboard.inference;

/**
 * The outcome of one generation.
 *
 * @param text the emitted text (stop strings and what follows them excluded)
 * @param tokens the generated token ids, including a final stop token
 * @param promptTokens how many tokens the prompt had
 * @param timeToFirstTokenNanos from the start of prefill to the first sampled token (0 if cancelled before)
 * @param decodeNanos from the first sampled token to the end
 */
public record GenerationResult(
        String text,
        int[] tokens,
        FinishReason finishReason,
        int promptTokens,
        long timeToFirstTokenNanos,
        long decodeNanos) {

    public int completionTokens() {
        return tokens.length;
    }

    public double timeToFirstTokenMillis() {
        return timeToFirstTokenNanos / 1e6;
    }

    /** Tokens per second of the decode phase: every token after the first costs one forward pass. */
    public double decodeTokensPerSecond() {
        return tokens.length < 2 || decodeNanos == 0 ? 0 : (tokens.length - 1) * 1e9 / decodeNanos;
    }
}
