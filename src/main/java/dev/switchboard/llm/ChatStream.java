package dev.switchboard.llm;

/** One answer being generated. */
public interface ChatStream {

    /**
     * Blocks until the answer is complete. A cancelled stream returns what it had with
     * {@link ChatResult.FinishReason#CANCELLED}.
     *
     * @throws ChatModelException when the model failed, timed out, or the waiting thread was interrupted (the stream
     *                            is then cancelled)
     */
    ChatResult await();

    /** Stops generating as soon as possible and frees the model's resources; no delta follows. Idempotent. */
    void cancel();
}
