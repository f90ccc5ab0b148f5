package dev.switchboard.inference.sampling;

import java.util.Arrays;

/**
 * The {@code repetition_penalty} of CTRL (Keskar et al. 2019) as Hugging Face and vLLM apply it: every token of the
 * prompt or the output so far has its logit divided by the penalty when positive and multiplied by it when
 * negative, so a penalty above 1 makes repeats less likely whatever the logit's sign; 1 changes nothing.
 */
public final class RepetitionPenalty implements LogitsProcessor {
    public static final float MAX = 10f;
    private final float penalty;
    private boolean[] present = new boolean[0];
    private int[] seen = new int[16];
    private int distinct;
    private int consumed;
    private final int[] prompt;

    /** @param prompt the prompt's tokens, which count as seen */
    public RepetitionPenalty(float penalty, int[] prompt) {
        if (!(penalty > 0 && penalty <= MAX)) {
            throw new IllegalArgumentException("repetition_penalty must be greater than 0 and at most " + MAX
                    + ", got " + penalty);
        }
        this.penalty = penalty;
        this.prompt = prompt.clone();
    }

    @Override
    public void process(int[] tokens, int promptLength, int length, float[] logits, int offset, int vocabSize) {
        if (present.length < vocabSize) {
            present = Arrays.copyOf(present, vocabSize);
            for (int t : prompt) {
                see(t);
            }
        }
        for (; promptLength + consumed < length; consumed++) {
            see(tokens[promptLength + consumed]);
        }
        for (int i = 0; i < distinct; i++) {
            int at = offset + seen[i];
            logits[at] = logits[at] > 0 ? logits[at] / penalty : logits[at] * penalty;
        }
    }

    private void see(int t) {
        if (!present[t]) {
            present[t] = true;
            if (distinct == seen.length) {
                seen = Arrays.copyOf(seen, distinct * 2);
            }
            seen[distinct++] = t;
        }
    }
}
