package dev.switchboard.inference;

/** Receives generated text as it becomes final (complete UTF-8 characters, never part of a stop string). */
@FunctionalInterface
public interface TokenListener {
    /** A listener that ignores the text (the caller only wants the {@link GenerationResult}). */
    TokenListener IGNORE = delta -> true;

    /**
     * Called on the engine's scheduler thread with a non-empty piece of text, between batched steps: every running
     * generation waits while it runs, so it must return quickly (hand slow work to another thread). Return false to stop generation (for
     * example when the client is gone); the result then has finish reason {@link FinishReason#CANCELLED}.
     */
    boolean onText(String delta);
}
