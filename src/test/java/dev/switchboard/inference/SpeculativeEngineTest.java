package dev.switchboard.inference;

import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.DraftMode;
import dev.switchboard.inference.speculative.Speculation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Speculative decoding through the engine: greedy output is token-identical to decoding without it, for each
 * drafter and several draft limits, on a trained model (stories260K) and a random one; stops and limits stay exact;
 * KV blocks freed by rollback are not leaked.
 */
class SpeculativeEngineTest {
    private static final List<Speculation> SPECULATIONS = List.of(
            new Speculation(DraftMode.PROMPT, 1), new Speculation(DraftMode.PROMPT, 4),
            new Speculation(DraftMode.PROMPT, 8), new Speculation(DraftMode.SUFFIX, 3),
            new Speculation(DraftMode.SUFFIX, 8), new Speculation(DraftMode.SUFFIX, 16));

    private static GenerationResult run(Engine engine, int[] prompt, SamplingParams params, Speculation s) {
        List<String> deltas = new ArrayList<>();
        GenerationResult r = engine.generate(prompt, params, deltas::add, new Cancellation(), s);
        assertEquals(r.text(), String.join("", deltas), "streamed text is the result's text");
        return r;
    }

    private static void assertSameOutput(GenerationResult expected, GenerationResult actual, String what) {
        assertArrayEquals(expected.tokens(), actual.tokens(), what);
        assertEquals(expected.text(), actual.text(), what);
        assertEquals(expected.finishReason(), actual.finishReason(), what);
    }

    /**
     * Prompts that quote the model's own earlier output: a story start, its greedy continuation, then the start
     * again, so that the continuation repeats and drafts from the prompt are right.
     */
    private static List<int[]> quotingPrompts(Engine engine, List<String> starts, int quoted) {
        List<int[]> prompts = new ArrayList<>();
        for (String start : starts) {
            String earlier = engine.generate(engine.encodePrompt(start), SamplingParams.greedy(quoted),
                    TokenListener.IGNORE).text();
            prompts.add(engine.encodePrompt(start + earlier + "\n" + start));
            prompts.add(engine.encodePrompt(start)); // and one with nothing to quote
        }
        return prompts;
    }

    @Test
    void greedyStoriesAreIdenticalWithEveryDrafter() {
        try (Engine engine = EngineTest.stories(512, 64)) {
            List<int[]> prompts = quotingPrompts(engine, List.of("Once upon a time, there was a little dog.",
                    "Tom and Sue went to the park.", "The sun was hot. A bird sang", "Lily had a red ball."), 60);
            int free = engine.freeKvBlocks();
            for (Speculation s : SPECULATIONS) {
                long accepted = 0;
                for (int[] prompt : prompts) {
                    GenerationResult plain = run(engine, prompt, SamplingParams.greedy(90), Speculation.NONE);
                    GenerationResult fast = run(engine, prompt, SamplingParams.greedy(90), s);
                    assertSameOutput(plain, fast, s.toString());
                    assertTrue(fast.acceptedTokens() <= fast.draftedTokens());
                    // The first token comes from prefill, each pass then emits its accepted drafts and one more
                    // (fewer when a stop cuts the run).
                    assertTrue(fast.completionTokens() <= 1 + fast.decodePasses() + fast.acceptedTokens(), s.toString());
                    accepted += fast.acceptedTokens();
                }
                assertTrue(accepted > 0, s + " accepted no draft: the test would pass vacuously");
                assertEquals(free, engine.freeKvBlocks(), "KV blocks leaked");
            }
            assertTrue(engine.stats().acceptedTokens() > 0);
        }
    }

    /**
     * Support's case: the answer is in the corpus (an FAQ answer, an earlier answer), not in the prompt. Drafting
     * from it changes no token and gains more than one token per pass; a corpus of other text changes nothing.
     */
    @Test
    void greedyWithADraftCorpusIsIdenticalAndGainsWhenTheCorpusHoldsTheAnswer() {
        try (Engine engine = EngineTest.stories(512, 64)) {
            Speculation suffix = new Speculation(DraftMode.SUFFIX, 8);
            for (String start : List.of("Once upon a time, there was a little dog.", "Lily had a red ball.")) {
                int[] prompt = engine.encodePrompt(start);
                GenerationResult plain = run(engine, prompt, SamplingParams.greedy(80), Speculation.NONE);
                GenerationResult bare = run(engine, prompt, SamplingParams.greedy(80), suffix);
                GenerationResult matching = run(engine, prompt, SamplingParams.greedy(80), suffix.withCorpus(
                        engine.encodeCorpus(List.of("The cat sat on the mat.", start + plain.text()))));
                GenerationResult other = run(engine, prompt, SamplingParams.greedy(80), suffix.withCorpus(
                        engine.encodeCorpus(List.of("Tom and Sue went to the park. They played all day."))));
                assertSameOutput(plain, bare, "suffix without a corpus");
                assertSameOutput(plain, matching, "suffix over a corpus holding the answer");
                assertSameOutput(plain, other, "suffix over an unrelated corpus");
                assertTrue(matching.acceptanceLength() > 1.5 && matching.acceptanceLength()
                        > bare.acceptanceLength(), start + ": with the answer in the corpus "
                        + matching.acceptanceLength() + " tokens per pass, without " + bare.acceptanceLength());
            }
        }
    }

    @Test
    void aDraftCorpusIsCappedInTokensAndHoldsOnlyVocabularyIds() {
        try (Engine engine = EngineTest.stories(512, 64)) {
            String text = "Once upon a time there was a dog. ".repeat(100);
            int perText = engine.encodeCorpus(List.of(text)).getFirst().length;
            List<String> texts = new ArrayList<>();
            for (int i = 0; i <= Speculation.MAX_CORPUS_TOKENS / perText; i++) {
                texts.add(text);
            }
            List<int[]> corpus = engine.encodeCorpus(texts);
            assertEquals(Speculation.MAX_CORPUS_TOKENS / perText, corpus.size(), "whole texts while they fit");
            List<int[]> tooMany = new ArrayList<>(corpus);
            tooMany.add(corpus.getFirst());
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> new Speculation(DraftMode.SUFFIX, 8, tooMany)).getMessage().contains("tokens"));
            Speculation outside = new Speculation(DraftMode.SUFFIX, 8, List.of(new int[] {1, 2, 1_000_000}));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> engine.generate(engine.encodePrompt("A"),
                    SamplingParams.greedy(4), TokenListener.IGNORE, new Cancellation(), outside)).getMessage()
                    .contains("1000000"));
        }
    }

    @Test
    void greedyRandomModelIsIdenticalWithEveryDrafter() {
        try (Engine engine = Engine.load(EngineOptions.of("synthetic:tiny").withContextLength(160).withThreads(1))) {
            SplittableRandom random = new SplittableRandom(11);
            long accepted = 0;
            for (int p = 0; p < 6; p++) {
                int[] prompt = new int[5 + random.nextInt(30)];
                for (int i = 0; i < prompt.length; i++) {
                    // A small alphabet repeats n-grams, so that the drafters have something to propose.
                    prompt[i] = 'a' + random.nextInt(p % 2 == 0 ? 3 : 26);
                }
                GenerationResult plain = run(engine, prompt, SamplingParams.greedy(60), Speculation.NONE);
                for (Speculation s : SPECULATIONS) {
                    GenerationResult fast = run(engine, prompt, SamplingParams.greedy(60), s);
                    assertSameOutput(plain, fast, s + " prompt " + p);
                    accepted += fast.acceptedTokens();
                }
            }
            assertTrue(accepted > 0, "no draft was accepted: the test would pass vacuously");
        }
    }

    @Test
    void stopStringsAndTokenLimitsCutAnAcceptedRunExactly() {
        try (Engine engine = EngineTest.stories(512, 64)) {
            int[] prompt = quotingPrompts(engine, List.of("Once upon a time, there was a little dog."), 60).getFirst();
            GenerationResult full = run(engine, prompt, SamplingParams.greedy(60), Speculation.NONE);
            // Every token limit and stop strings inside the repeated text, where drafts of many tokens pass.
            List<SamplingParams> cases = new ArrayList<>();
            for (int n = 1; n <= 24; n++) {
                cases.add(SamplingParams.greedy(n));
            }
            String text = full.text();
            for (int at : new int[] {3, 10, 25, text.length() / 2, text.length() - 4}) {
                String stop = text.substring(at, Math.min(text.length(), at + 3));
                cases.add(new SamplingParams(0f, 0, 1f, null, 60, List.of(stop)));
            }
            long accepted = 0;
            for (SamplingParams params : cases) {
                GenerationResult plain = run(engine, prompt, params, Speculation.NONE);
                for (Speculation s : List.of(new Speculation(DraftMode.PROMPT, 8),
                        new Speculation(DraftMode.SUFFIX, 16))) {
                    GenerationResult fast = run(engine, prompt, params, s);
                    assertSameOutput(plain, fast, s + " " + params);
                    assertTrue(fast.completionTokens() <= params.maxTokens());
                    accepted += fast.acceptedTokens();
                }
            }
            assertTrue(accepted > 0);
        }
    }

    @Test
    void contextLimitIsExactUnderSpeculation() {
        try (Engine engine = EngineTest.stories(100, 64)) {
            int[] prompt = quotingPrompts(engine, List.of("Tom and Sue went to the park."), 30).getFirst();
            assertTrue(prompt.length < 90, "prompt of " + prompt.length + " tokens leaves too little room");
            GenerationResult plain = run(engine, prompt, SamplingParams.greedy(200), Speculation.NONE);
            GenerationResult fast = run(engine, prompt, SamplingParams.greedy(200), new Speculation(DraftMode.SUFFIX, 16));
            assertSameOutput(plain, fast, "at the context's end");
            assertEquals(100 - prompt.length, fast.completionTokens());
        }
    }

    @Test
    void seededSamplingWithoutDraftIsUnchangedAndWithDraftStaysReproducible() {
        try (Engine engine = EngineTest.stories(256, 64)) {
            int[] prompt = engine.encodePrompt("Once upon a time");
            SamplingParams params = new SamplingParams(0.9f, 40, 0.95f, 42L, 50, List.of());
            GenerationResult a = run(engine, prompt, params, Speculation.NONE);
            GenerationResult b = engine.generate(prompt, params, TokenListener.IGNORE);
            assertArrayEquals(a.tokens(), b.tokens(), "the engine's default is no speculation");
            Speculation s = new Speculation(DraftMode.PROMPT, 8);
            assertArrayEquals(run(engine, prompt, params, s).tokens(), run(engine, prompt, params, s).tokens());
        }
    }
}
