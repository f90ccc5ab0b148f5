package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A real trained model: greedy decoding must reproduce the known continuation of BOS. */
class Stories260KTest {
    private static final Path MODEL = Path.of("../shared/models/stories260K/stories260K.gguf");
    /** " Once upon a time, there was a little girl named Lily." as published for this model. */
    private static final int[] KNOWN = {403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421};
    private static final int STEPS = 48;

    @Test
    void greedyDecodingFromBosMatchesTheKnownTextAndTheReference() {
        assumeTrue(Files.exists(MODEL), "SKIPPED: " + MODEL.toAbsolutePath() + " absent (see ../shared/models/README.md)");
        try (GgufFile gguf = GgufFile.open(MODEL)) {
            LlamaConfig config = LlamaConfig.fromGguf(gguf, 512);
            assertEquals(new LlamaConfig(64, 172, 5, 8, 4, 512, 512, config.rmsNormEps(), 10000f, null), config);
            int[] generated = new int[STEPS];
            try (CpuBackend backend = CpuBackend.load(gguf, config, 2, LoadProgress.NONE);
                 KvCache cache = backend.newKvCache(8, 16)) {
                BlockTable table = new BlockTable();
                for (int b = 7; b >= 4; b--) {
                    table.add(b);
                }
                float[] logits = new float[config.vocabSize()];
                ForwardBatch batch = new ForwardBatch(1);
                int token = 1;
                for (int pos = 0; pos < STEPS; pos++) {
                    batch.clear();
                    batch.add(token, pos, table, true);
                    backend.forward(batch, cache, logits);
                    token = argmax(logits);
                    generated[pos] = token;
                }
                assertArrayEquals(KNOWN, Arrays.copyOf(generated, KNOWN.length), "greedy continuation of BOS");

                // the same continuation through one prefill pass on fresh blocks: every position predicts the next
                BlockTable fresh = new BlockTable();
                for (int b = 0; b < 4; b++) {
                    fresh.add(b);
                }
                float[] all = new float[STEPS * config.vocabSize()];
                batch.clear();
                batch.add(1, 0, fresh, true);
                for (int pos = 1; pos < STEPS; pos++) {
                    batch.add(generated[pos - 1], pos, fresh, true);
                }
                backend.forward(batch, cache, all);
                for (int pos = 0; pos < STEPS; pos++) {
                    assertEquals(generated[pos], argmax(Arrays.copyOfRange(all, pos * 512, pos * 512 + 512)),
                            "prefill prediction at position " + pos);
                }
            }
            ReferenceLlama reference = new ReferenceLlama(gguf, config);
            int token = 1;
            for (int pos = 0; pos < STEPS; pos++) {
                double[] l = reference.step(token);
                int best = 0;
                for (int i = 1; i < l.length; i++) {
                    best = l[i] > l[best] ? i : best;
                }
                assertEquals(best, generated[pos], "the scalar reference's choice at position " + pos);
                token = best;
            }
        }
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            best = logits[i] > logits[best] ? i : best;
        }
        return best;
    }
}
