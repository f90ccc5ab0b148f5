package dev.switchboard.llm;

import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.speculative.DraftMode;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The chat model this instance is configured with, if any: the one place that picks an implementation of
 * {@link ChatModel} from configuration.
 */
@ApplicationScoped
public class ChatModelProvider {
    private static final Logger LOG = Logger.getLogger(ChatModelProvider.class);

    private final Optional<ChatModel> model;
    private final ChatOptions.Drafting drafting;

    @Inject
    public ChatModelProvider(InferenceConfig config, MeterRegistry registry) {
        this(create(config), drafting(config));
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
    }

    /** Empty when neither {@code switchboard.inference.url} nor a model file is configured. */
    public Optional<ChatModel> model() {
        return model;
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
        LOG.infof("loading %s into the in-process engine", modelFile);
        EngineOptions options = EngineOptions.of(modelFile);
        Engine engine = Engine.load(draftModel.map(options::withDraftModel).orElse(options),
                (stage, done, total) -> LOG.debugf("%s %d/%d", stage, done, total));
        try {
            ChatModel model = new EngineChatModel(engine);
            LOG.infof("in-process engine ready: %s on the %s backend", engine.modelName(), engine.backendName());
            return model;
        } catch (RuntimeException e) {
            engine.close();
            throw new IllegalStateException("switchboard.inference.model: " + e.getMessage(), e);
        }
    }
}
