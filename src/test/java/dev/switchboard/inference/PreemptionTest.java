package dev.switchboard.inference;

import dev.switchboard.inference.sampling.GenerationControls;
import dev.switchboard.inference.sampling.OccurrencePenalties;
import dev.switchboard.inference.sampling.Priority;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.DraftMode;
import dev.switchboard.inference.speculative.Speculation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.switchboard.inference.BatchingEngineTest.assertNothingHeld;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admission by use and preemption by recompute on a random-weight model: more streams without a token limit than
 * the KV cache holds at once all run together, get preempted and resumed, and give exactly the tokens each gives
 * alone (drafted or not, with a stateful logits processor or not); interactive requests are admitted before batch
 * ones and preempt them.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a hang guard (tests hold the loop in listeners), not a speed check
class PreemptionTest {
    private static final int CONTEXT = 256;

    /** KV cache of one context (16 blocks): one stream that runs to the context's end fills it alone. */
    private static Engine tiny(boolean prefixCaching) {
        return Engine.load(EngineOptions.of("synthetic:tiny").withContextLength(CONTEXT).withThreads(1)
                .withPrefillChunk(32).withKvCacheTokens(CONTEXT).withPrefixCaching(prefixCaching));
    }

    private static List<int[]> prompts(int n, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<int[]> prompts = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            int[] prompt = new int[length + random.nextInt(20)];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = 'a' + random.nextInt(p % 2 == 0 ? 3 : 26);
            }
            prompts.add(prompt);
        }
        return prompts;
    }

    /** What a client without max_tokens gets: the rest of the context. */
    private static SamplingParams noLimit(int[] prompt) {
        return SamplingParams.greedy(CONTEXT - prompt.length);
    }

    /** Stream 1 carries a stateful logits processor: a recompute must not feed it the tokens a second time. */
    private static GenerationControls controls(int stream) {
        return stream == 1 ? new GenerationControls(List.of(new OccurrencePenalties(0.4f, 0.3f)), null, false)
                : GenerationControls.NONE;
    }

    private static GenerationResult alone(int[] prompt, SamplingParams params, GenerationControls controls) {
        try (Engine engine = tiny(false)) {
            return engine.generate(prompt, params, controls, TokenListener.IGNORE, new Cancellation(),
                    Speculation.NONE);
        }
    }

    @Test
    void moreUnlimitedStreamsThanTheCacheHoldsRunTogetherAreResumedAndGiveTheTokensEachGivesAlone()
            throws Exception {
        List<int[]> prompts = prompts(6, 30, 3);
        List<GenerationResult> expected = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            expected.add(alone(prompts.get(i), noLimit(prompts.get(i)), controls(i)));
        }
        List<Speculation> speculations = List.of(Speculation.NONE, new Speculation(DraftMode.PROMPT, 4),
                new Speculation(DraftMode.SUFFIX, 3));
        for (boolean caching : new boolean[] {false, true}) {
            try (Engine engine = tiny(caching); ExecutorService pool = Executors.newFixedThreadPool(prompts.size())) {
                AtomicInteger mostRunning = new AtomicInteger();
                List<Future<GenerationResult>> futures = new ArrayList<>();
                for (int i = 0; i < prompts.size(); i++) {
                    int[] prompt = prompts.get(i);
                    Speculation s = speculations.get(i % speculations.size());
                    GenerationControls controls = controls(i);
                    futures.add(pool.submit(() -> engine.generate(prompt, noLimit(prompt), controls, delta -> {
                        mostRunning.accumulateAndGet(engine.stats().requestsRunning(), Math::max);
                        return true;
                    }, new Cancellation(), s)));
                }
                for (int i = 0; i < prompts.size(); i++) {
                    GenerationResult result = futures.get(i).get();
                    assertArrayEquals(expected.get(i).tokens(), result.tokens(), "request " + i);
                    assertEquals(FinishReason.LENGTH, result.finishReason(), "request " + i);
                    assertEquals(expected.get(i).text(), result.text(), "request " + i);
                }
                // Worst-case reservation would have run them one after the other, never preempting.
                assertTrue(mostRunning.get() > 1, "never more than one stream at a time");
                assertTrue(engine.stats().preemptions() > 0, "no stream was preempted: the test proves nothing");
                assertNothingHeld(engine);
            }
        }
    }

    @Test
    void aWaitingInteractiveRequestIsAdmittedBeforeBatchOnesAndPreemptsRunningBatch() throws Exception {
        // Prompts of 8 blocks: with the 1-block headroom, only one runs at a time in the 16-block cache.
        List<int[]> prompts = prompts(4, 128, 17).stream().map(p -> Arrays.copyOf(p, 128)).toList();
        SamplingParams params = SamplingParams.greedy(40);
        List<GenerationResult> expected = new ArrayList<>();
        for (int[] prompt : prompts) {
            expected.add(alone(prompt, params, GenerationControls.NONE));
        }
        try (Engine engine = tiny(true); ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<String> firstTokens = new CopyOnWriteArrayList<>();
            CountDownLatch holding = new CountDownLatch(1);
            // A batch request runs and holds the loop (listeners run on its output side) until the others queued.
            Future<GenerationResult> running = pool.submit(() -> generate(engine, prompts.get(0), params,
                    Priority.BATCH, "running batch", firstTokens, () -> {
                        holding.countDown();
                        while (engine.stats().requestsQueued() < 3) {
                            Thread.onSpinWait();
                        }
                    }));
            holding.await();
            Future<GenerationResult> batch1 = pool.submit(() -> generate(engine, prompts.get(1), params,
                    Priority.BATCH, "batch 1", firstTokens, () -> { }));
            awaitQueued(engine, 1);
            Future<GenerationResult> batch2 = pool.submit(() -> generate(engine, prompts.get(2), params,
                    Priority.BATCH, "batch 2", firstTokens, () -> { }));
            awaitQueued(engine, 2);
            Future<GenerationResult> interactive = pool.submit(() -> generate(engine, prompts.get(3), params,
                    Priority.INTERACTIVE, "interactive", firstTokens, () -> { }));
            List<Future<GenerationResult>> all = List.of(running, batch1, batch2, interactive);
            for (int i = 0; i < all.size(); i++) {
                assertArrayEquals(expected.get(i).tokens(), all.get(i).get().tokens(), "request " + i);
            }
            // The interactive one arrived last, preempted the running batch request and went ahead of the queue.
            assertEquals(List.of("running batch", "interactive", "batch 1", "batch 2"), firstTokens);
            assertTrue(engine.stats().preemptions() >= 1, "the running batch request was not preempted");
            assertNothingHeld(engine);
        }
    }

    private static GenerationResult generate(Engine engine, int[] prompt, SamplingParams params, Priority priority,
            String name, List<String> firstTokens, Runnable onFirst) {
        boolean[] seen = {false};
        return engine.generate(prompt, params, GenerationControls.NONE.withPriority(priority), delta -> {
            if (!seen[0]) {
                seen[0] = true;
                firstTokens.add(name);
                onFirst.run();
            }
            return true;
        }, new Cancellation(), Speculation.NONE);
    }

    private static void awaitQueued(Engine engine, int n) {
        while (engine.stats().requestsQueued() < n) {
            Thread.onSpinWait();
        }
    }
}
