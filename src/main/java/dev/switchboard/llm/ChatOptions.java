package dev.switchboard.llm;

import dev.switchboard.inference.speculative.DraftMode;
import dev.switchboard.inference.speculative.Speculation;
import java.util.List;
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
     * Speculative decoding settings (our engine's; a server of ours takes them as the extension fields
     * {@code draft}, {@code draft_tokens}, {@code draft_corpus}).
     *
     * @param mode which drafter; {@link DraftMode#NONE} sends nothing, so plain OpenAI-compatible servers work
     * @param tokens the most tokens drafted per step
     * @param corpus texts the answer is likely to quote, for {@link DraftMode#SUFFIX} (others ignore it)
     */
    public record Drafting(DraftMode mode, int tokens, List<String> corpus) {
        public static final Drafting NONE = new Drafting(DraftMode.NONE, Speculation.DEFAULT_TOKENS, List.of());

        public Drafting {
            Objects.requireNonNull(mode, "mode");
            if (tokens < 1 || tokens > Speculation.MAX_TOKENS) {
                throw new IllegalArgumentException("draft tokens must be 1.." + Speculation.MAX_TOKENS + ", was "
                        + tokens);
            }
            corpus = List.copyOf(corpus);
        }

        public boolean enabled() {
            return mode != DraftMode.NONE;
        }

        /** These settings with {@code texts} to draft from (kept only where the mode reads a corpus). */
        public Drafting withCorpus(List<String> texts) {
            return new Drafting(mode, tokens, mode == DraftMode.SUFFIX ? texts : List.of());
        }
    }
}
