package dev.switchboard.inference.structured;

import dev.switchboard.inference.Cancellation;
import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.FinishReason;
import dev.switchboard.inference.GenerationResult;
import dev.switchboard.inference.TinyChatModel;
import dev.switchboard.inference.TokenListener;
import dev.switchboard.inference.json.Json;
import dev.switchboard.inference.sampling.GenerationControls;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.Speculation;
import dev.switchboard.inference.tokenizer.ChatMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random-weight models sampled at temperature 1 under the mask, many seeds: every output parses and validates.
 * Without the mask the same models write noise, so it is the mask that makes the JSON.
 */
class StructuredOutputTest {
    static Engine chat;
    static final JsonSchema SCHEMA = JsonSchema.parse(Json.parse("""
            {"type":"object","properties":{
              "city":{"type":"string","maxLength":12},
              "days":{"type":"integer"},
              "rain":{"type":"boolean"},
              "temps":{"type":"array","items":{"type":"number"},"maxItems":3},
              "unit":{"enum":["C","F"]},
              "where":{"type":"object","properties":{"lat":{"type":"number"},"note":{"type":["string","null"],
                "maxLength":8}},"required":["lat","note"],"additionalProperties":false}},
             "required":["city","days","rain","temps","unit","where"],"additionalProperties":false}"""));

    @BeforeAll
    static void load(@TempDir Path dir) {
        chat = Engine.load(EngineOptions.of(TinyChatModel.write(dir).toString()).withThreads(1));
    }

    @AfterAll
    static void close() {
        chat.close();
    }

    static GenerationResult generate(Engine engine, int[] prompt, JsonSchema schema, long seed, int maxTokens) {
        SamplingParams params = SamplingParams.builder().temperature(1f).seed(seed).maxTokens(maxTokens).build();
        GenerationControls controls = new GenerationControls(List.of(new JsonMask(schema, engine.tokenizer())), null,
                false);
        return engine.generate(prompt, params, controls, TokenListener.IGNORE, new Cancellation(), Speculation.NONE);
    }

    @Test
    void everySampledOutputOfTheChatModelValidates() {
        int[] prompt = chat.encodeChat(List.of(new ChatMessage("user", "Weather as JSON")));
        for (long seed = 1; seed <= 30; seed++) {
            GenerationResult r = generate(chat, prompt, SCHEMA, seed, 400);
            assertEquals(FinishReason.STOP, r.finishReason(), "seed " + seed + ": " + r.text());
            Object value = Json.parse(r.text());
            assertNull(SCHEMA.validate(value), "seed " + seed + ": " + r.text());
        }
    }

    @Test
    void jsonObjectModeGivesObjects() {
        int[] prompt = chat.encodeChat(List.of(new ChatMessage("user", "Anything as JSON")));
        for (long seed = 1; seed <= 30; seed++) {
            GenerationResult r = generate(chat, prompt, JsonSchema.ANY_OBJECT, seed, 600);
            assertEquals(FinishReason.STOP, r.finishReason(), "seed " + seed + ": " + r.text());
            assertTrue(Json.parse(r.text()) instanceof Map<?, ?>, r.text());
        }
        // The mask is what makes it JSON: unmasked, the model writes printable noise.
        GenerationResult free = chat.generate(prompt, SamplingParams.builder().temperature(1f).seed(1L)
                .maxTokens(40).build(), TokenListener.IGNORE);
        assertTrue(!free.text().startsWith("{") || free.finishReason() == FinishReason.LENGTH, free.text());
    }

    @Test
    void storiesWithItsSentencePieceVocabularyValidatesToo() {
        Path stories = Path.of("../shared/models/stories260K/stories260K.gguf");
        Assumptions.assumeTrue(Files.isRegularFile(stories),
                "SKIPPED: " + stories.toAbsolutePath() + " is absent (see ../shared/models/README.md)");
        try (Engine engine = Engine.load(EngineOptions.of(stories.toString()).withThreads(1))) {
            int[] prompt = engine.encodePrompt("Once upon a time");
            for (long seed = 1; seed <= 20; seed++) {
                GenerationResult r = generate(engine, prompt, SCHEMA, seed, 400);
                assertEquals(FinishReason.STOP, r.finishReason(), "seed " + seed + ": " + r.text());
                assertNull(SCHEMA.validate(Json.parse(r.text())), "seed " + seed + ": " + r.text());
            }
        }
    }
}
