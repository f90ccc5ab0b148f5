package dev.switchboard.inference.cuda;

import dev.switchboard.inference.cpu.CpuBackend;
import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The harness GpuCheck judges the GPU with, run here on CPU backends: it must pass equals and catch faults. */
class BackendComparisonTest {
    private static GgufFile gguf;
    private static CpuBackend ref;
    private static CpuBackend other;

    @BeforeAll
    static void load(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("tiny.gguf");
        SyntheticModels.write(SyntheticModels.shape("tiny"), GgmlType.F32, 5, model);
        gguf = GgufFile.open(model);
        LlamaConfig config = LlamaConfig.fromGguf(gguf, 0);
        ref = CpuBackend.load(gguf, config, 1, LoadProgress.NONE);
        other = CpuBackend.load(gguf, config, 2, LoadProgress.NONE);
    }

    @AfterAll
    static void close() {
        ref.close();
        other.close();
        gguf.close();
    }

    @Test
    void identicalBackendsPassWithNoError() {
        BackendComparison cmp = new BackendComparison(ref, other, 1e-4);
        BackendComparison.Result r = cmp.prefillThenDecode("same", new int[]{3, 17, 1}, 5, 1);
        assertEquals(3 + 17 + 1 + 3 * 5, r.rows());
        assertEquals(0.0, r.maxAbs(), 1e-5);
        assertTrue(r.passes(1e-4), r.format());
        float[] margins = new float[12];
        assertArrayEquals(BackendComparison.greedy(ref, new int[]{1, 2}, 12, margins),
                BackendComparison.greedy(other, new int[]{1, 2}, 12));
        for (float m : margins) {
            assertTrue(m > 0 && m <= 2, "the chosen logit's lead over the runner-up, relative: " + m);
        }
    }

    @Test
    void aWrongArgmaxIsAMismatch() {
        // lifts the reference's second-best logit far above the best in every row
        Backend faulty = new Faulty(other, (logits, rows) -> {
            int v = other.config().vocabSize();
            for (int r = 0; r < rows; r++) {
                int best = BackendComparison.argmax(logits, r * v, v);
                logits[r * v + (best + 1) % v] += 100;
            }
        });
        BackendComparison.Result r = new BackendComparison(ref, faulty, 1e-4)
                .prefillThenDecode("faulty", new int[]{4}, 3, 2);
        assertEquals(r.rows(), r.argmaxMismatches());
        assertTrue(!r.passes(10), "a wrong argmax fails at any error tolerance");
    }

    @Test
    void unwrittenRowsAreCaughtAsNonFinite() {
        Backend lazy = new Faulty(other, (logits, rows) -> { });
        Backend skipping = new Backend() {
            public LlamaConfig config() { return other.config(); }
            public KvCache newKvCache(int n, int b) { return other.newKvCache(n, b); }
            public void forward(ForwardBatch batch, KvCache cache, float[] logits) {
                float[] scratch = new float[logits.length];
                other.forward(batch, cache, scratch);
                int v = other.config().vocabSize();
                System.arraycopy(scratch, 0, logits, 0, (batch.logitRows() - 1) * v); // the last row is never written
            }
            public String name() { return "skipping"; }
            public void close() { }
        };
        assertTrue(new BackendComparison(ref, lazy, 1e-4).prefillThenDecode("ok", new int[]{2}, 1, 3).passes(1e-4));
        BackendComparison.Result r = new BackendComparison(ref, skipping, 1e-4)
                .prefillThenDecode("skipping", new int[]{2, 3}, 2, 3);
        assertEquals(3, r.nonFinite(), "the last row of each of the three steps");
        assertTrue(Double.isFinite(r.normRel()), "the written rows are still measured: " + r.format());
        assertTrue(!r.passes(1), r.format());
    }

    @Test
    void aReferenceThatComputedNothingFailsEvenAgainstItsTwin() {
        Backend zeros = new Faulty(other, (logits, rows) -> java.util.Arrays.fill(logits, 0f));
        BackendComparison.Result r = new BackendComparison(zeros, zeros, 1e-6)
                .prefillThenDecode("zeros", new int[]{3}, 2, 5);
        assertEquals(0.0, r.maxAbs());
        assertEquals(r.rows(), r.degenerate());
        assertTrue(!r.passes(1), "identical all-zero outputs prove nothing: " + r.format());
    }

    @Test
    void smallNoiseIsMeasuredAndJudgedByTheTolerance() {
        Backend noisy = new Faulty(other, (logits, rows) -> {
            for (int i = 0; i < logits.length; i++) {
                logits[i] += (i % 7 - 3) * 1e-3f;
            }
        });
        BackendComparison.Result r = new BackendComparison(ref, noisy, 1e-2)
                .prefillThenDecode("noisy", new int[]{6}, 4, 4);
        assertTrue(r.maxAbs() >= 2.9e-3 && r.maxAbs() <= 3.1e-3, r.format());
        assertTrue(r.maxRel() > 0 && r.normRel() > 0, r.format());
        assertTrue(r.passes(r.normRel() * 1.01) || r.argmaxMismatches() > 0, r.format());
        assertTrue(!r.passes(r.normRel() / 2), "a tolerance under the error fails");
    }

    /** Runs the real backend, then applies a fault to the logits it wrote. */
    private record Faulty(Backend inner, BiConsumer<float[], Integer> fault) implements Backend {
        public LlamaConfig config() { return inner.config(); }
        public KvCache newKvCache(int n, int b) { return inner.newKvCache(n, b); }
        public void forward(ForwardBatch batch, KvCache cache, float[] logits) {
            inner.forward(batch, cache, logits);
            fault.accept(logits, batch.logitRows());
        }
        public String name() { return "faulty"; }
        public void close() { }
    }
}
