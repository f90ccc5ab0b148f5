package dev.switchboard.llm;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * The chat model this instance is configured with, if any: the one place that picks an implementation of
 * {@link ChatModel} from configuration.
 */
@ApplicationScoped
public class ChatModelProvider {

    private final Optional<ChatModel> model;

    @Inject
    public ChatModelProvider(InferenceConfig config) {
        this(create(config));
    }

    /** For tests that need another model, or none. */
    public ChatModelProvider(Optional<ChatModel> model) {
        this.model = model;
    }

    /** Empty when {@code switchboard.inference.url} is not set. */
    public Optional<ChatModel> model() {
        return model;
    }

    @PreDestroy
    void close() {
        if (model.isPresent() && model.get() instanceof OpenAiChatModel http) {
            http.close();
        }
    }

    private static Optional<ChatModel> create(InferenceConfig config) {
        if (config.url().isEmpty()) {
            return Optional.empty();
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
}
