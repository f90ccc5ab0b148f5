package dev.switchboard.inference.speculative;

import dev.switchboard.inference.model.BlockTable;

import java.util.List;

/**
 * Drafts with a smaller model: catches its KV cache up with the sequence (the prompt at first, then the tokens
 * accepted since), then decodes greedily, one pass per drafted token. Greedy drafts are deterministic, so the
 * {@link Verifier} treats them as one-hot proposals and the output keeps the target's distribution.
 *
 * <p>A scheduler with many sequences drafts for all of them at once: {@link #prepare} each, then one
 * {@link DraftModel#draftAll} whose passes cover every sequence. {@link #propose} does both for one sequence.
 */
public final class ModelDrafter implements Drafter {
    private final DraftModel model;
    final BlockTable table = new BlockTable();
    /** Positions of the sequence whose keys and values the draft model holds. */
    int computed;
    /** The pending proposal: the sequence, its length, how many tokens to draft and where they go. */
    int[] tokens;
    int length;
    int k;
    int[] draft;
    /** Where the last proposal started, and how many of its tokens were fed back. */
    private int proposedAt;
    private int fedDrafts;

    public ModelDrafter(DraftModel model) {
        this.model = model;
    }

    /**
     * Sets up a proposal of up to {@code maxTokens} tokens after {@code tokens[0..length)} for the next
     * {@link DraftModel#draftAll}; returns how many will be drafted (0: none, when there is no room).
     */
    public int prepare(int[] tokens, int length, int maxTokens, int[] draft) {
        int n = Math.min(maxTokens, model.contextLength() - length);
        if (n <= 0 || computed >= length || !model.reserve(table, length + n - 1)) {
            n = 0;
        }
        this.tokens = tokens;
        this.length = length;
        this.k = n;
        this.draft = draft;
        if (n > 0) {
            proposedAt = length;
            fedDrafts = n - 1; // the last draft is never fed: nothing is drafted after it
        }
        return n;
    }

    /** Called by {@link DraftModel#draftAll} once the drafts are written: the sequence is computed to its end. */
    void drafted() {
        computed = length;
        tokens = null;
        draft = null;
    }

    @Override
    public int propose(int[] tokens, int length, int maxTokens, int[] draft) {
        int n = prepare(tokens, length, maxTokens, draft);
        if (n > 0) {
            model.draftAll(List.of(this));
        }
        return n;
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
