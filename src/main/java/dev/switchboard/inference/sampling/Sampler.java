package dev.switchboard.inference.sampling;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits: greedy at temperature 0, otherwise temperature, then top-k, then
 * top-p (the order Hugging Face uses), then a draw from the remaining tokens renormalised. One sampler per
 * generation; not thread-safe (it keeps scratch buffers and the random generator's state).
 *
 * <p>{@link SplittableRandom}'s algorithm is specified, so a seed gives the same tokens on every JDK.
 */
public final class Sampler {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Values summed in float lanes before the running total (a double) takes them. */
    private static final int SUM_BLOCK = 4096;
    private final float temperature;
    private final int topK;
    private final float topP;
    private final SplittableRandom random;
    private float[] weights = new float[0];
    private float[] candidateWeights = new float[0];
    private long[] keys = new long[0];
    /** The sum of the weights {@link #distribution} left behind. */
    private double total;
    /** {@link #distribution}'s answer when the whole vocabulary is a candidate. */
    private static final int ALL = -1;

    public Sampler(SamplingParams params) {
        this.temperature = params.temperature();
        this.topK = params.topK();
        this.topP = params.topP();
        this.random = params.seed() == null ? new SplittableRandom() : new SplittableRandom(params.seed());
    }

    /** Samples from the whole array. */
    public int sample(float[] logits) {
        return sample(logits, 0, logits.length);
    }

    /** Samples from {@code logits[offset .. offset+vocabSize)}; returns a token id in {@code 0..vocabSize-1}. */
    public int sample(float[] logits, int offset, int vocabSize) {
        if (temperature == 0f) {
            return argmax(logits, offset, vocabSize);
        }
        int n = distribution(logits, offset, vocabSize);
        if (n == ALL) {
            return drawProportional(weights, vocabSize, total);
        }
        double r = random.nextDouble() * total;
        for (int i = 0; i < n - 1; i++) {
            r -= candidateWeights[i];
            if (r < 0) {
                return tokenOf(keys[i]);
            }
        }
        return tokenOf(keys[n - 1]);
    }

    /**
     * Writes into {@code probabilities[0..vocabSize)} the distribution {@link #sample} draws from for this row:
     * temperature, top-k and top-p applied, renormalised; one-hot on the argmax at temperature 0. Speculative
     * verification needs the target's probability of each drafted token under exactly these rules.
     */
    public void probabilities(float[] logits, int offset, int vocabSize, float[] probabilities) {
        Arrays.fill(probabilities, 0, vocabSize, 0f);
        if (temperature == 0f) {
            probabilities[argmax(logits, offset, vocabSize)] = 1f;
            return;
        }
        int n = distribution(logits, offset, vocabSize);
        float scale = (float) (1.0 / total);
        if (n == ALL) {
            for (int i = 0; i < vocabSize; i++) {
                probabilities[i] = weights[i] * scale;
            }
        } else {
            for (int i = 0; i < n; i++) {
                probabilities[tokenOf(keys[i])] = candidateWeights[i] * scale;
            }
        }
    }

    /** A uniform draw in [0, 1) from this sampler's generator (seeded runs stay reproducible). */
    public double nextUniform() {
        return random.nextDouble();
    }

    /**
     * Draws a token in proportion to {@code weights[0..vocabSize)} (non-negative, not necessarily normalised, e.g.
     * a residual distribution); -1 if all are zero.
     */
    public int draw(float[] weights, int vocabSize) {
        double mass = 0;
        for (int i = 0; i < vocabSize; i++) {
            mass += weights[i];
        }
        if (mass <= 0) {
            return -1;
        }
        return drawProportional(weights, vocabSize, mass);
    }

    private int drawProportional(float[] weights, int vocabSize, double mass) {
        double r = random.nextDouble() * mass;
        int last = -1;
        for (int i = 0; i < vocabSize; i++) {
            if (weights[i] > 0) {
                last = i;
                r -= weights[i];
                if (r < 0) {
                    return i;
                }
            }
        }
        return last; // rounding left r just above zero: the last token with any weight
    }

    /**
     * Computes the sampling distribution of a row (temperature > 0) and returns {@link #ALL} when it covers the
     * whole vocabulary (then {@code weights[0..vocabSize)} hold it), else the number n of candidates (then
     * {@code keys[0..n)} hold them, most likely first, and {@code candidateWeights[0..n)} their weights). Either
     * way {@link #total} is the weights' sum.
     */
    private int distribution(float[] logits, int offset, int vocabSize) {
        float max = logits[offset + argmax(logits, offset, vocabSize)];
        float invT = 1f / temperature;
        int n;
        if (topK > 0 && topK < vocabSize) {
            // Temperature keeps the order of the logits: select on them and exponentiate only the k survivors.
            n = topKCandidates(logits, offset, vocabSize);
        } else {
            total = exponentiate(logits, offset, vocabSize, max, invT);
            if (topP >= 1f) {
                return ALL;
            }
            n = nucleusCandidates(logits, offset, vocabSize, total);
        }
        // keys[0..n) hold the candidates, most likely first; their weights relative to the most likely token:
        if (candidateWeights.length < n) {
            candidateWeights = new float[Math.max(n, candidateWeights.length * 2)];
        }
        double mass = 0;
        for (int i = 0; i < n; i++) {
            candidateWeights[i] = (float) Math.exp((logits[offset + tokenOf(keys[i])] - max) * invT);
            mass += candidateWeights[i];
        }
        if (topP < 1f) {
            double cum = 0;
            int kept = 0;
            while (kept < n) {
                cum += candidateWeights[kept++];
                if (cum >= topP * mass) {
                    break;
                }
            }
            n = kept;
            mass = cum;
        }
        total = mass;
        return n;
    }

    /** The lanes' sum in one fixed order, unlike {@code reduceLanes(ADD)}, whose order changes once the JIT compiles it. */
    private static float sumLanes(FloatVector v) {
        for (int h = v.length() / 2; h > 0; h /= 2) {
            v = v.add(v.slice(h));
        }
        return v.lane(0);
    }

    /**
     * Fills {@code weights} with {@code exp((logit - max) / T)} and returns their sum. Vectorised: for a 128k
     * vocabulary this is the bulk of sampling, about ten times faster than {@link Math#exp} per token. Summed in
     * float lanes per block and across blocks in double, so the total stays accurate.
     */
    private double exponentiate(float[] logits, int offset, int vocabSize, float max, float invT) {
        if (weights.length < vocabSize) {
            weights = new float[vocabSize];
        }
        double total = 0;
        for (int block = 0; block < vocabSize; block += SUM_BLOCK) {
            int end = Math.min(vocabSize, block + SUM_BLOCK);
            int i = block;
            FloatVector sum = FloatVector.zero(F);
            for (; i + F.length() <= end; i += F.length()) {
                FloatVector w = FloatVector.fromArray(F, logits, offset + i).sub(max).mul(invT)
                        .lanewise(VectorOperators.EXP);
                w.intoArray(weights, i);
                sum = sum.add(w);
            }
            total += sumLanes(sum);
            for (; i < end; i++) {
                weights[i] = (float) Math.exp((logits[offset + i] - max) * invT);
                total += weights[i];
            }
        }
        return total;
    }

    /** The index of the largest value; the lowest index among equals (so greedy decoding is reproducible). */
    public static int argmax(float[] logits, int offset, int vocabSize) {
        int best = 0;
        float bestValue = logits[offset];
        for (int i = 1; i < vocabSize; i++) {
            if (logits[offset + i] > bestValue) {
                bestValue = logits[offset + i];
                best = i;
            }
        }
        return best;
    }

    /** Selects the k highest logits with a min-heap (O(V log k), no full sort of a 128k vocabulary). */
    private int topKCandidates(float[] logits, int offset, int vocabSize) {
        ensureKeys(topK);
        int size = 0;
        for (int i = 0; i < vocabSize; i++) {
            long key = key(logits[offset + i], i);
            if (size < topK) {
                keys[size] = key;
                siftUp(size++);
            } else if (key > keys[0]) {
                keys[0] = key;
                siftDown(size);
            }
        }
        sortDescending(size);
        return size;
    }

    /**
     * Tokens lighter than (1 - topP) / V of the total together weigh less than 1 - topP, so the nucleus lies among
     * the heavier ones: only those need sorting.
     */
    private int nucleusCandidates(float[] logits, int offset, int vocabSize, double total) {
        double cutoff = (1.0 - topP) / vocabSize * total;
        ensureKeys(vocabSize);
        int n = 0;
        for (int i = 0; i < vocabSize; i++) {
            if (weights[i] >= cutoff && weights[i] > 0) {
                keys[n++] = key(logits[offset + i], i);
            }
        }
        sortDescending(n);
        return n;
    }

    private void ensureKeys(int n) {
        if (keys.length < n) {
            keys = new long[n];
        }
    }

    private void sortDescending(int n) {
        Arrays.sort(keys, 0, n);
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            long t = keys[i];
            keys[i] = keys[j];
            keys[j] = t;
        }
    }

    /**
     * Packs a logit and a token into one long that orders by logit, then by lower token first. The logit's bits
     * are made to order like the float: negative floats have their magnitude bits flipped.
     */
    static long key(float logit, int token) {
        int bits = Float.floatToRawIntBits(logit);
        int ordered = bits ^ ((bits >> 31) & 0x7FFF_FFFF);
        return ((long) ordered << 32) | (0xFFFF_FFFFL - token);
    }

    static int tokenOf(long key) {
        return (int) (0xFFFF_FFFFL - (key & 0xFFFF_FFFFL));
    }

    private void siftUp(int i) {
        long k = keys[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= k) {
                break;
            }
            keys[i] = keys[parent];
            i = parent;
        }
        keys[i] = k;
    }

    private void siftDown(int size) {
        long k = keys[0];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && keys[child + 1] < keys[child]) {
                child++;
            }
            if (keys[child] >= k) {
                break;
            }
            keys[i] = keys[child];
            i = child;
        }
        keys[i] = k;
    }
}
