package dev.switchboard.inference;

import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.DraftMode;
import dev.switchboard.inference.speculative.Speculation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Continuous batching and prefix caching on a random-weight model: concurrent generations give exactly the tokens
 * each gives alone (with and without speculation, with the prefix cache), cached prefixes skip prefill, a KV cache
 * too small for all requests queues them, eviction under pressure stays correct, and no block leaks.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a hang guard (tests hold the scheduler in listeners), not a speed check
class BatchingEngineTest {
    private static final int CONTEXT = 256;
    private static final int SYSTEM_PROMPT = 40;

    private static Engine tiny(int kvTokens, boolean prefixCaching) {
        return Engine.load(EngineOptions.of("synthetic:tiny").withContextLength(CONTEXT).withThreads(1)
                .withPrefillChunk(32).withKvCacheTokens(kvTokens).withPrefixCaching(prefixCaching));
    }

    /** A shared "system prompt" then a request of its own; small alphabets repeat n-grams for the drafters. */
    private static List<int[]> prompts(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] system = new int[SYSTEM_PROMPT];
        for (int i = 0; i < system.length; i++) {
            system[i] = 'a' + random.nextInt(4);
        }
        List<int[]> prompts = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            int[] prompt = Arrays.copyOf(system, SYSTEM_PROMPT + 3 + random.nextInt(25));
            for (int i = SYSTEM_PROMPT; i < prompt.length; i++) {
                prompt[i] = 'a' + random.nextInt(p % 2 == 0 ? 3 : 26);
            }
            prompts.add(prompt);
        }
        return prompts;
    }

    private static final List<Speculation> MIXED = List.of(Speculation.NONE, new Speculation(DraftMode.PROMPT, 2),
            new Speculation(DraftMode.SUFFIX, 5), new Speculation(DraftMode.PROMPT, 8));

    /** Each prompt alone on an engine without prefix caching and without speculation: the reference output. */
    private static List<GenerationResult> alone(List<int[]> prompts, int maxTokens) {
        List<GenerationResult> results = new ArrayList<>();
        try (Engine engine = tiny(0, false)) {
            for (int[] prompt : prompts) {
                results.add(engine.generate(prompt, SamplingParams.greedy(maxTokens), TokenListener.IGNORE));
            }
        }
        return results;
    }

    /**
     * Runs all prompts at once, and makes sure they really share steps: the first generation's first delta holds
     * the scheduler (listeners run on its thread) until every other request has arrived and queued, so the next step
     * admits them all together.
     */
    static List<GenerationResult> together(Engine engine, List<int[]> prompts, int maxTokens,
            List<Speculation> speculations) throws Exception {
        int n = prompts.size();
        CountDownLatch holding = new CountDownLatch(1);
        AtomicInteger maxQueued = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<GenerationResult>> futures = new ArrayList<>();
            boolean[] held = {false};
            futures.add(pool.submit(() -> engine.generate(prompts.getFirst(), SamplingParams.greedy(maxTokens),
                    delta -> {
                        if (!held[0]) {
                            held[0] = true;
                            holding.countDown();
                            while (engine.stats().requestsQueued() < n - 1) {
                                Thread.onSpinWait();
                            }
                            maxQueued.set(engine.stats().requestsQueued());
                        }
                        return true;
                    }, new Cancellation(), speculations.getFirst())));
            holding.await();
            for (int i = 1; i < n; i++) {
                int[] prompt = prompts.get(i);
                Speculation s = speculations.get(i % speculations.size());
                futures.add(pool.submit(() -> engine.generate(prompt, SamplingParams.greedy(maxTokens),
                        TokenListener.IGNORE, new Cancellation(), s)));
            }
            List<GenerationResult> results = new ArrayList<>();
            for (Future<GenerationResult> f : futures) {
                results.add(f.get());
            }
            assertEquals(n - 1, maxQueued.get());
            return results;
        }
    }

    private static void assertSameTokens(List<GenerationResult> expected, List<GenerationResult> actual) {
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).tokens(), actual.get(i).tokens(), "request " + i);
            assertEquals(expected.get(i).finishReason(), actual.get(i).finishReason(), "request " + i);
        }
    }

    static void assertNothingHeld(Engine engine) {
        EngineStats s = engine.stats();
        assertEquals(0, s.kvBlocksInUse(), "KV blocks leaked");
        assertEquals(s.kvBlocksTotal(), engine.freeKvBlocks());
        assertEquals(0, s.requestsRunning());
        assertEquals(0, s.requestsQueued());
    }

    @Test
    void eightConcurrentRequestsGiveTheTokensEachGivesAloneWithMixedDraftLengthsAndTheCache() throws Exception {
        List<int[]> prompts = prompts(8, 5);
        List<GenerationResult> expected = alone(prompts, 48);
        for (List<Speculation> speculations : List.of(List.of(Speculation.NONE), MIXED)) {
            for (boolean caching : new boolean[] {false, true}) {
                try (Engine engine = tiny(0, caching)) {
                    List<GenerationResult> results = together(engine, prompts, 48, speculations);
                    assertSameTokens(expected, results);
                    EngineStats s = engine.stats();
                    long passes = results.stream().mapToLong(r -> r.decodePasses()).sum();
                    assertTrue(s.steps() < passes, "generations shared steps: " + s.steps() + " steps for "
                            + passes + " decode passes");
                    if (caching) {
                        // The seven that queued behind the first find its system prompt's full blocks.
                        assertEquals(7L * (SYSTEM_PROMPT / 16) * 16, s.reusedPromptTokens());
                    }
                    if (speculations == MIXED) {
                        assertTrue(s.acceptedTokens() > 0, "no draft accepted: the test would pass vacuously");
                    }
                    assertNothingHeld(engine);
                }
            }
        }
    }

    @Test
    void aCachedPrefixSkipsItsPrefillAndGivesTheSameOutput() {
        int[] prompt = prompts(1, 9).getFirst();
        int[] longer = Arrays.copyOf(prompt, 70);
        for (int i = prompt.length; i < longer.length; i++) {
            longer[i] = 'x';
        }
        GenerationResult reference;
        GenerationResult referenceLonger;
        try (Engine off = tiny(0, false)) {
            reference = off.generate(longer, SamplingParams.greedy(30), TokenListener.IGNORE);
            off.generate(longer, SamplingParams.greedy(30), TokenListener.IGNORE);
            assertEquals(140, off.stats().prefilledTokens(), "without the cache every prompt is computed");
            assertEquals(0, off.stats().reusedPromptTokens());
            referenceLonger = off.generate(concat(longer, reference.tokens()), SamplingParams.greedy(10),
                    TokenListener.IGNORE);
        }
        try (Engine engine = tiny(0, true)) {
            GenerationResult first = engine.generate(longer, SamplingParams.greedy(30), TokenListener.IGNORE);
            assertEquals(70, engine.stats().prefilledTokens());
            GenerationResult second = engine.generate(longer, SamplingParams.greedy(30), TokenListener.IGNORE);
            // 70 tokens: the first 4 blocks (64) are full and precede the last token; 6 are computed again.
            assertEquals(70 + 6, engine.stats().prefilledTokens());
            assertEquals(64, engine.stats().reusedPromptTokens());
            assertEquals(64.0 / 140, engine.stats().prefixHitRate(), 1e-9);
            assertArrayEquals(reference.tokens(), first.tokens());
            assertArrayEquals(reference.tokens(), second.tokens());
            // The next turn quotes the answer: blocks of generated tokens were cached too (70 + 30 - 1 of them
            // final: the last token was never fed), so 6 blocks of its 100-token prompt are reused.
            GenerationResult next = engine.generate(concat(longer, second.tokens()), SamplingParams.greedy(10),
                    TokenListener.IGNORE);
            assertEquals(64 + 96, engine.stats().reusedPromptTokens());
            assertArrayEquals(referenceLonger.tokens(), next.tokens());
            assertNothingHeld(engine);
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aKvCacheTooSmallForAllRequestsQueuesThemAndAllCompleteCorrectly() throws Exception {
        List<int[]> prompts = prompts(6, 13);
        List<GenerationResult> expected = alone(prompts, 40);
        // Room for 8 blocks: a request needs up to ceil((68 + 40 - 1) / 16) = 7, so one runs at a time (or two
        // with a shared prefix and short prompts).
        try (Engine engine = tiny(128, true)) {
            List<GenerationResult> results = together(engine, prompts, 40, MIXED);
            assertSameTokens(expected, results);
            assertNothingHeld(engine);
        }
        try (Engine engine = tiny(128, true)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> engine.generate(
                    prompts.getFirst(), SamplingParams.greedy(200), TokenListener.IGNORE));
            assertTrue(e.getMessage().contains("the KV cache has 8"), e.getMessage());
        }
    }

    @Test
    void evictionUnderPressureKeepsOutputsCorrect() throws Exception {
        // Many distinct system prompts through a cache that holds few: cached blocks are evicted and reused.
        List<int[]> prompts = new ArrayList<>();
        for (int seed = 0; seed < 6; seed++) {
            prompts.addAll(prompts(2, 100 + seed));
        }
        List<GenerationResult> expected = alone(prompts, 20);
        try (Engine engine = tiny(192, true)) {
            for (int round = 0; round < 2; round++) {
                List<GenerationResult> results = together(engine, prompts, 20, MIXED);
                assertSameTokens(expected, results);
            }
            assertTrue(engine.stats().kvEvictions() > 0, "the cache never had to evict: no pressure");
            assertTrue(engine.stats().reusedPromptTokens() > 0, "nothing was reused");
            assertNothingHeld(engine);
        }
    }

    @Test
    void cancellationMidStreamFreesBlocksAtOnceWhileOthersRun() throws Exception {
        List<int[]> prompts = prompts(3, 21);
        List<GenerationResult> expected = alone(prompts, 60);
        try (Engine engine = tiny(0, true); ExecutorService pool = Executors.newSingleThreadExecutor()) {
            CountDownLatch holding = new CountDownLatch(1);
            Future<GenerationResult> a = pool.submit(() -> engine.generate(prompts.get(0), SamplingParams.greedy(60),
                    delta -> {
                        // Hold the scheduler (this runs on its thread) until the next request arrived: both overlap.
                        if (holding.getCount() > 0) {
                            holding.countDown();
                            while (engine.stats().requestsQueued() == 0) {
                                Thread.onSpinWait();
                            }
                        }
                        return true;
                    }));
            holding.await();
            Cancellation cancel = new Cancellation();
            GenerationResult b = engine.generate(prompts.get(1), SamplingParams.greedy(60), delta -> {
                cancel.cancel();
                return true;
            }, cancel);
            assertEquals(FinishReason.CANCELLED, b.finishReason());
            assertTrue(b.completionTokens() < 60);
            assertArrayEquals(Arrays.copyOf(expected.get(1).tokens(), b.completionTokens()), b.tokens());
            assertTrue(engine.stats().requestsRunning() <= 1, "the cancelled request left the batch");
            // A listener that refuses text cancels too.
            GenerationResult c = engine.generate(prompts.get(2), SamplingParams.greedy(60), delta -> false);
            assertEquals(FinishReason.CANCELLED, c.finishReason());
            assertArrayEquals(expected.get(0).tokens(), a.get().tokens(), "the running neighbour is unaffected");
            assertEquals(2, engine.stats().cancelled());
            assertNothingHeld(engine);
        }
    }

    @Test
    void manyRequestsWithCancellationsAndLimitsLeakNoBlock() throws Exception {
        List<int[]> prompts = prompts(40, 33);
        try (Engine engine = tiny(320, true); ExecutorService pool = Executors.newFixedThreadPool(6)) {
            List<Future<GenerationResult>> futures = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                int[] prompt = prompts.get(i);
                int id = i;
                Cancellation cancel = new Cancellation();
                if (i % 7 == 3) {
                    cancel.cancel(); // cancelled while queued or before its first step
                }
                futures.add(pool.submit(() -> engine.generate(prompt, SamplingParams.greedy(5 + id % 30),
                        delta -> id % 5 != 1 || delta.isEmpty(), cancel, MIXED.get(id % MIXED.size()))));
            }
            int cancelled = 0;
            for (Future<GenerationResult> f : futures) {
                if (f.get().finishReason() == FinishReason.CANCELLED) {
                    cancelled++;
                }
            }
            assertTrue(cancelled >= 6, "the cancelled requests ended cancelled: " + cancelled);
            assertEquals(40, engine.stats().generations());
            assertNothingHeld(engine);
        }
    }
}
