package dev.switchboard.inference.speculative;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Which drafter speculative decoding uses, by the name the command line and options give it. */
public enum DraftMode {
    /** No speculation: one token per forward pass. */
    NONE,
    /** {@link PromptLookupDrafter}: n-gram matches within the sequence's own tokens. */
    PROMPT,
    /** {@link SuffixDrafter}: a suffix index over the sequence and the generation's corpus. */
    SUFFIX,
    /** {@link ModelDrafter}: a smaller model with the same tokenizer, loaded with the engine. */
    MODEL;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses "none", "prompt", "suffix" or "model"; the error names the accepted values. */
    public static DraftMode parse(String name) {
        for (DraftMode m : values()) {
            if (m.wireName().equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown draft mode '" + name + "' (one of "
                + Arrays.stream(values()).map(DraftMode::wireName).toList() + ")");
    }

    /**
     * A fresh drafter for one sequence, or null for {@link #NONE}.
     *
     * @param draftModel the engine's draft model, or null when it has none
     * @param corpus documents the {@link #SUFFIX} drafter drafts from besides the sequence (others ignore it)
     * @throws IllegalArgumentException for {@link #MODEL} without a draft model
     */
    public Drafter newDrafter(DraftModel draftModel, List<int[]> corpus) {
        return switch (this) {
            case NONE -> null;
            case PROMPT -> new PromptLookupDrafter();
            case SUFFIX -> new SuffixDrafter(corpus);
            case MODEL -> {
                if (draftModel == null) {
                    throw new IllegalArgumentException("draft mode 'model' needs a draft model, and none is loaded "
                            + "(start the engine with --draft FILE)");
                }
                yield new ModelDrafter(draftModel);
            }
        };
    }
}
