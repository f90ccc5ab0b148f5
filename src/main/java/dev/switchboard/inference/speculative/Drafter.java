package dev.switchboard.inference.speculative;

/**
 * Proposes tokens that may follow a sequence, cheaply (from the sequence itself or a smaller model); the target model then checks them all
 * in one forward pass ({@link Verifier}). One drafter per sequence: it may keep an index of the sequence's tokens
 * and its own acceptance history. Drafts are deterministic, so verification treats them as one-hot proposals.
 */
public interface Drafter {

    /**
     * Proposes up to {@code maxTokens} tokens that may follow {@code tokens[0..length)} (the prompt, then every
     * accepted token; a later call sees the earlier tokens unchanged), writing them into {@code draft}.
     *
     * @return how many tokens were proposed (0 when nothing matches)
     */
    int propose(int[] tokens, int length, int maxTokens, int[] draft);

    /** Reports how many of the last proposal's {@code drafted} tokens the target accepted. */
    void accepted(int drafted, int accepted);

    /** Gives back what the drafter holds for its sequence (a draft model's KV blocks) when the sequence ends. */
    default void close() {
    }
}
