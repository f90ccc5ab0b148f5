package dev.switchboard.inference;

import dev.switchboard.inference.sampling.GenerationControls;
import dev.switchboard.inference.sampling.SamplingParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
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

    private static String text(boolean specialsInText, int... sampled) {
        Sequence seq = new Sequence(new int[] {TinyChatModel.BOS, 'H'}, SamplingParams.greedy(10),
                new GenerationControls(List.of(), null, specialsInText), engine.tokenizer(),
                engine.config().contextLength(), TokenListener.IGNORE, new Cancellation());
        for (int t : sampled) {
            seq.accept(t);
        }
        GenerationResult r = seq.result();
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
