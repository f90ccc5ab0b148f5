package dev.switchboard.llm;

import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.model.LoadProgress;
import dev.switchboard.inference.speculative.DraftMode;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The chat model this instance is configured with, if any: the one place that picks an implementation of
 * {@link ChatModel} from configuration. Created at start-up ({@link Startup}), so a model file loads then, with
 * progress lines, and what keeps the configured model from answering (no file, no chat template, a server that
 * cannot be reached or serves another model) is said then, in {@code /q/health} ({@link ModelHealthCheck}) and on the
 * dashboard, rather than at the first customer's message.
 */
@Startup
@ApplicationScoped
public class ChatModelProvider {
    private static final Logger LOG = Logger.getLogger(ChatModelProvider.class);
    private static final Duration RECHECK = Duration.ofSeconds(30);

    private final Optional<ChatModel> model;
    private final ChatOptions.Drafting drafting;
    private final Optional<OpenAiChatModel.Settings> server;
    private volatile Optional<String> problem;
    private volatile long checkedAt = System.nanoTime();

    @Inject
    public ChatModelProvider(InferenceConfig config, MeterRegistry registry) {
        ChatOptions.Drafting drafting = drafting(config);
        Optional<ChatModel> model = Optional.empty();
        Optional<String> problem = Optional.empty();
        try {
            model = create(config);
        } catch (ModelUnavailable e) {
            problem = Optional.of(e.getMessage());
        }
        this.model = model;
        this.drafting = drafting;
        this.server = model.orElse(null) instanceof OpenAiChatModel remote ? Optional.of(remote.settings())
                : Optional.empty();
        this.problem = problem.or(() -> server.flatMap(ModelServerProbe::check));
        this.problem.ifPresent(p -> LOG.errorf("The bot's model cannot answer: %s. The bot answers from the FAQ and"
                + " hands everything else to people.", p));
        if (model.orElse(null) instanceof EngineChatModel engine) {
            EngineMeters.bind(registry, engine.modelName(), engine::stats, engine::observeLatencies);
        }
    }

    /** For tests that need another model, or none. */
    public ChatModelProvider(Optional<ChatModel> model) {
        this(model, ChatOptions.Drafting.NONE);
    }

    /** For tests that need another model with drafting. */
    public ChatModelProvider(Optional<ChatModel> model, ChatOptions.Drafting drafting) {
        this.model = model;
        this.drafting = drafting;
        this.server = Optional.empty();
        this.problem = Optional.empty();
    }

    /** Empty when neither {@code switchboard.inference.url} nor a model file is configured. */
    public Optional<ChatModel> model() {
        return model;
    }

    /**
     * Why the configured model cannot answer, if it cannot; empty when it can or none is configured. A server that
     * was unreachable or served another model is asked again (at most every 30 s), so this clears once it is fixed.
     */
    public Optional<String> problem() {
        if (server.isPresent() && problem.isPresent() && System.nanoTime() - checkedAt > RECHECK.toNanos()) {
            checkedAt = System.nanoTime();
            problem = ModelServerProbe.check(server.get());
        }
        return problem;
    }

    /** What the configured model can no longer be: a file that is missing or cannot chat. */
    static final class ModelUnavailable extends IllegalStateException {
        ModelUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The configured drafting, without a corpus: callers add the texts of the conversation's workspace. */
    public ChatOptions.Drafting drafting() {
        return drafting;
    }

    @PreDestroy
    void close() {
        if (model.isPresent() && model.get() instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the chat model failed", e);
            }
        }
    }

    /**
     * With {@code url}: that OpenAI-compatible server, serving {@code model}. Without it, {@code model} names a GGUF
     * file that our engine loads in this process. With neither, no model: the FAQ answers or a human does.
     */
    static Optional<ChatModel> create(InferenceConfig config) {
        ChatOptions.Drafting drafting = drafting(config);
        Optional<String> draftModel = config.draftModel().filter(m -> !m.isBlank());
        if (config.url().isEmpty()) {
            if (drafting.mode() == ChatOptions.DraftingMode.MODEL && draftModel.isEmpty()
                    && config.model().filter(m -> !m.isBlank()).isPresent()) {
                throw new IllegalStateException("switchboard.inference.draft=model needs "
                        + "switchboard.inference.draft-model: a GGUF file of a smaller model with the same tokenizer");
            }
            return config.model().filter(m -> !m.isBlank()).map(m -> inProcess(m, draftModel));
        }
        if (draftModel.isPresent()) {
            throw new IllegalStateException("switchboard.inference.draft-model is for the in-process engine; the "
                    + "server at " + config.url().get() + " loads its own draft model (--draft FILE)");
        }
        String model = config.model().filter(m -> !m.isBlank()).orElseThrow(() -> new IllegalStateException(
                "switchboard.inference.model must be set when switchboard.inference.url is ("
                        + config.url().get() + "): the name of the model that server serves"));
        try {
            return Optional.of(new OpenAiChatModel(new OpenAiChatModel.Settings(config.url().get(), model,
                    config.apiKey().filter(k -> !k.isBlank()), config.connectTimeout(),
                    config.firstTokenTimeout(), config.totalTimeout())));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("invalid switchboard.inference settings: " + e.getMessage(), e);
        }
    }

    /** The engine's names of draft modes are the settings' (the port spells them the same). */
    private static ChatOptions.DraftingMode draftingMode(String name) {
        return ChatOptions.DraftingMode.valueOf(DraftMode.parse(name).name());
    }

    /** The drafting settings, checked at startup so that a typo fails there rather than in every answer. */
    static ChatOptions.Drafting drafting(InferenceConfig config) {
        try {
            return new ChatOptions.Drafting(draftingMode(config.draft().strip()), config.draftTokens(),
                    List.of());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("invalid switchboard.inference.draft settings: " + e.getMessage(), e);
        }
    }

    private static ChatModel inProcess(String modelFile, Optional<String> draftModel) {
        for (String file : draftModel.map(d -> List.of(modelFile, d)).orElse(List.of(modelFile))) {
            if (!Files.isRegularFile(Path.of(file))) {
                throw new ModelUnavailable("switchboard.inference.model" + (file.equals(modelFile) ? "" : " (draft)")
                        + ": no file " + Path.of(file).toAbsolutePath() + " (SWITCHBOARD_MODEL names a GGUF file;"
                        + " see \"Getting a model\" in README.md)", null);
            }
        }
        LOG.infof("Loading %s into the in-process engine...", modelFile);
        long start = System.nanoTime();
        EngineOptions options = EngineOptions.of(modelFile);
        Engine engine;
        try {
            engine = Engine.load(draftModel.map(options::withDraftModel).orElse(options), new ProgressLog());
        } catch (RuntimeException e) {
            throw new ModelUnavailable("switchboard.inference.model " + modelFile + " cannot be loaded: "
                    + e.getMessage(), e);
        }
        try {
            ChatModel model = new EngineChatModel(engine);
            LOG.infof("In-process engine ready in %.1f s: %s on the %s backend", (System.nanoTime() - start) / 1e9,
                    engine.modelName(), engine.backendName());
            return model;
        } catch (RuntimeException e) {
            engine.close();
            throw new ModelUnavailable("switchboard.inference.model " + modelFile + ": " + e.getMessage()
                    + " (use an instruct model with the Llama 3 chat template, e.g. Llama 3.1 8B Instruct)", e);
        }
    }

    /** One line per quarter of each loading stage: a large model takes a while, and the log shows how far it is. */
    private static final class ProgressLog implements LoadProgress {
        private String stage = "";
        private long shown = -1;

        @Override
        public synchronized void update(String stage, long done, long total) {
            if (!stage.equals(this.stage)) {
                this.stage = stage;
                shown = -1;
            }
            long quarter = total <= 0 ? 4 : done * 4 / total;
            if (quarter > shown) {
                shown = quarter;
                LOG.infof("Loading the model: %s %d%%", stage, quarter * 25);
            }
        }
    }
}
