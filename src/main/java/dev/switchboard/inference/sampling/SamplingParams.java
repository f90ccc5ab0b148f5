package dev.switchboard.inference.sampling;

import java.util.List;

/**
 * How to pick tokens and when to stop. Validated on construction: a bad value fails with a message naming the
 * parameter (by its OpenAI name, since that is what callers of the HTTP API see).
 *
 * @param temperature 0 for greedy (argmax); otherwise logits are divided by it before sampling (0 to 2 inclusive)
 * @param topK keep only the k most likely tokens; 0 disables
 * @param topP keep the smallest set of most likely tokens whose probability reaches this (nucleus); 1 disables
 * @param seed seed of the sampler's random generator, or null for an unpredictable one
 * @param maxTokens the most tokens to generate (at least 1)
 * @param stop strings that end generation; none of their text is ever emitted (at most {@link #MAX_STOP_STRINGS})
 * @param processors run in order on each logits row of the generation before a token is picked from it
 */
public record SamplingParams(float temperature, int topK, float topP, Long seed, int maxTokens, List<String> stop,
        List<LogitsProcessor> processors) {
    public static final float MAX_TEMPERATURE = 2f;
    public static final int MAX_STOP_STRINGS = 16;
    public static final int DEFAULT_MAX_TOKENS = 256;

    public SamplingParams {
        if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) { // also rejects NaN
            throw new IllegalArgumentException("temperature must be between 0 and " + MAX_TEMPERATURE + ", got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be 0 (disabled) or positive, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be greater than 0 and at most 1, got " + topP);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be at least 1, got " + maxTokens);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (stop.size() > MAX_STOP_STRINGS) {
            throw new IllegalArgumentException("stop may hold at most " + MAX_STOP_STRINGS + " strings, got " + stop.size());
        }
        for (String s : stop) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
        processors = processors == null ? List.of() : List.copyOf(processors);
    }

    /** Without logits processors. */
    public SamplingParams(float temperature, int topK, float topP, Long seed, int maxTokens, List<String> stop) {
        this(temperature, topK, topP, seed, maxTokens, stop, List.of());
    }

    /** These parameters with {@code list} as the logits processors. */
    /** The same parameters with another seed (null: unpredictable). */
    public SamplingParams withSeed(Long v) {
        return new SamplingParams(temperature, topK, topP, v, maxTokens, stop, processors);
    }

    public SamplingParams withProcessors(List<LogitsProcessor> list) {
        return new SamplingParams(temperature, topK, topP, seed, maxTokens, stop, list);
    }

    /** Greedy decoding of up to {@code maxTokens} tokens, no stop strings. */
    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(0f, 0, 1f, null, maxTokens, List.of());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder with OpenAI's defaults (temperature 1, top_p 1, no top-k). */
    public static final class Builder {
        private float temperature = 1f;
        private int topK;
        private float topP = 1f;
        private Long seed;
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private List<String> stop = List.of();

        public Builder temperature(float v) { temperature = v; return this; }

        public Builder topK(int v) { topK = v; return this; }

        public Builder topP(float v) { topP = v; return this; }

        public Builder seed(Long v) { seed = v; return this; }

        public Builder maxTokens(int v) { maxTokens = v; return this; }

        public Builder stop(List<String> v) { stop = v; return this; }

        public SamplingParams build() {
            return new SamplingParams(temperature, topK, topP, seed, maxTokens, stop);
        }
    }
}
