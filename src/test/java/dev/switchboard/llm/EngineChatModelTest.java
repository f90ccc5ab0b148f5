package dev.switchboard.llm;

import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.TinyChatModel;
import dev.switchboard.inference.TokenListener;
import dev.switchboard.inference.sampling.SamplingParams;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The bot's port over our engine in-process: same text as the engine itself, streamed, cancellable. */
class EngineChatModelTest {
    @TempDir
    static Path dir;
    static Path modelFile;
    static EngineChatModel model;

    @BeforeAll
    static void load() {
        modelFile = TinyChatModel.write(dir);
        model = new EngineChatModel(Engine.load(EngineOptions.of(modelFile.toString())));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static final List<ChatMessage> DIALOG = List.of(
            ChatMessage.system("You answer briefly."), ChatMessage.user("Do you ship to Austria?"));

    @Test
    void streamsTheSameTextTheEngineGeneratesForTheDialog() {
        List<String> deltas = new CopyOnWriteArrayList<>();
        ChatResult result = model.stream(DIALOG, new ChatOptions(24, 0), deltas::add).await();

        String expected;
        double expectedAcceptance;
        try (Engine engine = Engine.load(EngineOptions.of(modelFile.toString()))) {
            var generated = engine.chat(List.of(
                    new dev.switchboard.inference.tokenizer.ChatMessage("system", "You answer briefly."),
                    new dev.switchboard.inference.tokenizer.ChatMessage("user", "Do you ship to Austria?")),
                    SamplingParams.greedy(24), TokenListener.IGNORE);
            expected = generated.text();
            expectedAcceptance = generated.acceptanceLength();
        }
        assertFalse(expected.isEmpty());
        assertEquals(expected, result.text());
        assertEquals(expected, String.join("", deltas));
        assertTrue(deltas.size() > 1, "the answer arrives in pieces, not at once");
        assertEquals(ChatResult.FinishReason.LENGTH, result.finishReason());
        assertEquals(24, result.usage().completionTokens());
        assertTrue(result.usage().promptTokens() > 10);
        assertEquals(TinyChatModel.NAME, model.modelName());
        // the engine's speculative acceptance length reaches the bot (for the dashboard's analytics)
        assertTrue(expectedAcceptance >= 1, "acceptance length " + expectedAcceptance);
        assertEquals(expectedAcceptance, result.acceptanceLength());
    }

    @Test
    void engineFiguresArePublishedAsMeters() {
        try (EngineChatModel own = new EngineChatModel(Engine.load(EngineOptions.of(modelFile.toString())))) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            EngineMeters.bind(registry, own.modelName(), own::stats, own::observeLatencies);
            ChatResult first = own.stream(DIALOG, new ChatOptions(8, 0), d -> {}).await();
            ChatResult second = own.stream(DIALOG, new ChatOptions(8, 0), d -> {}).await();
            System.gc(); // the meters must keep what they read alive: nothing else holds it

            assertEquals(2, registry.get("switchboard.engine.generations").functionCounter().count());
            assertEquals(first.usage().completionTokens() + second.usage().completionTokens(),
                    registry.get("switchboard.engine.completion.tokens").functionCounter().count());
            assertEquals(first.usage().promptTokens() * 2,
                    registry.get("switchboard.engine.prompt.tokens").functionCounter().count());
            // the same dialog twice: the second prompt's full blocks come from the prefix cache
            double reused = registry.get("switchboard.engine.prompt.tokens.reused").functionCounter().count();
            assertTrue(reused > 0, "no prefix reuse published");
            assertEquals(reused / (first.usage().promptTokens() * 2),
                    registry.get("switchboard.engine.prefix.hit.ratio").gauge().value(), 1e-9);
            assertEquals(0, registry.get("switchboard.engine.requests.running").gauge().value());
            Timer ttft = registry.get("switchboard.engine.time.to.first.token").tag("model", TinyChatModel.NAME).timer();
            assertEquals(2, ttft.count());
            // the engine's buckets, as the engine server's /metrics shows them
            assertEquals(Arrays.stream(own.stats().timeToFirstToken().upperBoundsSeconds()).boxed().toList(),
                    Arrays.stream(ttft.takeSnapshot().histogramCounts())
                            .map(c -> c.bucket(TimeUnit.NANOSECONDS) / 1e9).toList());
            // named as the engine server names them
            assertEquals(0, registry.get("switchboard.engine.kv.blocks").tag("state", "in_use").gauge().value());
            assertEquals(0, registry.get("switchboard.engine.generations.cancelled").functionCounter().count());
            assertTrue(registry.get("switchboard.engine.kv.blocks.total").gauge().value() > 0);
        }
    }

    @Test
    void cancelStopsTheGenerationAndNoDeltaFollows() throws InterruptedException {
        CountDownLatch first = new CountDownLatch(1);
        List<String> deltas = new CopyOnWriteArrayList<>();
        ChatStream stream = model.stream(DIALOG, new ChatOptions(400, 0), d -> {
            deltas.add(d);
            first.countDown();
        });
        assertTrue(first.await(30, TimeUnit.SECONDS));
        stream.cancel();
        int seen = deltas.size();
        ChatResult result = stream.await();
        assertEquals(ChatResult.FinishReason.CANCELLED, result.finishReason());
        assertEquals(seen, deltas.size(), "no delta after cancel");
        assertTrue(result.usage().completionTokens() < 400);
    }

    @Test
    void providerLoadsAModelFileInProcessWhenNoUrlIsSet() {
        Optional<ChatModel> chosen = ChatModelProvider.create(config(Optional.empty(), Optional.of(modelFile.toString())));
        assertInstanceOf(EngineChatModel.class, chosen.orElseThrow());
        ((EngineChatModel) chosen.get()).close();
        assertTrue(ChatModelProvider.create(config(Optional.empty(), Optional.empty())).isEmpty());
        assertInstanceOf(OpenAiChatModel.class, ChatModelProvider.create(
                config(Optional.of(URI.create("http://127.0.0.1:9/v1")), Optional.of("llama"))).orElseThrow());
    }

    @Test
    void aModelWithoutAChatVocabularyIsRefusedClearly() {
        Path stories = Path.of("../shared/models/stories260K/stories260K.gguf");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(stories),
                "SKIPPED: " + stories.toAbsolutePath() + " is absent (see ../shared/models/README.md)");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ChatModelProvider.create(config(Optional.empty(), Optional.of(stories.toString()))));
        assertTrue(e.getMessage().contains("no chat vocabulary"), e.getMessage());
    }

    @Test
    void draftingInProcessChangesNoTextAndDraftsFromTheCorpus() {
        String plain = model.stream(DIALOG, new ChatOptions(40, 0), d -> { }).await().text();
        ChatOptions.Drafting suffix = new ChatOptions.Drafting(ChatOptions.DraftingMode.SUFFIX, 8, List.of());
        ChatResult bare = model.stream(DIALOG, new ChatOptions(40, 0, suffix), d -> { }).await();
        ChatResult matching = model.stream(DIALOG, new ChatOptions(40, 0,
                suffix.withCorpus(List.of("nothing alike", plain))), d -> { }).await();
        assertEquals(plain, bare.text());
        assertEquals(plain, matching.text());
        assertTrue(matching.acceptanceLength() > bare.acceptanceLength(), "the corpus holds the answer: "
                + matching.acceptanceLength() + " tokens per pass, without it " + bare.acceptanceLength());
    }

    @Test
    void draftSettingsAreCheckedAtStartup() {
        Optional<URI> server = Optional.of(URI.create("http://127.0.0.1:9/v1"));
        assertEquals(new ChatOptions.Drafting(ChatOptions.DraftingMode.SUFFIX, 5, List.of()), ChatModelProvider.drafting(
                config(server, Optional.of("llama"), "suffix", 5, Optional.empty())));
        IllegalStateException unknown = assertThrows(IllegalStateException.class, () -> ChatModelProvider.create(
                config(server, Optional.of("llama"), "medusa", 8, Optional.empty())));
        assertTrue(unknown.getMessage().contains("'medusa'"), unknown.getMessage());
        assertThrows(IllegalStateException.class, () -> ChatModelProvider.drafting(
                config(server, Optional.of("llama"), "suffix", 33, Optional.empty())));
        IllegalStateException remoteDraftModel = assertThrows(IllegalStateException.class,
                () -> ChatModelProvider.create(config(server, Optional.of("llama"), "model", 8,
                        Optional.of("draft.gguf"))));
        assertTrue(remoteDraftModel.getMessage().contains("in-process"), remoteDraftModel.getMessage());
        IllegalStateException noDraftModel = assertThrows(IllegalStateException.class,
                () -> ChatModelProvider.create(config(Optional.empty(), Optional.of(modelFile.toString()), "model", 8,
                        Optional.empty())));
        assertTrue(noDraftModel.getMessage().contains("draft-model"), noDraftModel.getMessage());
    }

    private static InferenceConfig config(Optional<URI> url, Optional<String> modelName) {
        return config(url, modelName, "none", 8, Optional.empty());
    }

    private static InferenceConfig config(Optional<URI> url, Optional<String> modelName, String draft,
            int draftTokens, Optional<String> draftModel) {
        return new InferenceConfig() {
            public String draft() { return draft; }
            public int draftTokens() { return draftTokens; }
            public Optional<String> draftModel() { return draftModel; }
            public Optional<URI> url() { return url; }
            public Optional<String> model() { return modelName; }
            public Optional<String> apiKey() { return Optional.empty(); }
            public Duration connectTimeout() { return Duration.ofSeconds(1); }
            public Duration firstTokenTimeout() { return Duration.ofSeconds(5); }
            public Duration totalTimeout() { return Duration.ofSeconds(10); }
        };
    }
}
