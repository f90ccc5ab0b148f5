package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.KvType;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import dev.switchboard.inference.synthetic.SyntheticModels;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A row's results depend on nothing but that row: not on the other rows of its batch, nor on whether the JIT has
 * compiled the kernels yet. The Vector API's {@code reduceLanes(ADD)} broke the second (its order is unspecified: the
 * interpreter's fallback adds the lanes one by one, C2's intrinsic otherwise), so a generation's attention scores,
 * and with them its sampled tokens, changed with the moment C2 finished compiling {@code CpuKvCache.dot}: the first
 * generations of a process differed from the same generations run later or batched differently.
 */
class BatchInvarianceTest {
    private static final int L = WeightTensor.F.length();

    /** The order {@link WeightTensor#sum} promises: lane i + h added to lane i, h halving from L/2 to 1. */
    private static float pairwise(float[] lanes) {
        float[] v = lanes.clone();
        for (int h = v.length / 2; h > 0; h /= 2) {
            for (int i = 0; i < h; i++) {
                v[i] += v[i + h];
            }
        }
        return v[0];
    }

    @Test
    void attentionDotsAddTheirLanesInOneFixedOrder() {
        int headSize = 4 * L;
        SplittableRandom random = new SplittableRandom(5);
        try (CpuKvCache cache = new CpuKvCache(1, headSize, headSize, KvType.F32, 1, 1)) {
            for (int trial = 0; trial < 200; trial++) {
                float[] q = new float[headSize], k = new float[headSize];
                for (int i = 0; i < headSize; i++) {
                    q[i] = (float) random.nextGaussian();
                    k[i] = (float) random.nextGaussian();
                }
                cache.store(cache.keys[0], cache.offset(0, 0), k, 0);
                float[] lanes = new float[L];
                for (int i = 0; i < headSize; i++) {
                    lanes[i % L] = Math.fma(q[i], k[i], lanes[i % L]);
                }
                float dot = cache.dot(q, 0, cache.keys[0], cache.offset(0, 0));
                assertEquals(Float.floatToRawIntBits(pairwise(lanes)), Float.floatToRawIntBits(dot), "trial " + trial);
                assertEquals(Float.floatToRawIntBits(pairwise(lanes)),
                        Float.floatToRawIntBits(WeightTensor.sum(FloatVector.fromArray(WeightTensor.F, lanes, 0))));
            }
        }
    }

    /**
     * ChoicesTest's steps on the backend: one sequence decodes while two others, sharing its first 64 positions,
     * prefill their last 6, then all three decode; each row's logits must equal its own sequence's run alone,
     * bitwise, from the first forward pass of the process on (run alone here in a fresh JVM, this failed with every
     * logit different while the JIT was still compiling). For each quantized type: one token and a batch take
     * different kernels (Q4_K's native decode kernel once summed its products in other lanes than its tile kernel).
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_K", "Q6_K"})
    void rowsGiveTheSameLogitsAloneAndBatched(GgmlType type) throws Exception {
        int[] prompt = new int[70];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 'a' + (i * 7) % 26;
        }
        int steps = 8;
        int[] decoded = new int[steps];
        for (int s = 0; s < steps; s++) {
            decoded[s] = 'a' + (s * 5) % 26;
        }
        try (GgufFile gguf = GgufFile.open(SyntheticModels.file("synthetic:tiny", type))) {
            LlamaConfig config = LlamaConfig.fromGguf(gguf, 0);
            int vocab = config.vocabSize();
            try (CpuBackend backend = CpuBackend.load(gguf, config, 1, LoadProgress.NONE);
                 KvCache cache = backend.newKvCache(32, 16)) {
                float[] logits = new float[16 * vocab];
                ForwardBatch batch = new ForwardBatch(16);
                // alone: A prefills 70 positions in chunks of 32 and decodes; B shares A's 4 full blocks
                BlockTable a = CpuBackendTest.table(0, 1, 2, 3, 4, 5), b = CpuBackendTest.table(0, 1, 2, 3, 6, 7);
                prefill(backend, cache, batch, logits, prompt, a);
                float[][] aAlone = new float[steps][], bAlone = new float[steps][];
                for (int s = 0; s < steps; s++) {
                    batch.clear();
                    backend.forward(batch.add(decoded[s], prompt.length + s, a, true), cache, logits);
                    aAlone[s] = Arrays.copyOf(logits, vocab);
                }
                batch.clear();
                for (int i = 64; i < prompt.length; i++) {
                    batch.add(prompt[i], i, b, i == prompt.length - 1);
                }
                backend.forward(batch, cache, logits);
                for (int s = 0; s < steps; s++) {
                    batch.clear();
                    backend.forward(batch.add(decoded[s], prompt.length + s, b, true), cache, logits);
                    bAlone[s] = Arrays.copyOf(logits, vocab);
                }
                // batched, in other blocks: A decodes while B and C prefill, then all three decode together
                BlockTable a2 = CpuBackendTest.table(10, 11, 12, 13, 14, 15);
                BlockTable b2 = CpuBackendTest.table(10, 11, 12, 13, 16, 17);
                BlockTable c2 = CpuBackendTest.table(10, 11, 12, 13, 18, 19);
                prefill(backend, cache, batch, logits, prompt, a2);
                batch.clear();
                batch.add(decoded[0], prompt.length, a2, true);
                for (BlockTable t : new BlockTable[]{b2, c2}) {
                    for (int i = 64; i < prompt.length; i++) {
                        batch.add(prompt[i], i, t, i == prompt.length - 1);
                    }
                }
                backend.forward(batch, cache, logits);
                assertBitwise(aAlone[0], logits, 0, vocab, "A step 0");
                for (int s = 1; s < steps; s++) {
                    batch.clear();
                    batch.add(decoded[s], prompt.length + s, a2, true);
                    batch.add(decoded[s - 1], prompt.length + s - 1, b2, true);
                    batch.add(decoded[s - 1], prompt.length + s - 1, c2, true);
                    backend.forward(batch, cache, logits);
                    assertBitwise(aAlone[s], logits, 0, vocab, "A step " + s);
                    assertBitwise(bAlone[s - 1], logits, 1, vocab, "B step " + (s - 1));
                    assertBitwise(bAlone[s - 1], logits, 2, vocab, "C step " + (s - 1));
                }
            }
        }
    }

    /**
     * Rows whose lengths are not multiples of the vector length (the ODD shape: 36 values, 52 in the feed-forward
     * layer) end in partial vectors: each value must get the same float alone and in a batch of five, whichever
     * position in a vector it falls at.
     */
    @Test
    void oddSizedRowsGiveTheSameLogitsAloneAndBatched(@TempDir Path dir) throws IOException {
        LlamaConfig odd = CpuBackendTest.ODD;
        Path file = TestModels.write(dir.resolve("odd.gguf"), odd, GgmlType.F32, false, false, 3);
        int vocab = odd.vocabSize(), n = 5;
        try (GgufFile gguf = GgufFile.open(file);
             CpuBackend backend = CpuBackend.load(gguf, odd, 2, LoadProgress.NONE);
             KvCache cache = backend.newKvCache(8, 4)) {
            float[] logits = new float[n * vocab];
            ForwardBatch batch = new ForwardBatch(n);
            BlockTable alone = CpuBackendTest.table(0, 1), together = CpuBackendTest.table(2, 3);
            float[][] steps = new float[n][];
            for (int i = 0; i < n; i++) {
                batch.clear();
                backend.forward(batch.add(i * 7 % vocab, i, alone, true), cache, logits);
                steps[i] = Arrays.copyOf(logits, vocab);
            }
            batch.clear();
            for (int i = 0; i < n; i++) {
                batch.add(i * 7 % vocab, i, together, true);
            }
            backend.forward(batch, cache, logits);
            for (int i = 0; i < n; i++) {
                assertBitwise(steps[i], logits, i, vocab, "position " + i);
            }
        }
    }

    private static void prefill(CpuBackend backend, KvCache cache, ForwardBatch batch, float[] logits, int[] prompt,
                                BlockTable table) {
        for (int start = 0; start < prompt.length; start += 32) {
            batch.clear();
            for (int i = start; i < Math.min(prompt.length, start + 32); i++) {
                batch.add(prompt[i], i, table, i == prompt.length - 1);
            }
            backend.forward(batch, cache, logits);
        }
    }

    private static void assertBitwise(float[] expected, float[] logits, int row, int vocab, String what) {
        for (int i = 0; i < vocab; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(logits[row * vocab + i]),
                    what + ", logit " + i);
        }
    }
}
