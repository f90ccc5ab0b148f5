package dev.switchboard.llm;

/**
 * A finished answer.
 *
 * @param text the whole text, the concatenation of all deltas
 * @param usage token counts, {@link Usage#UNKNOWN} when the model did not report them
 * @param acceptanceLength tokens gained per decode pass with speculative decoding (1 without it); NaN when the model
 *                         does not report it (only the in-process engine does)
 */
public record ChatResult(String text, FinishReason finishReason, Usage usage, double acceptanceLength) {

    public ChatResult(String text, FinishReason finishReason, Usage usage) {
        this(text, finishReason, usage, Double.NaN);
    }

    public enum FinishReason {
        /** The model ended its answer. */
        STOP,
        /** The token limit cut the answer short. */
        LENGTH,
        /** The provider withheld content. */
        CONTENT_FILTER,
        /** The caller cancelled the stream. */
        CANCELLED,
        /** A reason this client does not know (tool calls and the like). */
        OTHER
    }

    /** Token counts; -1 where unknown. */
    public record Usage(int promptTokens, int completionTokens) {
        public static final Usage UNKNOWN = new Usage(-1, -1);
    }
}
