package dev.switchboard.inference.sampling;

/**
 * Changes one sequence's row of logits before it is sampled: penalties, biases, masks of constrained decoding. One
 * instance per generation (it may keep state, e.g. token counts or an automaton, caught up from the generated ids
 * it is shown); called on the engine's scheduler thread, one row at a time.
 */
@FunctionalInterface
public interface LogitsProcessor {
    /**
     * @param logits the row is {@code logits[offset .. offset+vocabSize)}; changed in place
     * @param generated the ids generated so far, {@code generated[0..count)}
     */
    void process(float[] logits, int offset, int vocabSize, int[] generated, int count);
}
