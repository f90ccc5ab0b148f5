package dev.switchboard.llm;

import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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

    @Inject
    public ChatModelProvider(InferenceConfig config, MeterRegistry registry) {
        this(create(config));
        if (model.orElse(null) instanceof EngineChatModel engine) {
            EngineMeters.bind(registry, engine.modelName(), engine::stats);
        }
    }

    /** For tests that need another model, or none. */
    public ChatModelProvider(Optional<ChatModel> model) {
        this.model = model;
    }

    /** Empty when neither {@code switchboard.inference.url} nor a model file is configured. */
    public Optional<ChatModel> model() {
        return model;
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
        if (config.url().isEmpty()) {
            return config.model().filter(m -> !m.isBlank()).map(ChatModelProvider::inProcess);
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

    private static ChatModel inProcess(String modelFile) {
        LOG.infof("loading %s into the in-process engine", modelFile);
        Engine engine = Engine.load(EngineOptions.of(modelFile),
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
