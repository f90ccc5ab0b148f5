package dev.switchboard.inference.sampling;

import java.util.Map;

/**
 * OpenAI's {@code logit_bias}: a fixed amount (-100 to 100) added to the logits of given tokens; -100 in effect bans
 * a token, 100 in effect forces it. Ids are checked against the vocabulary when the bias is made.
 */
public final class LogitBias implements LogitsProcessor {
    public static final float MAX_ABS = 100f;
    private final int[] ids;
    private final float[] biases;

    public LogitBias(Map<Integer, Float> bias, int vocabSize) {
        ids = new int[bias.size()];
        biases = new float[bias.size()];
        int i = 0;
        for (Map.Entry<Integer, Float> e : bias.entrySet()) {
            int token = e.getKey();
            float value = e.getValue();
            if (token < 0 || token >= vocabSize) {
                throw new IllegalArgumentException("logit_bias names token " + token + ", outside the vocabulary (0.."
                        + (vocabSize - 1) + ")");
            }
            if (!(value >= -MAX_ABS && value <= MAX_ABS)) {
                throw new IllegalArgumentException("logit_bias values must be between -100 and 100, got " + value
                        + " for token " + token);
            }
            ids[i] = token;
            biases[i++] = value;
        }
    }

    @Override
    public void process(int[] tokens, int promptLength, int length, float[] logits, int offset, int vocabSize) {
        for (int i = 0; i < ids.length; i++) {
            logits[offset + ids[i]] += biases[i];
        }
    }
}
