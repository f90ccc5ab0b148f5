package dev.switchboard.inference;

import dev.switchboard.inference.sampling.GenerationControls;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.Speculation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Several choices of one prompt ({@link Engine#generateChoices}, the API's {@code n}): each gives what a generation
 * of its own parameters gives alone, and the choices after the first take the prompt's full blocks from the prefix
 * cache instead of computing them again.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a hang guard, not a speed check
class ChoicesTest {
    private static final int[] PROMPT = new int[70];

    static {
        for (int i = 0; i < PROMPT.length; i++) {
            PROMPT[i] = 'a' + (i * 7) % 26;
        }
    }

    private static Engine tiny() {
        return Engine.load(EngineOptions.of("synthetic:tiny").withContextLength(256).withThreads(1)
                .withPrefillChunk(32));
    }

    private static List<GenerationResult> choices(Engine engine, List<SamplingParams> params) {
        List<GenerationControls> controls = Collections.nCopies(params.size(), GenerationControls.NONE);
        return engine.generateChoices(PROMPT, params, controls, Collections.nCopies(params.size(),
                TokenListener.IGNORE), new Cancellation(), Speculation.NONE);
    }

    @Test
    void choicesShareThePromptsBlocksAndEachGivesItsOwnSamplesTokens() {
        List<SamplingParams> params = new ArrayList<>();
        for (long seed = 11; seed < 14; seed++) {
            params.add(new SamplingParams(1f, 0, 0.95f, seed, 30, List.of()));
        }
        List<GenerationResult> alone = new ArrayList<>();
        try (Engine engine = tiny()) {
            for (SamplingParams p : params) {
                alone.add(engine.generate(PROMPT, p, TokenListener.IGNORE));
            }
        }
        try (Engine engine = tiny()) {
            List<GenerationResult> results = choices(engine, params);
            for (int i = 0; i < params.size(); i++) {
                assertArrayEquals(alone.get(i).tokens(), results.get(i).tokens(), "choice " + i);
            }
            assertEquals(0, results.getFirst().cachedPromptTokens());
            // 70 prompt tokens: the 4 full blocks before the last token come from the first choice's prefill.
            assertEquals(64, results.get(1).cachedPromptTokens());
            assertEquals(64, results.get(2).cachedPromptTokens());
            assertEquals(70 + 2 * 6, engine.stats().prefilledTokens(), "the later choices computed 6 positions each");
            assertEquals(engine.stats().kvBlocksTotal(), engine.freeKvBlocks(), "no block held");
        }
    }

    @Test
    void listsOfDifferentSizesAreRefused() {
        try (Engine engine = tiny()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> engine.generateChoices(
                    PROMPT, List.of(SamplingParams.greedy(3)), List.of(), List.of(TokenListener.IGNORE),
                    new Cancellation(), Speculation.NONE));
            assertEquals("one SamplingParams, GenerationControls and TokenListener per choice: got 1, 0 and 1",
                    e.getMessage());
        }
    }
}
