package dev.switchboard.llm;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How to sample one answer.
 *
 * @param maxTokens the most tokens to generate
 * @param temperature 0 for greedy decoding
 * @param drafting speculative decoding for this answer: a speed setting, never a change to the text's distribution
 */
public record ChatOptions(int maxTokens, double temperature, Drafting drafting) {

    public ChatOptions {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, was " + maxTokens);
        }
        if (temperature < 0) {
            throw new IllegalArgumentException("temperature must not be negative, was " + temperature);
        }
        Objects.requireNonNull(drafting, "drafting");
    }

    /** Without drafting. */
    public ChatOptions(int maxTokens, double temperature) {
        this(maxTokens, temperature, Drafting.NONE);
    }

    /**
     * Which drafter proposes tokens (the port's own names for the engine's draft modes, same spelling):
     * {@link #NONE} sends nothing, so plain OpenAI-compatible servers work.
     */
    public enum DraftingMode {
        /** No speculation. */
        NONE,
        /** N-gram matches within the conversation's own tokens. */
        PROMPT,
        /** A suffix index over the conversation and the answer's corpus. */
        SUFFIX,
        /** A smaller model with the same tokenizer, loaded beside the in-process engine. */
        MODEL;

        /** The name in settings and on the wire ({@code draft} of our engine's server). */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Speculative decoding settings (our engine's; a server of ours takes them as the extension fields
     * {@code draft}, {@code draft_tokens}, {@code draft_corpus}).
     *
     * @param mode which drafter
     * @param tokens the most tokens drafted per step (1..{@link #MAX_TOKENS})
     * @param corpus texts the answer is likely to quote, for {@link DraftingMode#SUFFIX} (others ignore it)
     */
    public record Drafting(DraftingMode mode, int tokens, List<String> corpus) {
        /** The engine's limit: drafting more per step costs more than a rejected draft can save. */
        public static final int MAX_TOKENS = 32;
        public static final int DEFAULT_TOKENS = 8;
        public static final Drafting NONE = new Drafting(DraftingMode.NONE, DEFAULT_TOKENS, List.of());

        public Drafting {
            Objects.requireNonNull(mode, "mode");
            if (tokens < 1 || tokens > MAX_TOKENS) {
                throw new IllegalArgumentException("draft tokens must be 1.." + MAX_TOKENS + ", was "
                        + tokens);
            }
            corpus = List.copyOf(corpus);
        }

        public boolean enabled() {
            return mode != DraftingMode.NONE;
        }

        /** These settings with {@code texts} to draft from (kept only where the mode reads a corpus). */
        public Drafting withCorpus(List<String> texts) {
            return new Drafting(mode, tokens, mode == DraftingMode.SUFFIX ? texts : List.of());
        }
    }
}
