package dev.switchboard.inference.sampling;

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
    private final float temperature;
    private final int topK;
    private final float topP;
    private final SplittableRandom random;
    private float[] weights = new float[0];
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
        if (weights.length < vocabSize) {
            weights = new float[vocabSize];
        }
        float max = logits[offset + argmax(logits, offset, vocabSize)];
        float invT = 1f / temperature;
        double total = 0;
        for (int i = 0; i < vocabSize; i++) {
            float w = (float) Math.exp((logits[offset + i] - max) * invT);
            weights[i] = w;
            total += w;
        }
        boolean restrictK = topK > 0 && topK < vocabSize;
        if (!restrictK && topP >= 1f) {
            return drawFromAll(vocabSize, total);
        }
        int n = restrictK ? topKCandidates(vocabSize) : nucleusCandidates(vocabSize, total);
        // keys[0..n) hold the candidates, most likely first.
        double mass = 0;
        for (int i = 0; i < n; i++) {
            mass += weightOf(keys[i]);
        }
        if (topP < 1f) {
            double cum = 0;
            int kept = 0;
            while (kept < n) {
                cum += weightOf(keys[kept++]);
                if (cum >= topP * mass) {
                    break;
                }
            }
            n = kept;
            mass = cum;
        }
        double r = random.nextDouble() * mass;
        for (int i = 0; i < n - 1; i++) {
            r -= weightOf(keys[i]);
            if (r < 0) {
                return tokenOf(keys[i]);
            }
        }
        return tokenOf(keys[n - 1]);
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

    /** Selects the k heaviest tokens with a min-heap (O(V log k), no full sort of a 128k vocabulary). */
    private int topKCandidates(int vocabSize) {
        ensureKeys(topK);
        int size = 0;
        for (int i = 0; i < vocabSize; i++) {
            long key = key(weights[i], i);
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
    private int nucleusCandidates(int vocabSize, double total) {
        double cutoff = (1.0 - topP) / vocabSize * total;
        ensureKeys(vocabSize);
        int n = 0;
        for (int i = 0; i < vocabSize; i++) {
            if (weights[i] >= cutoff && weights[i] > 0) {
                keys[n++] = key(weights[i], i);
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
     * Packs a non-negative weight and a token into one long that orders by weight, then by lower token first:
     * the bits of a non-negative float order like the float.
     */
    private static long key(float weight, int token) {
        return ((long) Float.floatToRawIntBits(weight) << 32) | (0xFFFF_FFFFL - token);
    }

    private static float weightOf(long key) {
        return Float.intBitsToFloat((int) (key >>> 32));
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
