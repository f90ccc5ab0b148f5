package dev.switchboard.inference;

import dev.switchboard.inference.EngineLoopTest.ScriptedBackend;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.sampling.LogitsProcessor;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.DraftMode;
import dev.switchboard.inference.speculative.Speculation;
import dev.switchboard.inference.tokenizer.Tokenizer;
import dev.switchboard.inference.tokenizer.Tokenizers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loop's seams for what runs around a pass: a sequence's logits processors see each row it samples or verifies
 * (with the tokens before that row), and listeners run on the output thread, not the engine loop's.
 */
class LogitsProcessorSeamTest {
    private static Tokenizer tokenizer;

    @BeforeAll
    static void vocabulary(@TempDir Path dir) {
        try (GgufFile gguf = GgufFile.open(TinyChatModel.write(dir))) {
            tokenizer = Tokenizers.fromGguf(gguf);
        }
    }

    /** Favours 'z' over the script's token, and records the context of every row it saw. */
    private static final class FavourZ implements LogitsProcessor {
        final List<int[]> contexts = new ArrayList<>();

        @Override
        public void process(int[] tokens, int promptLength, int length, float[] logits, int offset, int vocabSize) {
            contexts.add(Arrays.copyOf(tokens, length));
            logits[offset + 'z'] += 20f;
        }
    }

    @Test
    void processorsChangeTheRowsBeforeSamplingWithAndWithoutDrafts() {
        int[] prompt = {'z', 'z', 'z', 'z', 'z', 'z'};
        for (Speculation speculation : List.of(Speculation.NONE, new Speculation(DraftMode.PROMPT, 4))) {
            ScriptedBackend backend = new ScriptedBackend(64, prompt.length, 'a', 'b', 'c');
            try (Engine engine = new Engine(backend, tokenizer, "scripted", 8, null)) {
                FavourZ favour = new FavourZ();
                SamplingParams params = SamplingParams.greedy(6).withProcessors(List.of(favour));
                GenerationResult r = engine.generate(prompt, params, TokenListener.IGNORE, new Cancellation(),
                        speculation);
                assertEquals("zzzzzz", r.text(), speculation.mode().wireName());
                // The row that picked token i saw the prompt and the i tokens before it.
                for (int i = 0; i < r.tokens().length; i++) {
                    int[] expected = Arrays.copyOf(prompt, prompt.length + i);
                    Arrays.fill(expected, prompt.length, expected.length, 'z');
                    assertTrue(favour.contexts.stream().anyMatch(c -> Arrays.equals(c, expected)),
                            "no row with the context of token " + i);
                }
                if (speculation.enabled()) {
                    assertTrue(r.acceptedTokens() > 0, "drafts were verified through the processor");
                }
            }
        }
        ScriptedBackend plain = new ScriptedBackend(64, prompt.length, 'a', 'b', 'c');
        try (Engine engine = new Engine(plain, tokenizer, "scripted", 8, null)) {
            GenerationResult r = engine.generate(prompt, SamplingParams.greedy(3), TokenListener.IGNORE);
            assertArrayEquals(new int[] {'a', 'b', 'c'}, r.tokens(), "without processors the script's tokens");
        }
    }

    @Test
    void listenersRunOnTheOutputThread() {
        ScriptedBackend backend = new ScriptedBackend(64, 1, 'h', 'i', '!');
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try (Engine engine = new Engine(backend, tokenizer, "scripted", 8, null)) {
            GenerationResult r = engine.generate(new int[] {'q'}, SamplingParams.greedy(3), delta -> {
                threads.add(Thread.currentThread().getName());
                return true;
            });
            assertEquals("hi!", r.text());
        }
        assertEquals(Set.of("engine-output-scripted"), threads);
    }
}
