package dev.switchboard.inference;

import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.DraftMode;
import dev.switchboard.inference.speculative.Speculation;
import dev.switchboard.inference.tokenizer.Tokenizer;
import dev.switchboard.inference.tokenizer.Tokenizers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generation loop against a scripted backend whose logits spell out a chosen reply: prefill chunking,
 * positions, KV blocks, finish reasons, streaming, stop strings, cancellation, and that batched generations never
 * overlap passes.
 * The vocabulary is {@link TinyChatModel}'s (byte tokens, so a reply is written character by character).
 */
class EngineLoopTest {
    private static Tokenizer tokenizer;
    private static int eot;

    @BeforeAll
    static void vocabulary(@TempDir Path dir) {
        try (GgufFile gguf = GgufFile.open(TinyChatModel.write(dir))) {
            tokenizer = Tokenizers.fromGguf(gguf);
        }
        eot = tokenizer.specialToken("<|eot_id|>");
    }

    /** Answers every pass with a one-hot row for the next token of {@code reply} (then repeats its last token). */
    static final class ScriptedBackend implements Backend {
        final LlamaConfig config;
        final int[] reply;
        final int promptLength;
        final List<int[]> passPositions = new CopyOnWriteArrayList<>();
        final List<int[]> passTokens = new CopyOnWriteArrayList<>();
        final List<Integer> passLogitRows = new CopyOnWriteArrayList<>();
        /** KV blocks the (last) sequence of each pass held. */
        final List<Integer> passBlocks = new CopyOnWriteArrayList<>();
        final AtomicInteger inFlight = new AtomicInteger();
        volatile boolean overlapped;
        volatile RuntimeException failAt;

        ScriptedBackend(int contextLength, int promptLength, int... reply) {
            this.config = new LlamaConfig(8, 16, 1, 1, 1, TinyChatModel.VOCAB, contextLength, 1e-5f, 1e4f, null);
            this.reply = reply;
            this.promptLength = promptLength;
        }

        @Override
        public LlamaConfig config() {
            return config;
        }

        @Override
        public KvCache newKvCache(int numBlocks, int blockSize) {
            return new KvCache() {
                public int numBlocks() { return numBlocks; }
                public int blockSize() { return blockSize; }
                public void close() { }
            };
        }

        @Override
        public void forward(ForwardBatch batch, KvCache cache, float[] logits) {
            if (inFlight.incrementAndGet() > 1) {
                overlapped = true;
            }
            try {
                if (failAt != null) {
                    throw failAt;
                }
                int[] positions = new int[batch.size()];
                int[] tokens = new int[batch.size()];
                int row = 0;
                for (int i = 0; i < batch.size(); i++) {
                    positions[i] = batch.position(i);
                    tokens[i] = batch.token(i);
                    assertTrue(batch.table(i).size() * cache.blockSize() > batch.position(i),
                            "position " + batch.position(i) + " has no KV block");
                    if (batch.wantsLogits(i)) {
                        int next = reply[Math.min(batch.position(i) + 1 - promptLength, reply.length - 1)];
                        Arrays.fill(logits, row * config.vocabSize(), (row + 1) * config.vocabSize(), 0f);
                        logits[row * config.vocabSize() + next] = 10f;
                        row++;
                    }
                }
                passPositions.add(positions);
                passTokens.add(tokens);
                passBlocks.add(batch.table(batch.size() - 1).size());
                passLogitRows.add(batch.logitRows());
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public void close() {
        }
    }

    private static int[] bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            ids[i] = b[i] & 0xFF;
        }
        return ids;
    }

    private static int[] concat(int[] a, int... b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static Engine engine(ScriptedBackend backend, int prefillChunk) {
        return new Engine(backend, tokenizer, "scripted", prefillChunk, null);
    }

    @Test
    void prefillRunsInChunksThenOneTokenPerPass() {
        int[] prompt = bytes("0123456789");
        ScriptedBackend backend = new ScriptedBackend(64, prompt.length, concat(bytes("abc"), eot));
        try (Engine engine = engine(backend, 4)) {
            GenerationResult r = engine.generate(prompt, SamplingParams.greedy(50), TokenListener.IGNORE);
            assertEquals("abc", r.text());
            assertEquals(FinishReason.STOP, r.finishReason());
            assertArrayEquals(concat(bytes("abc"), eot), r.tokens(), "the stop token is counted, not shown");
            assertEquals(10, r.promptTokens());
            List<String> passes = backend.passPositions.stream().map(Arrays::toString).toList();
            assertEquals(List.of("[0, 1, 2, 3]", "[4, 5, 6, 7]", "[8, 9]", "[10]", "[11]", "[12]"), passes);
            assertEquals(List.of(0, 0, 1, 1, 1, 1), backend.passLogitRows, "only the last prompt position's logits");
            assertEquals(Math.ceilDiv(64, Engine.BLOCK_SIZE), engine.freeKvBlocks(), "all KV blocks returned");
        }
    }

    @Test
    void speculativePassesVerifyDraftsAtTheNextPositionsAndGiveBackBlocksOfRejectedOnes() {
        // The script repeats phrases of the prompt, then departs from them: prompt lookup drafts right, then wrong.
        int[] prompt = bytes("the cat sat on the mat. the dog sat on the log.");
        int[] reply = concat(bytes("the cat sat on the log. the dog sat on the mat. the end"), eot);
        ScriptedBackend plainBackend = new ScriptedBackend(128, prompt.length, reply);
        ScriptedBackend backend = new ScriptedBackend(128, prompt.length, reply);
        try (Engine plain = engine(plainBackend, 64); Engine engine = engine(backend, 64)) {
            GenerationResult expected = plain.generate(prompt, SamplingParams.greedy(100), TokenListener.IGNORE);
            GenerationResult r = engine.generate(prompt, SamplingParams.greedy(100), TokenListener.IGNORE,
                    new Cancellation(), new Speculation(DraftMode.PROMPT, 6));
            assertArrayEquals(expected.tokens(), r.tokens());
            assertEquals("the cat sat on the log. the dog sat on the mat. the end", r.text());
            assertTrue(r.acceptedTokens() > 0 && r.acceptedTokens() < r.draftedTokens(),
                    "some drafts accepted, some rejected: " + r.acceptedTokens() + " of " + r.draftedTokens());
            List<int[]> passes = backend.passPositions.subList(1, backend.passPositions.size()); // after prefill
            assertEquals(r.decodePasses(), passes.size());
            assertTrue(passes.size() < plainBackend.passPositions.size() - 1, "speculation saved passes");
            int next = prompt.length; // where the last emitted token goes
            int emitted = 1;
            for (int j = 0; j < passes.size(); j++) {
                int[] positions = passes.get(j);
                assertEquals(next, positions[0], "pass " + j + " starts at the last emitted token");
                for (int i = 1; i < positions.length; i++) {
                    assertEquals(positions[0] + i, positions[i], "drafts take the following positions");
                }
                assertEquals(Math.ceilDiv(positions[positions.length - 1] + 1, Engine.BLOCK_SIZE),
                        backend.passBlocks.get(j + 1), "pass " + j + " holds exactly the blocks its positions need");
                // How many of this pass's drafts were accepted: the script's tokens at those positions.
                int accepted = 0;
                while (accepted < positions.length - 1 && emitted + accepted < r.tokens().length
                        && r.tokens()[emitted + accepted] == draftedToken(backend, j + 1, accepted)) {
                    accepted++;
                }
                next += accepted + 1;
                emitted += accepted + 1;
            }
            assertEquals(Math.ceilDiv(128, Engine.BLOCK_SIZE), engine.freeKvBlocks(), "all KV blocks returned");
        }
    }

    @Test
    void aRejectedDraftThatCrossedIntoANewBlockGivesTheBlockBack() {
        // 48 prompt positions; the reply's 13th and 14th tokens "ab" (positions 60, 61) match the prompt's start,
        // so the pass at 61 drafts "cdef" into positions 62..65, across the block boundary at 64. The script says
        // 'Q' instead: after the rejection the sequence needs positions up to 62 only, and "bQ" matches nothing,
        // so the next pass is the single position 62, which must hold 4 blocks, not 5.
        int[] prompt = bytes("abcdefgh0123456789ABCDEFGHIJKLMNOPRSTUVWXYZ!#$%&");
        assertEquals(48, prompt.length);
        int[] reply = concat(bytes("ijklmnopqrstabQuvwxyz"), eot);
        ScriptedBackend backend = new ScriptedBackend(128, prompt.length, reply);
        try (Engine engine = engine(backend, 64)) {
            GenerationResult r = engine.generate(prompt, SamplingParams.greedy(100), TokenListener.IGNORE,
                    new Cancellation(), new Speculation(DraftMode.PROMPT, 6));
            assertEquals("ijklmnopqrstabQuvwxyz", r.text());
            assertEquals(4, r.draftedTokens());
            assertEquals(0, r.acceptedTokens());
            List<String> passes = backend.passPositions.stream().map(Arrays::toString).toList();
            int crossing = passes.indexOf("[61, 62, 63, 64, 65]");
            assertTrue(crossing > 0, passes.toString());
            assertEquals(5, backend.passBlocks.get(crossing));
            assertEquals("[62]", passes.get(crossing + 1));
            assertEquals(4, backend.passBlocks.get(crossing + 1), "the block of positions 64..79 was given back");
            assertEquals(Math.ceilDiv(128, Engine.BLOCK_SIZE), engine.freeKvBlocks());
        }
    }

    /** The token the engine fed at entry {@code 1 + draftIndex} of pass {@code pass}: recorded by position only. */
    private static int draftedToken(ScriptedBackend backend, int pass, int draftIndex) {
        return backend.passTokens.get(pass)[1 + draftIndex];
    }

    @Test
    void maxTokensAndAFullContextEndWithLength() {
        int[] prompt = bytes("hi");
        ScriptedBackend backend = new ScriptedBackend(64, prompt.length, bytes("xyzxyzxyz"));
        try (Engine engine = engine(backend, 8)) {
            GenerationResult r = engine.generate(prompt, SamplingParams.greedy(4), TokenListener.IGNORE);
            assertEquals("xyzx", r.text());
            assertEquals(FinishReason.LENGTH, r.finishReason());
            assertEquals(4, r.completionTokens());
        }
        ScriptedBackend small = new ScriptedBackend(6, prompt.length, bytes("xyzxyzxyz"));
        try (Engine engine = engine(small, 8)) {
            GenerationResult r = engine.generate(prompt, SamplingParams.greedy(100), TokenListener.IGNORE);
            assertEquals(FinishReason.LENGTH, r.finishReason());
            assertEquals("xyzx", r.text(), "2 prompt + 4 generated tokens fill a context of 6");
            int lastPosition = small.passPositions.getLast()[0];
            assertTrue(lastPosition < 6, "no pass beyond the context: " + lastPosition);
        }
    }

    @Test
    void streamedDeltasAddUpToTheTextAndMultiByteCharactersArriveWhole() {
        int[] prompt = bytes("q");
        ScriptedBackend backend = new ScriptedBackend(64, prompt.length, concat(bytes("caf\u00e9 \uD83D\uDE00!"), eot));
        try (Engine engine = engine(backend, 8)) {
            List<String> deltas = new ArrayList<>();
            GenerationResult r = engine.generate(prompt, SamplingParams.greedy(50), d -> deltas.add(d));
            assertEquals("caf\u00e9 \uD83D\uDE00!", r.text());
            assertEquals(r.text(), String.join("", deltas));
            assertTrue(deltas.contains("\u00e9"), "the two bytes of \u00e9 come as one delta: " + deltas);
            assertTrue(deltas.contains("\uD83D\uDE00"), "the four bytes of the emoji come as one delta: " + deltas);
            assertFalse(deltas.stream().anyMatch(d -> d.contains("\uFFFD")), deltas.toString());
        }
    }

    @Test
    void stopStringsSpanningTokensAreNeverStreamed() {
        int[] prompt = bytes("q");
        ScriptedBackend backend = new ScriptedBackend(64, prompt.length, bytes("Hello END world, ENDLESS"));
        try (Engine engine = engine(backend, 8)) {
            List<String> deltas = new ArrayList<>();
            SamplingParams params = new SamplingParams(0f, 0, 1f, null, 50, List.of("END"));
            GenerationResult r = engine.generate(prompt, params, d -> deltas.add(d));
            assertEquals("Hello ", r.text());
            assertEquals(FinishReason.STOP, r.finishReason());
            assertEquals("Hello ", String.join("", deltas));
            assertEquals(9, r.completionTokens(), "generation ended at the D of END");
        }
    }

    @Test
    void heldBackTextIsReleasedWhenGenerationEndsOtherwise() {
        int[] prompt = bytes("q");
        ScriptedBackend backend = new ScriptedBackend(64, prompt.length, concat(bytes("wait EN"), eot));
        try (Engine engine = engine(backend, 8)) {
            List<String> deltas = new ArrayList<>();
            SamplingParams params = new SamplingParams(0f, 0, 1f, null, 50, List.of("END"));
            GenerationResult r = engine.generate(prompt, params, d -> deltas.add(d));
            assertEquals("wait EN", r.text());
            assertEquals("wait EN", String.join("", deltas));
            assertEquals(FinishReason.STOP, r.finishReason());
        }
    }

    @Test
    void aListenerThatRefusesTextCancels() {
        int[] prompt = bytes("q");
        ScriptedBackend backend = new ScriptedBackend(64, prompt.length, bytes("abcdefghijklmnop"));
        try (Engine engine = engine(backend, 8)) {
            AtomicInteger calls = new AtomicInteger();
            GenerationResult r = engine.generate(prompt, SamplingParams.greedy(50), d -> calls.incrementAndGet() < 3);
            assertEquals(FinishReason.CANCELLED, r.finishReason());
            assertEquals(3, r.completionTokens());
            assertEquals(3, calls.get(), "no text after the refusal");
            assertEquals(1, engine.stats().cancelled());
        }
    }

    @Test
    void aCancelledHandleStopsBeforeTheNextPass() {
        int[] prompt = bytes("0123456789");
        ScriptedBackend backend = new ScriptedBackend(64, prompt.length, bytes("abcdef"));
        try (Engine engine = engine(backend, 2)) {
            Cancellation cancel = new Cancellation();
            cancel.cancel();
            GenerationResult r = engine.generate(prompt, SamplingParams.greedy(50), TokenListener.IGNORE, cancel);
            assertEquals(FinishReason.CANCELLED, r.finishReason());
            assertEquals(0, r.completionTokens());
            assertTrue(backend.passPositions.isEmpty(), "nothing computed for a cancelled request");
        }
    }

    @Test
    void closingCancelsTheRunningGenerationAndRefusesNewOnes() throws Exception {
        int[] prompt = bytes("q");
        ScriptedBackend backend = new ScriptedBackend(4096, prompt.length, bytes("abc"));
        Engine engine = engine(backend, 8);
        Thread[] closer = new Thread[1];
        GenerationResult r = engine.generate(prompt, SamplingParams.greedy(4000), delta -> {
            if (closer[0] == null) {
                closer[0] = Thread.ofPlatform().start(engine::close);
            }
            return true;
        });
        closer[0].join();
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertTrue(r.completionTokens() < 4000, "stopped after " + r.completionTokens() + " tokens");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> engine.generate(prompt, SamplingParams.greedy(1), TokenListener.IGNORE));
        assertEquals("engine is closed", e.getMessage());
    }

    @Test
    void invalidPromptsAreRejectedWithReasons() {
        ScriptedBackend backend = new ScriptedBackend(8, 0, bytes("a"));
        try (Engine engine = engine(backend, 8)) {
            SamplingParams p = SamplingParams.greedy(1);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> engine.generate(new int[0], p,
                    TokenListener.IGNORE)).getMessage().contains("empty"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> engine.generate(new int[8], p,
                    TokenListener.IGNORE)).getMessage().contains("context holds 8"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> engine.generate(new int[] {5000}, p,
                    TokenListener.IGNORE)).getMessage().contains("outside the vocabulary"));
        }
    }

    @Test
    void aFailingPassReturnsTheKvBlocks() {
        int[] prompt = bytes("hello");
        ScriptedBackend backend = new ScriptedBackend(64, prompt.length, bytes("abc"));
        try (Engine engine = engine(backend, 8)) {
            backend.failAt = new IllegalStateException("device lost");
            assertThrows(IllegalStateException.class,
                    () -> engine.generate(prompt, SamplingParams.greedy(5), TokenListener.IGNORE));
            assertEquals(Math.ceilDiv(64, Engine.BLOCK_SIZE), engine.freeKvBlocks());
            backend.failAt = null;
            assertEquals("abc", engine.generate(prompt, SamplingParams.greedy(3), TokenListener.IGNORE).text());
        }
    }

    @Test
    void concurrentGenerationsNeverRunTwoPassesAtOnce() throws Exception {
        int[] prompt = bytes("prompt");
        ScriptedBackend backend = new ScriptedBackend(256, prompt.length, bytes("the same reply every time"));
        try (Engine engine = engine(backend, 3); ExecutorService pool = Executors.newFixedThreadPool(4)) {
            AtomicBoolean allSame = new AtomicBoolean(true);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> {
                    String text = engine.generate(prompt, SamplingParams.greedy(25), TokenListener.IGNORE).text();
                    if (!text.equals("the same reply every time")) {
                        allSame.set(false);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            assertFalse(backend.overlapped, "two forward passes ran at once");
            assertTrue(allSame.get());
            assertEquals(8, engine.stats().generations());
            assertEquals(8 * 25, engine.stats().completionTokens());
        }
    }
}
