package dev.switchboard.inference;

import dev.switchboard.inference.sampling.GenerationControls;
import dev.switchboard.inference.sampling.LogitsProcessor;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.Speculation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A sampled special token that does not stop generation (a BOS) counts as a token but is no text, unless asked. */
class SpecialTokenTextTest {
    static Engine engine;

    @BeforeAll
    static void load(@TempDir Path dir) {
        engine = Engine.load(EngineOptions.of(TinyChatModel.write(dir).toString()).withThreads(1));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** Generates exactly {@code sampled} through the loop: a processor leaves only the scripted token possible. */
    private static String text(boolean specialsInText, int... sampled) {
        LogitsProcessor script = (tokens, promptLength, length, logits, offset, vocabSize) -> {
            int next = sampled[length - promptLength];
            Arrays.fill(logits, offset, offset + vocabSize, Float.NEGATIVE_INFINITY);
            logits[offset + next] = 0;
        };
        GenerationResult r = engine.generate(new int[] {TinyChatModel.BOS, 'H'}, SamplingParams.greedy(sampled.length),
                new GenerationControls(List.of(script), null, specialsInText), TokenListener.IGNORE,
                new Cancellation(), Speculation.NONE);
        assertArrayEquals(sampled, r.tokens());
        return r.text();
    }

    @Test
    void aSampledBosIsNoText() {
        assertEquals("AB", text(false, 'A', TinyChatModel.BOS, 'B'));
    }

    @Test
    void askedFor_specialTokensAreSpelledOut() {
        assertEquals("A<|begin_of_text|>B", text(true, 'A', TinyChatModel.BOS, 'B'));
    }
}
