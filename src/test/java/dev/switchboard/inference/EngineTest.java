package dev.switchboard.inference;

import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.tokenizer.ChatMessage;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine end to end on the CPU backend: a real trained model (stories260K) and a random chat model. */
class EngineTest {
    static final Path STORIES = Path.of("../shared/models/stories260K/stories260K.gguf");
    private static final String STORY_START =
            " Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";

    static Engine stories(int contextLength, int prefillChunk) {
        Assumptions.assumeTrue(Files.exists(STORIES),
                "SKIPPED: " + STORIES.toAbsolutePath() + " absent (the shared test models are not on this machine)");
        return Engine.load(EngineOptions.of(STORIES.toString()).withContextLength(contextLength)
                .withThreads(2).withPrefillChunk(prefillChunk));
    }

    @Test
    void greedyFromBosTellsTheKnownStory() {
        try (Engine engine = stories(512, 64)) {
            List<String> deltas = new ArrayList<>();
            GenerationResult r = engine.generate(new int[] {engine.tokenizer().bos()}, SamplingParams.greedy(60),
                    deltas::add);
            assertArrayEquals(new int[] {403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421},
                    Arrays.copyOf(r.tokens(), 12));
            assertTrue(r.text().startsWith(STORY_START), r.text());
            assertEquals(r.text(), String.join("", deltas));
            assertEquals(FinishReason.LENGTH, r.finishReason());
            assertEquals(60, r.completionTokens());
            assertEquals(1, r.promptTokens());
            assertTrue(r.decodeTokensPerSecond() > 0);
            System.out.printf("stories260K through Engine: time to first token %.2f ms, decode %.0f tok/s%n",
                    r.timeToFirstTokenMillis(), r.decodeTokensPerSecond());
        }
    }

    @Test
    void chunkedPrefillGivesTheSameContinuationAsOnePass() {
        String prompt = "Once upon a time, there was a big dog. The dog liked to run and jump in the sun.";
        String[] texts = new String[3];
        int[] chunks = {1, 7, 256};
        for (int i = 0; i < chunks.length; i++) {
            try (Engine engine = stories(256, chunks[i])) {
                texts[i] = engine.generate(engine.encodePrompt(prompt), SamplingParams.greedy(30),
                        TokenListener.IGNORE).text();
            }
        }
        assertEquals(texts[2], texts[0]);
        assertEquals(texts[2], texts[1]);
    }

    @Test
    void stopStringEndsTheStoryBeforeIt() {
        try (Engine engine = stories(512, 64)) {
            SamplingParams params = new SamplingParams(0f, 0, 1f, null, 60, List.of(" girl"));
            GenerationResult r = engine.generate(engine.encodePrompt(""), params, TokenListener.IGNORE);
            assertEquals(" Once upon a time, there was a little", r.text());
            assertEquals(FinishReason.STOP, r.finishReason());
        }
    }

    @Test
    void sameSeedSameStoryOtherSeedOtherStory() {
        try (Engine engine = stories(512, 64)) {
            int[] prompt = engine.encodePrompt("");
            String a = sample(engine, prompt, 7L);
            assertEquals(a, sample(engine, prompt, 7L));
            assertNotEquals(a, sample(engine, prompt, 8L));
        }
    }

    private static String sample(Engine engine, int[] prompt, long seed) {
        SamplingParams p = new SamplingParams(1f, 0, 0.95f, seed, 40, List.of());
        return engine.generate(prompt, p, TokenListener.IGNORE).text();
    }

    @Test
    void aFullContextEndsWithLength() {
        try (Engine engine = stories(16, 64)) {
            GenerationResult r = engine.generate(engine.encodePrompt("Once"), SamplingParams.greedy(100),
                    TokenListener.IGNORE);
            assertEquals(FinishReason.LENGTH, r.finishReason());
            assertEquals(16, r.promptTokens() + r.completionTokens());
        }
    }

    @Test
    void chatNeedsAChatVocabulary() {
        try (Engine engine = stories(64, 64)) {
            assertFalse(engine.supportsChat());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> engine.chat(List.of(new ChatMessage("user", "hi")), SamplingParams.greedy(5),
                            TokenListener.IGNORE));
            assertTrue(e.getMessage().contains("no chat vocabulary"), e.getMessage());
        }
    }

    @Test
    void chatOnARandomLlama3StyleModel(@TempDir Path dir) {
        Path file = TinyChatModel.write(dir);
        try (Engine engine = Engine.load(EngineOptions.of(file.toString()).withThreads(1))) {
            assertEquals(TinyChatModel.NAME, engine.modelName());
            assertTrue(engine.supportsChat());
            List<ChatMessage> messages = List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hi"));
            int[] prompt = engine.encodeChat(messages);
            assertEquals(engine.tokenizer().specialToken("<|begin_of_text|>"), prompt[0]);
            assertEquals(engine.tokenizer().specialToken("<|end_header_id|>"), prompt[prompt.length - 3],
                    "the prompt ends with the assistant header and its blank line");
            List<String> deltas = new ArrayList<>();
            GenerationResult r = engine.chat(messages, SamplingParams.greedy(20), deltas::add);
            assertEquals(prompt.length, r.promptTokens());
            assertEquals(20, r.completionTokens());
            assertEquals(20, r.text().length(), "one printable ASCII character per token");
            assertEquals(r.text(), String.join("", deltas));
            assertEquals(r.text(), engine.generate(prompt, SamplingParams.greedy(20), TokenListener.IGNORE).text());
        }
    }

    @Test
    void aHugeDeclaredContextIsCappedUnlessAskedFor(@TempDir Path dir) {
        Path file = TinyChatModel.write(dir, "long-context", 131072);
        try (Engine engine = Engine.load(EngineOptions.of(file.toString()).withThreads(1))) {
            assertEquals(EngineOptions.DEFAULT_MAX_CONTEXT, engine.config().contextLength());
            assertEquals("long-context", engine.modelName());
        }
        try (Engine engine = Engine.load(EngineOptions.of(file.toString()).withThreads(1).withContextLength(20000))) {
            assertEquals(20000, engine.config().contextLength());
        }
    }

    @Test
    void loadErrorsNameTheProblem(@TempDir Path dir) throws Exception {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Engine.load(EngineOptions.of(dir.resolve("nope.gguf").toString())));
        assertTrue(missing.getMessage().contains("nope.gguf") && missing.getMessage().contains("does not exist"));
        Path file = TinyChatModel.write(dir);
        IllegalArgumentException backend = assertThrows(IllegalArgumentException.class,
                () -> Engine.load(EngineOptions.of(file.toString()).withBackend("tpu")));
        assertTrue(backend.getMessage().contains("'tpu' is not one of cpu, cuda, auto"), backend.getMessage());
    }

    @Test
    void syntheticModelsGenerateBytes() {
        try (Engine engine = Engine.load(EngineOptions.of("synthetic:tiny").withContextLength(64).withThreads(1))) {
            GenerationResult r = engine.generate(engine.encodePrompt("hello"), SamplingParams.greedy(8),
                    TokenListener.IGNORE);
            assertEquals(FinishReason.LENGTH, r.finishReason(), "a synthetic vocabulary has no stop tokens");
            assertEquals(8, r.completionTokens());
            assertEquals(5, r.promptTokens());
        }
    }
}
