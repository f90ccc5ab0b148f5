package dev.switchboard.inference.model;

/**
 * How one sequence turns its logit rows of a pass into tokens: the last prompt position's row gives the first
 * token; a decode pass's k+1 rows verify k drafted tokens and give one more. Implemented by the engine per
 * sequence (sampling parameters, random stream, logits processors); a backend calls it when it picks on the host.
 */
public interface TokenPicker {

    /**
     * Whether the tokens are the argmax of each unmodified row (temperature 0, no logits processors): then a
     * backend may pick them where the logits are (on the device) and verify drafts by comparing ids.
     */
    boolean greedy();

    /**
     * Picks on the host from rows {@code offset, offset + rowStride, ...} of {@code logits}: verifies
     * {@code draft[0..k)} and writes the tokens to emit into {@code out} (the accepted drafts, then a correction or
     * bonus token). Returns how many drafts were accepted; {@code out} holds one more token than that.
     */
    int pick(float[] logits, int offset, int rowStride, int[] draft, int k, int[] out);
}
