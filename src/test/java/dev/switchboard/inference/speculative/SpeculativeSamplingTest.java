package dev.switchboard.inference.speculative;

import dev.switchboard.inference.cpu.CpuBackend;
import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import dev.switchboard.inference.sampling.Sampler;
import dev.switchboard.inference.sampling.SamplingParams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Speculative sampling is exact: on a random model with a 12-token vocabulary, the first token emitted after a
 * fixed prompt with a deterministic draft, over many seeds, has the target's own distribution (chi-square test at
 * a fixed seed set). The classic bug, resampling from p instead of the residual after a rejection, fails the same
 * test, so the test can tell.
 */
class SpeculativeSamplingTest {
    private static final int VOCAB = 12;
    private static final int SEEDS = 20000;
    /** Chi-square quantiles at p = 0.001 for 11 and 3 degrees of freedom. */
    private static final double CRITICAL_11 = 31.26;
    private static final double CRITICAL_3 = 16.27;
    private static float[] logits;

    /** Target logits for the prompt's next position and the position after draft token {@link #draft()}. */
    @BeforeAll
    static void forward(@TempDir Path dir) throws IOException {
        LlamaConfig config = new LlamaConfig(64, 128, 1, 4, 2, VOCAB, 64, 1e-5f, 10000f, null);
        Path file = dir.resolve("tiny-vocab.gguf");
        SyntheticModels.write(new SyntheticModels.Shape(config, false), GgmlType.F32, 7, file);
        try (GgufFile gguf = GgufFile.open(file);
             CpuBackend backend = CpuBackend.load(gguf, LlamaConfig.fromGguf(gguf, 0), 1, LoadProgress.NONE);
             KvCache cache = backend.newKvCache(1, 16)) {
            BlockTable table = new BlockTable();
            table.add(0);
            int[] prompt = {3, 1, 4, 1, 5};
            ForwardBatch batch = new ForwardBatch(8);
            for (int p = 0; p < prompt.length; p++) {
                batch.add(prompt[p], p, table, p == prompt.length - 1);
            }
            batch.add(draft(), prompt.length, table, true);
            logits = new float[2 * VOCAB];
            backend.forward(batch, cache, logits);
        }
    }

    private static int draft() {
        return 9;
    }

    /**
     * The target distribution of row 0 computed here, independently of the sampler: softmax at temperature T over
     * the top k tokens (k = 0: all).
     */
    private static double[] softmax(float temperature, int topK) {
        double[] p = new double[VOCAB];
        if (topK > 0) {
            double[] all = softmax(temperature, 0);
            double[] sorted = all.clone();
            Arrays.sort(sorted);
            double threshold = sorted[VOCAB - topK];
            double kept = 0;
            for (int v = 0; v < VOCAB; v++) {
                p[v] = all[v] >= threshold ? all[v] : 0;
                kept += p[v];
            }
            for (int v = 0; v < VOCAB; v++) {
                p[v] /= kept;
            }
            return p;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < VOCAB; v++) {
            max = Math.max(max, logits[v]);
        }
        double sum = 0;
        for (int v = 0; v < VOCAB; v++) {
            p[v] = Math.exp((logits[v] - max) / temperature);
            sum += p[v];
        }
        for (int v = 0; v < VOCAB; v++) {
            p[v] /= sum;
        }
        return p;
    }

    private interface FirstToken {
        int emit(Sampler sampler, int draft);
    }

    /** The chi-square statistic of the emitted first tokens against the target distribution. */
    private static double chiSquare(float temperature, int topK, int draft, FirstToken rule) {
        long[] counts = new long[VOCAB];
        for (long seed = 0; seed < SEEDS; seed++) {
            counts[rule.emit(new Sampler(new SamplingParams(temperature, topK, 1f, seed, 10, List.of())), draft)]++;
        }
        double[] p = softmax(temperature, topK);
        double chi = 0;
        for (int v = 0; v < VOCAB; v++) {
            if (p[v] == 0) {
                assertEquals(0, counts[v], "token " + v + " is outside the top " + topK);
                continue;
            }
            double expected = p[v] * SEEDS;
            chi += (counts[v] - expected) * (counts[v] - expected) / expected;
        }
        return chi;
    }

    private static int verified(Sampler sampler, int draft) {
        int[] out = new int[2];
        new Verifier(sampler, false, VOCAB).verify(logits, 0, VOCAB, new int[] {draft}, 1, out);
        return out[0];
    }

    /** Accepts with p(x) like the verifier, but on rejection draws from p itself: biased towards x. */
    private static int resampledFromTarget(Sampler sampler, int draft) {
        float[] p = new float[VOCAB];
        sampler.probabilities(logits, 0, VOCAB, p);
        return sampler.nextUniform() < p[draft] ? draft : sampler.sample(logits, 0, VOCAB);
    }

    private static int mostLikely() {
        double[] p = softmax(1f, 0);
        int likely = 0;
        for (int v = 1; v < VOCAB; v++) {
            likely = p[v] > p[likely] ? v : likely;
        }
        return likely;
    }

    @Test
    void firstTokenHasTheTargetDistributionWhateverTheDraft() {
        int likely = mostLikely();
        // The distribution must be spread enough that the test has power: no token near-certain.
        assertTrue(softmax(1f, 0)[likely] < 0.8, "degenerate target distribution " + Arrays.toString(softmax(1f, 0)));
        for (float temperature : new float[] {1f, 1.7f}) {
            for (int draft : new int[] {draft(), likely, (likely + 5) % VOCAB}) {
                double chi = chiSquare(temperature, 0, draft, SpeculativeSamplingTest::verified);
                assertTrue(chi < CRITICAL_11, "T=" + temperature + " draft " + draft + ": chi-square " + chi);
            }
        }
    }

    @Test
    void topKIsAppliedToTheVerifiedDistributionAsTheSamplerAppliesIt() {
        int likely = mostLikely();
        for (int draft : new int[] {draft(), likely}) {
            double chi = chiSquare(1f, 4, draft, SpeculativeSamplingTest::verified);
            assertTrue(chi < CRITICAL_3, "top-k 4, draft " + draft + ": chi-square " + chi);
        }
    }

    @Test
    void aVerifierThatResamplesFromTheTargetFailsTheSameTest() {
        double chi = chiSquare(1f, 0, mostLikely(), SpeculativeSamplingTest::resampledFromTarget);
        assertTrue(chi > CRITICAL_11, "the biased rule went unnoticed: chi-square " + chi);
    }
}
