package dev.switchboard.inference.speculative;

import java.util.List;

/**
 * Speculative decoding settings of an engine or a generation.
 *
 * @param mode which drafter proposes tokens
 * @param maxTokens the most tokens drafted per step (1..{@link #MAX_TOKENS}; the drafter may propose fewer)
 * @param corpus token documents the {@link DraftMode#SUFFIX} drafter drafts from besides the sequence itself (a
 *     workspace's FAQ answers, its earlier answers); at most {@link #MAX_CORPUS_TOKENS} tokens in all, since the
 *     suffix index over them is built for every generation
 */
public record Speculation(DraftMode mode, int maxTokens, List<int[]> corpus) {
    public static final int MAX_TOKENS = 32;
    public static final int DEFAULT_TOKENS = 8;
    /** Indexing is linear in the corpus: this bounds it to a few milliseconds per generation. */
    public static final int MAX_CORPUS_TOKENS = 32_768;
    public static final Speculation NONE = new Speculation(DraftMode.NONE, DEFAULT_TOKENS);

    public Speculation {
        if (mode == null) {
            mode = DraftMode.NONE;
        }
        if (maxTokens < 1 || maxTokens > MAX_TOKENS) {
            throw new IllegalArgumentException("draft tokens must be 1.." + MAX_TOKENS + ", got " + maxTokens);
        }
        corpus = corpus == null ? List.of() : List.copyOf(corpus);
        long total = corpus.stream().mapToLong(d -> d.length).sum();
        if (total > MAX_CORPUS_TOKENS) {
            throw new IllegalArgumentException("the draft corpus has " + total + " tokens; at most "
                    + MAX_CORPUS_TOKENS + " are indexed");
        }
    }

    public Speculation(DraftMode mode, int maxTokens) {
        this(mode, maxTokens, List.of());
    }

    /** These settings drafting from {@code documents} as well. */
    public Speculation withCorpus(List<int[]> documents) {
        return new Speculation(mode, maxTokens, documents);
    }

    public boolean enabled() {
        return mode != DraftMode.NONE;
    }
}
