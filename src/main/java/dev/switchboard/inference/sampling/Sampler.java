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
        float max = logits[offset + argmax(logits, offset, vocabSize)];
        float invT = 1f / temperature;
        int n;
        if (topK > 0 && topK < vocabSize) {
            // Temperature keeps the order of the logits: select on them and exponentiate only the k survivors.
            n = topKCandidates(logits, offset, vocabSize);
        } else {
            double total = exponentiate(logits, offset, vocabSize, max, invT);
            if (topP >= 1f) {
                return drawFromAll(vocabSize, total);
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
        double r = random.nextDouble() * mass;
        for (int i = 0; i < n - 1; i++) {
            r -= candidateWeights[i];
            if (r < 0) {
                return tokenOf(keys[i]);
            }
        }
        return tokenOf(keys[n - 1]);
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
            total += sum.reduceLanes(VectorOperators.ADD);
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

    private int drawFromAll(int vocabSize, double total) {
        double r = random.nextDouble() * total;
        int last = 0;
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
    private static long key(float logit, int token) {
        int bits = Float.floatToRawIntBits(logit);
        int ordered = bits ^ ((bits >> 31) & 0x7FFF_FFFF);
        return ((long) ordered << 32) | (0xFFFF_FFFFL - token);
    }

    private static int tokenOf(long key) {
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
