package dev.switchboard.inference;

import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.DraftMode;
import dev.switchboard.inference.speculative.Speculation;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drafting with a smaller model ({@code --draft FILE}): greedy output is token-identical to plain decoding, alone
 * and batched with other draft modes, and the draft model's KV blocks are given back with each sequence.
 */
class DraftModelEngineTest {

    private static GenerationResult generate(Engine engine, int[] prompt, int maxTokens, Speculation s) {
        return engine.generate(prompt, SamplingParams.greedy(maxTokens), TokenListener.IGNORE, new Cancellation(), s);
    }

    @Test
    void aModelDraftingForItselfIsAcceptedAndChangesNoToken() {
        Assumptions.assumeTrue(Files.exists(EngineTest.STORIES), "SKIPPED: " + EngineTest.STORIES + " absent");
        String stories = EngineTest.STORIES.toString();
        try (Engine engine = Engine.load(EngineOptions.of(stories).withContextLength(256).withThreads(1)
                .withDraftModel(stories))) {
            assertTrue(engine.hasDraftModel());
            Speculation model = new Speculation(DraftMode.MODEL, 4);
            for (String start : List.of("Once upon a time", "Tom and Sue went to the park.", "The sun was hot.")) {
                int[] prompt = engine.encodePrompt(start);
                GenerationResult plain = generate(engine, prompt, 60, Speculation.NONE);
                GenerationResult drafted = generate(engine, prompt, 60, model);
                assertArrayEquals(plain.tokens(), drafted.tokens(), start);
                assertEquals(plain.text(), drafted.text());
                assertTrue(drafted.acceptedTokens() > 0 && drafted.decodePasses() < plain.decodePasses(),
                        "the same model's greedy drafts pass: " + drafted.acceptedTokens() + " accepted");
            }
        }
    }

    @Test
    void anotherRandomModelDraftsExactlyAloneAndBatchedWithOtherModes() throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        List<int[]> prompts = new ArrayList<>();
        for (int p = 0; p < 6; p++) {
            int[] prompt = new int[6 + random.nextInt(40)];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = 'a' + random.nextInt(p % 2 == 0 ? 3 : 26);
            }
            prompts.add(prompt);
        }
        List<Speculation> modes = List.of(new Speculation(DraftMode.MODEL, 3), Speculation.NONE,
                new Speculation(DraftMode.PROMPT, 4), new Speculation(DraftMode.MODEL, 6));
        List<GenerationResult> expected = new ArrayList<>();
        try (Engine plain = Engine.load(EngineOptions.of("synthetic:tiny").withContextLength(160).withThreads(1))) {
            for (int[] prompt : prompts) {
                expected.add(generate(plain, prompt, 40, Speculation.NONE));
            }
        }
        try (Engine engine = Engine.load(EngineOptions.of("synthetic:tiny").withContextLength(160).withThreads(1)
                .withDraftModel("synthetic:tiny-tied"))) {
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(expected.get(i).tokens(), generate(engine, prompts.get(i), 40, modes.getFirst())
                        .tokens(), "alone, prompt " + i);
            }
            // All in shared steps: the draft model drafts for the MODEL sequences in shared passes too.
            List<GenerationResult> batched = BatchingEngineTest.together(engine, prompts, 40, modes);
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(expected.get(i).tokens(), batched.get(i).tokens(), "batched, prompt " + i);
            }
            assertTrue(engine.stats().draftedTokens() > 0);
            assertEquals(0, engine.stats().kvBlocksInUse());
        }
    }

    @Test
    void theDraftModelsBlocksComeBackWithEachSequence() {
        int[] prompt = new int[40];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 'a' + i % 5;
        }
        // A KV cache for one request at a time; the draft model's cache is as large. Were its blocks kept after a
        // sequence, a later sequence would find no room to draft and draft nothing.
        try (Engine engine = Engine.load(EngineOptions.of("synthetic:tiny").withContextLength(160).withThreads(1)
                .withKvCacheTokens(80).withDraftModel("synthetic:tiny"))) {
            Speculation model = new Speculation(DraftMode.MODEL, 4);
            for (int run = 0; run < 4; run++) {
                GenerationResult r = generate(engine, prompt, 30, model);
                assertTrue(r.draftedTokens() > 0, "run " + run + " drafted nothing");
            }
        }
    }

    @Test
    void aDraftModelWithAnotherTokenizerIsRefusedAndModelModeNeedsOne() {
        Assumptions.assumeTrue(Files.exists(EngineTest.STORIES), "SKIPPED: " + EngineTest.STORIES + " absent");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Engine.load(
                EngineOptions.of(EngineTest.STORIES.toString()).withContextLength(64).withThreads(1)
                        .withDraftModel("synthetic:tiny")));
        assertTrue(e.getMessage().contains("another tokenizer"), e.getMessage());
        try (Engine engine = Engine.load(EngineOptions.of("synthetic:tiny").withContextLength(64).withThreads(1))) {
            assertThrows(IllegalArgumentException.class, () -> generate(engine, new int[] {1, 2}, 4,
                    new Speculation(DraftMode.MODEL, 2)));
        }
    }
}
