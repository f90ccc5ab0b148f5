package dev.switchboard.inference.sampling;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each logits processor on hand-made rows, and log-probabilities against a direct log-softmax. */
class LogitsProcessorsTest {

    @Test
    void occurrencePenaltiesSubtractPresenceOnceAndFrequencyPerOccurrence() {
        float[] row = {0, 1, 2, 3, 4, 5};
        int[] generated = {2, 4, 2, 2};
        new OccurrencePenalties(0.5f, 1f).process(generated, 0, generated.length, row, 0, 6);
        assertArrayEquals(new float[] {0, 1, 2 - 0.5f - 3, 3, 4 - 0.5f - 1, 5}, row);
    }

    @Test
    void occurrencePenaltiesCatchUpOnlyOnNewTokens() {
        OccurrencePenalties p = new OccurrencePenalties(0, 1f);
        int[] generated = {1, 1, 0};
        float[] row = new float[3];
        p.process(generated, 0, 1, row, 0, 3);
        assertArrayEquals(new float[] {0, -1, 0}, row);
        row = new float[3];
        p.process(generated, 0, 3, row, 0, 3);
        assertArrayEquals(new float[] {-1, -2, 0}, row, "counts 1 and 2 after three tokens, not more");
    }

    @Test
    void repetitionPenaltyShrinksSeenLogitsTowardsLessLikelyWhateverTheirSign() {
        float[] row = {4, -4, 4, -4, 9};
        new RepetitionPenalty(2f, new int[] {0, 1}).process(new int[] {3}, 0, 1, row, 0, 5);
        assertArrayEquals(new float[] {2, -8, 4, -8, 9}, row);
    }

    @Test
    void logitBiasAddsAndChecksIdsAndRange() {
        float[] row = {1, 1, 1, 1};
        new LogitBias(Map.of(1, 100f, 3, -2.5f), 4).process(new int[0], 0, 0, row, 0, 4);
        assertArrayEquals(new float[] {1, 101, 1, -1.5f}, row);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LogitBias(Map.of(4, 1f), 4))
                .getMessage().startsWith("logit_bias"));
        assertThrows(IllegalArgumentException.class, () -> new LogitBias(Map.of(0, 101f), 4));
    }

    @Test
    void minPRemovesTokensBelowTheFractionOfTheBestAtTheTemperature() {
        float[] row = {0, (float) Math.log(0.5), (float) Math.log(0.09), (float) Math.log(0.11)};
        new MinP(0.1f, 1f).process(new int[0], 0, 0, row, 0, 4);
        assertEquals(Float.NEGATIVE_INFINITY, row[2]);
        assertTrue(row[3] > Float.NEGATIVE_INFINITY && row[1] > Float.NEGATIVE_INFINITY);
        // At temperature 2 the distribution is flatter: log(0.09)/2 is above log(0.1), so it stays.
        float[] flat = {0, (float) Math.log(0.09)};
        new MinP(0.1f, 2f).process(new int[0], 0, 0, flat, 0, 2);
        assertTrue(flat[1] > Float.NEGATIVE_INFINITY);
    }

    @Test
    void logprobsAreALogSoftmaxWithSortedAlternatives() {
        SplittableRandom random = new SplittableRandom(7);
        int vocab = 1000;
        float[] row = new float[vocab + 5];
        for (int i = 0; i < row.length; i++) {
            row[i] = (float) random.nextDouble(-8, 8);
        }
        LogprobsRecorder r = new LogprobsRecorder(5);
        r.record(row, 5, vocab, 17);
        assertEquals(List.of(), r.since(0), "the loop runs a step ahead: nothing shows before the output takes it");
        r.reveal(1);
        LogprobsRecorder.Entry e = r.since(0).getFirst();
        double z = 0;
        for (int i = 0; i < vocab; i++) {
            z += Math.exp(row[5 + i]);
        }
        assertEquals(row[5 + 17] - Math.log(z), e.logprob(), 1e-4);
        List<LogprobsRecorder.Alternative> top = e.top();
        assertEquals(5, top.size());
        assertEquals(Sampler.argmax(row, 5, vocab), top.getFirst().token());
        double mass = 0;
        for (int i = 0; i < top.size(); i++) {
            assertTrue(top.get(i).logprob() <= 0);
            if (i > 0) {
                assertTrue(top.get(i).logprob() <= top.get(i - 1).logprob(), "sorted");
            }
            mass += Math.exp(top.get(i).logprob());
        }
        assertTrue(mass <= 1 + 1e-6);
        assertEquals(1, r.size());
        assertEquals(List.of(), r.since(1));
    }
}
