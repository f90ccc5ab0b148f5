package dev.switchboard.inference;

/** Receives generated text as it becomes final (complete UTF-8 characters, never part of a stop string). */
@FunctionalInterface
public interface TokenListener {
    /** A listener that ignores the text (the caller only wants the {@link GenerationResult}). */
    TokenListener IGNORE = delta -> true;

    /**
     * Called on the engine's output thread with a non-empty piece of text: every running generation's text waits
     * while it runs, and the engine loop waits for it within a step, so it must return quickly (hand slow work to
     * another thread). Return false to stop generation (for
     * example when the client is gone); the result then has finish reason {@link FinishReason#CANCELLED}.
     */
    boolean onText(String delta);
}
