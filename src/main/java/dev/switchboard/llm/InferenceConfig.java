package dev.switchboard.llm;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the bot's model runs: an OpenAI-compatible server ({@code url}), our engine in-process ({@code model} alone),
 * or nowhere — then every question the FAQ does not answer goes to a human.
 */
@ConfigMapping(prefix = "switchboard.inference")
public interface InferenceConfig {

    /** Base URL of an OpenAI-compatible API, the part before {@code /chat/completions}: http://host:8000/v1. */
    Optional<URI> url();

    /**
     * With {@code url}: the model name that server serves (required). Without {@code url}: a GGUF file that our
     * engine loads in-process (env {@code SWITCHBOARD_MODEL}).
     */
    Optional<String> model();

    /** Sent as a bearer token when set. */
    Optional<String> apiKey();

    @WithDefault("5s")
    Duration connectTimeout();

    /** From sending the request to the first piece of text. */
    @WithDefault("30s")
    Duration firstTokenTimeout();

    /** From sending the request to the end of the answer. */
    @WithDefault("120s")
    Duration totalTimeout();

    /**
     * Speculative decoding of the bot's answers, by our engine in-process or our engine's server (other servers get
     * no draft fields while this is {@code none}): {@code none}, {@code prompt}, {@code suffix} (drafts from the
     * prompt, the workspace's FAQ answers and its earlier answers) or {@code model} (a draft model). Speed only: the
     * answers do not change.
     */
    @WithDefault("none")
    String draft();

    /** The most tokens drafted per step (1..32). */
    @WithDefault("8")
    int draftTokens();

    /** For {@code draft=model} in-process: a GGUF file of a smaller model with the same tokenizer. */
    Optional<String> draftModel();
}
