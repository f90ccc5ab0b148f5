package dev.switchboard.inference.sampling;

/**
 * Adjusts one row of logits in place before a token is picked from it (penalties, biases, grammar masks). Runs on
 * the host, in the engine loop, once for every row a sequence samples or verifies a draft token from; a sequence
 * with processors is never picked on a device.
 */
@FunctionalInterface
public interface LogitsProcessor {

    /**
     * @param tokens the prompt, then the tokens before this row: {@code tokens[0..length)} (for a verified draft,
     *     the drafted tokens before the row are included)
     * @param promptLength where the generated tokens start in {@code tokens}
     * @param logits the row is {@code logits[offset .. offset + vocabSize)}
     */
    void process(int[] tokens, int promptLength, int length, float[] logits, int offset, int vocabSize);
}
