package dev.switchboard.inference.speculative;

import dev.switchboard.inference.sampling.Sampler;

/**
 * Checks a draft against the target model's logits for the k+1 positions that one forward pass computed (row i:
 * the distribution after the draft's first i tokens) and picks the tokens to emit, so that the output has exactly
 * the distribution of decoding without speculation.
 *
 * <p>Greedy: accept while the drafted token is the argmax; the first mismatch is replaced by the argmax.
 * Sampling: a deterministic draft proposes token x with probability q(x) = 1, so the rejection rule
 * accept-with-min(1, p/q) becomes accept with probability p(x), and the residual max(0, p − q) renormalised becomes
 * p with x removed, renormalised. When every drafted token passes, the last row gives one bonus token.
 * p is the sampler's own processed distribution (temperature, top-k, top-p), so speculation is exact for every
 * sampling setting.
 */
public final class Verifier {
    private final Sampler sampler;
    private final boolean greedy;
    private final int vocabSize;
    private final float[] probabilities;

    /**
     * @param sampler the sequence's sampler (its random stream drives acceptance and residual draws)
     * @param greedy whether the sampler is greedy (temperature 0)
     * @param vocabSize candidate tokens per row
     */
    public Verifier(Sampler sampler, boolean greedy, int vocabSize) {
        this.sampler = sampler;
        this.greedy = greedy;
        this.vocabSize = vocabSize;
        this.probabilities = greedy ? null : new float[vocabSize];
    }

    /**
     * @param logits k+1 rows of target logits, {@code rowStride} apart, the first at {@code offset} (a batched
     *     pass writes the rows of several sequences into one array)
     * @param draft the drafted tokens, {@code draft[0..k)}
     * @param out receives the tokens to emit: the accepted drafts, then the correction or bonus token
     *     (room for k+1)
     * @return how many drafted tokens were accepted (0..k); {@code out} holds one more token than that
     */
    public int verify(float[] logits, int offset, int rowStride, int[] draft, int k, int[] out) {
        for (int i = 0; i < k; i++) {
            int row = offset + i * rowStride;
            int x = draft[i];
            if (greedy) {
                int target = Sampler.argmax(logits, row, vocabSize);
                if (target != x) {
                    out[i] = target;
                    return i;
                }
            } else {
                sampler.probabilities(logits, row, vocabSize, probabilities);
                if (sampler.nextUniform() >= probabilities[x]) {
                    probabilities[x] = 0f;
                    int residual = sampler.draw(probabilities, vocabSize);
                    // No residual mass: p(x) was 1 up to float rounding, and x is the only token to emit.
                    out[i] = residual < 0 ? x : residual;
                    return i;
                }
            }
            out[i] = x;
        }
        out[k] = sampler.sample(logits, offset + k * rowStride, vocabSize);
        return k;
    }
}
