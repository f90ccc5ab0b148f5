package dev.switchboard.inference.speculative;

import dev.switchboard.inference.model.BlockTable;

/**
 * Drafts with a smaller model: catches its KV cache up with the sequence (the prompt at first, then the tokens
 * accepted since), then decodes greedily, one pass per drafted token. Greedy drafts are deterministic, so the
 * {@link Verifier} treats them as one-hot proposals and the output keeps the target's distribution.
 */
public final class ModelDrafter implements Drafter {
    private final DraftModel model;
    private final BlockTable table = new BlockTable();
    /** Positions of the sequence whose keys and values the draft model holds. */
    private int computed;
    /** Where the last proposal started, and how many of its tokens were fed back. */
    private int proposedAt;
    private int fedDrafts;

    public ModelDrafter(DraftModel model) {
        this.model = model;
    }

    @Override
    public int propose(int[] tokens, int length, int maxTokens, int[] draft) {
        int k = Math.min(maxTokens, model.contextLength() - length);
        if (k <= 0 || computed >= length || !model.reserve(table, length + k - 1)) {
            return 0;
        }
        draft[0] = model.feed(tokens, computed, length, computed, table);
        // The draft's own tokens go in after the sequence, except the last (nothing is drafted after it).
        for (int i = 1; i < k; i++) {
            draft[i] = model.feed(draft, i - 1, i, length - 1 + i, table);
        }
        computed = length;
        proposedAt = length;
        fedDrafts = k - 1;
        return k;
    }

    @Override
    public void accepted(int drafted, int accepted) {
        if (drafted == 0) {
            return;
        }
        // Accepted drafts that were fed hold the sequence's own tokens at their positions: no need to feed again.
        computed = proposedAt + Math.min(accepted, fedDrafts);
    }

    @Override
    public void close() {
        model.release(table);
    }
}
