package dev.switchboard.inference;

/** Why a generation ended. */
public enum FinishReason {
    /** A stop token (end of text or of turn) or a stop string. */
    STOP("stop"),
    /** The token limit was reached or the context is full. */
    LENGTH("length"),
    /** The caller cancelled (listener returned false, cancel handle, client disconnected). */
    CANCELLED("cancelled");

    private final String wireName;

    FinishReason(String wireName) {
        this.wireName = wireName;
    }

    /** The value of OpenAI's {@code finish_reason}. */
    public String wireName() {
        return wireName;
    }
}
