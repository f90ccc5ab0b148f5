package dev.switchboard.inference.speculative;

/**
 * Speculative decoding settings of an engine or a generation.
 *
 * @param mode which drafter proposes tokens
 * @param maxTokens the most tokens drafted per step (1..{@link #MAX_TOKENS}; the drafter may propose fewer)
 */
public record Speculation(DraftMode mode, int maxTokens) {
    public static final int MAX_TOKENS = 32;
    public static final int DEFAULT_TOKENS = 8;
    public static final Speculation NONE = new Speculation(DraftMode.NONE, DEFAULT_TOKENS);

    public Speculation {
        if (mode == null) {
            mode = DraftMode.NONE;
        }
        if (maxTokens < 1 || maxTokens > MAX_TOKENS) {
            throw new IllegalArgumentException("draft tokens must be 1.." + MAX_TOKENS + ", got " + maxTokens);
        }
    }

    public boolean enabled() {
        return mode != DraftMode.NONE;
    }
}
