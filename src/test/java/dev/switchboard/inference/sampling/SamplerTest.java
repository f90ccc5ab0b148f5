package dev.switchboard.inference.sampling;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {
    private static SamplingParams params(float temperature, int topK, float topP, Long seed) {
        return new SamplingParams(temperature, topK, topP, seed, 16, List.of());
    }

    @Test
    void greedyIsArgmaxWithTheLowestIndexWinningTies() {
        Sampler s = new Sampler(SamplingParams.greedy(1));
        assertEquals(2, s.sample(new float[] {0.1f, -3f, 7.5f, 7.4f}));
        assertEquals(1, s.sample(new float[] {-1f, 4f, 4f, 4f}));
        assertEquals(0, s.sample(new float[] {-2f, -5f}));
    }

    @Test
    void samplesWithinARowOfALargerBuffer() {
        float[] rows = {9f, 0f, 0f, /* row 1: */ 0f, 0f, 5f};
        assertEquals(2, new Sampler(SamplingParams.greedy(1)).sample(rows, 3, 3));
        int t = new Sampler(params(1f, 1, 1f, 1L)).sample(rows, 3, 3);
        assertEquals(2, t);
    }

    @Test
    void topKRestrictsTheSupportToTheKMostLikelyTokens() {
        float[] logits = {1f, 5f, 2f, 4.5f, 0f, 3f, -1f, 4f};
        Sampler s = new Sampler(params(2f, 3, 1f, 7L));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            seen.add(s.sample(logits));
        }
        assertEquals(Set.of(1, 3, 7), seen);
    }

    @Test
    void topPKeepsTheSmallestSetReachingTheMass() {
        // probabilities 0.5, 0.3, 0.15, 0.05 at temperature 1
        float[] logits = {(float) Math.log(0.15), (float) Math.log(0.5), (float) Math.log(0.05), (float) Math.log(0.3)};
        Set<Integer> seen = new HashSet<>();
        Sampler s = new Sampler(params(1f, 0, 0.75f, 3L));
        for (int i = 0; i < 3000; i++) {
            seen.add(s.sample(logits));
        }
        assertEquals(Set.of(1, 3), seen, "0.5 + 0.3 reaches 0.75; 0.15 and 0.05 are outside the nucleus");

        seen.clear();
        Sampler wider = new Sampler(params(1f, 0, 0.85f, 3L));
        for (int i = 0; i < 3000; i++) {
            seen.add(wider.sample(logits));
        }
        assertEquals(Set.of(0, 1, 3), seen);
    }

    @Test
    void topKThenTopPCombine() {
        float[] logits = new float[1000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = -i * 0.01f; // slowly falling: top-p alone would keep hundreds
        }
        Sampler s = new Sampler(params(1f, 10, 0.5f, 11L));
        for (int i = 0; i < 2000; i++) {
            int t = s.sample(logits);
            assertTrue(t < 5, "top-10 then top-p 0.5 of nearly uniform weights keeps the first 5, got " + t);
        }
    }

    @Test
    void temperatureGivesTheSoftmaxDistribution() {
        // 37 tokens: more than a vector's lanes and not a multiple of them, so both code paths count.
        float[] logits = new float[37];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (1.5 * Math.sin(i * 0.7));
        }
        for (float temperature : new float[] {1f, 0.5f, 1.7f}) {
            double[] expected = softmax(logits, temperature);
            int draws = 60_000;
            int[] counts = new int[logits.length];
            Sampler s = new Sampler(params(temperature, 0, 1f, 1234L));
            for (int i = 0; i < draws; i++) {
                counts[s.sample(logits)]++;
            }
            double chi2 = 0;
            for (int i = 0; i < logits.length; i++) {
                double e = expected[i] * draws;
                chi2 += (counts[i] - e) * (counts[i] - e) / e;
            }
            // 36 degrees of freedom: 67.99 is the 0.999 quantile. A wrong temperature gives chi2 in the thousands.
            assertTrue(chi2 < 67.99, "temperature " + temperature + ": chi-square " + chi2);
        }
    }

    @Test
    void nucleusOverAVectorSizedVocabularyIsExactlyTheSmallestSetReachingP() {
        float[] logits = new float[203];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = -2f - (i % 7);
        }
        logits[150] = 4f;
        logits[3] = 3.6f;
        logits[77] = 3.3f;
        logits[202] = 2.9f;
        double[] p = softmax(logits, 0.8f);
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        Set<Integer> nucleus = new HashSet<>();
        double cum = 0;
        for (int t : order) {
            nucleus.add(t);
            cum += p[t];
            if (cum >= 0.9) {
                break;
            }
        }
        Sampler s = new Sampler(params(0.8f, 0, 0.9f, 5L));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            seen.add(s.sample(logits));
        }
        assertEquals(nucleus, seen);
    }

    @Test
    void topKOrdersNegativeLogitsCorrectly() {
        float[] logits = {-5f, -1f, -3f, -0.5f, -7f, -0.0f, -2f};
        Sampler s = new Sampler(params(1f, 2, 1f, 9L));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            seen.add(s.sample(logits));
        }
        assertEquals(Set.of(5, 3), seen, "-0.0 and -0.5 are the two highest");
    }

    @Test
    void sameSeedSameTokensDifferentSeedDifferentTokens() {
        float[] logits = new float[64];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.sin(i);
        }
        assertArrayEquals(draw(logits, 99L), draw(logits, 99L));
        assertFalse(Arrays.equals(draw(logits, 99L), draw(logits, 100L)), "different seeds should draw differently");
    }

    @Test
    void invalidParametersNameTheParameter() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> params(-0.1f, 0, 1f, null))
                .getMessage().startsWith("temperature"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> params(Float.NaN, 0, 1f, null))
                .getMessage().startsWith("temperature"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> params(1f, -1, 1f, null))
                .getMessage().startsWith("top_k"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> params(1f, 0, 0f, null))
                .getMessage().startsWith("top_p"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> params(1f, 0, 1.5f, null))
                .getMessage().startsWith("top_p"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new SamplingParams(1f, 0, 1f, null, 0, List.of())).getMessage().startsWith("max_tokens"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new SamplingParams(1f, 0, 1f, null, 5, List.of(""))).getMessage().startsWith("stop"));
    }

    private static int[] draw(float[] logits, long seed) {
        Sampler s = new Sampler(params(1f, 0, 0.95f, seed));
        int[] out = new int[50];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.sample(logits);
        }
        return out;
    }

    private static double[] softmax(float[] logits, float temperature) {
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] / temperature);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    @Test
    void probabilitiesAreTheDistributionSampleDrawsFrom() {
        float[] logits = {1f, 3f, 0.5f, 2.5f, -1f, 2f, 0f, 9f}; // the last entry is padding beyond the vocabulary
        int vocab = 7;
        for (SamplingParams p : List.of(params(1f, 0, 1f, 1L), params(0.7f, 3, 1f, 2L), params(1.3f, 0, 0.8f, 3L),
                params(1f, 4, 0.9f, 4L))) {
            Sampler s = new Sampler(p);
            float[] probabilities = new float[vocab];
            s.probabilities(logits, 0, vocab, probabilities);
            double sum = 0;
            for (float q : probabilities) {
                sum += q;
            }
            assertEquals(1.0, sum, 1e-5, p.toString());
            int n = 40000;
            int[] counts = new int[vocab];
            for (int i = 0; i < n; i++) {
                counts[s.sample(logits, 0, vocab)]++;
            }
            for (int t = 0; t < vocab; t++) {
                if (probabilities[t] == 0) {
                    assertEquals(0, counts[t], p + ": token " + t + " has probability 0 but was drawn");
                } else {
                    assertEquals(probabilities[t], (double) counts[t] / n, 0.01, p + ": token " + t);
                }
            }
        }
        float[] greedy = new float[vocab];
        new Sampler(SamplingParams.greedy(1)).probabilities(logits, 0, vocab, greedy);
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0, 0}, greedy);
    }

    @Test
    void drawFollowsUnnormalisedWeightsAndSkipsZeros() {
        Sampler s = new Sampler(params(1f, 0, 1f, 8L));
        float[] weights = {0f, 3f, 0f, 1f};
        int[] counts = new int[4];
        for (int i = 0; i < 20000; i++) {
            counts[s.draw(weights, 4)]++;
        }
        assertEquals(0, counts[0] + counts[2]);
        assertEquals(0.75, counts[1] / 20000.0, 0.015);
        assertEquals(-1, s.draw(new float[] {0f, 0f}, 2), "no mass, no token");
    }
}
