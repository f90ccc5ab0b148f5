package dev.switchboard.inference.sampling;

import java.util.Arrays;

/**
 * OpenAI's {@code presence_penalty} and {@code frequency_penalty}: each token already generated loses
 * {@code presence} once plus {@code frequency} per occurrence from its logit. Positive values push the model to new
 * tokens, negative ones to repeating itself. Only generated tokens count, as OpenAI defines it.
 */
public final class OccurrencePenalties implements LogitsProcessor {
    public static final float MAX_ABS = 2f;
    private final float presence;
    private final float frequency;
    private int[] counts = new int[0];
    /** Distinct generated tokens, in first-seen order: the only ones whose logits change. */
    private int[] seen = new int[16];
    private int distinct;
    private int consumed;

    public OccurrencePenalties(float presence, float frequency) {
        check("presence_penalty", presence);
        check("frequency_penalty", frequency);
        this.presence = presence;
        this.frequency = frequency;
    }

    private static void check(String name, float value) {
        if (!(value >= -MAX_ABS && value <= MAX_ABS)) {
            throw new IllegalArgumentException(name + " must be between -2 and 2, got " + value);
        }
    }

    @Override
    public void process(int[] tokens, int promptLength, int length, float[] logits, int offset, int vocabSize) {
        if (counts.length < vocabSize) {
            counts = Arrays.copyOf(counts, vocabSize);
        }
        for (; promptLength + consumed < length; consumed++) {
            int t = tokens[promptLength + consumed];
            if (counts[t]++ == 0) {
                if (distinct == seen.length) {
                    seen = Arrays.copyOf(seen, distinct * 2);
                }
                seen[distinct++] = t;
            }
        }
        for (int i = 0; i < distinct; i++) {
            int t = seen[i];
            logits[offset + t] -= presence + frequency * counts[t];
        }
    }
}
