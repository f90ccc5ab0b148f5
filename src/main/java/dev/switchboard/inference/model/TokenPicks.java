package dev.switchboard.inference.model;

import java.util.Arrays;

/**
 * The sampling half of a pass: for each sequence that wants logits, its {@link TokenPicker}, its draft and where its
 * rows are; the backend writes back each group's picked tokens. Groups are added in the batch's row order (a group's
 * rows are the logit rows of its sequence's entries); callers keep the group index each {@link #add} returns and
 * read their results by it. Reusable: {@link #clear()} between passes.
 */
public final class TokenPicks {
    private TokenPicker[] pickers = new TokenPicker[8];
    private int[][] drafts = new int[8][];
    private int[] draftLengths = new int[8];
    private int[] firstRows = new int[8];
    private int[][] outs = new int[8][];
    private int[] accepted = new int[8];
    private int size;
    private int rows;
    private float[] hostLogits = new float[0];

    /**
     * Adds the next group: {@code k + 1} logit rows verifying {@code draft[0..k)} ({@code k == 0}: one row, plain
     * sampling). The picked tokens go into {@code out} (room for k + 1). Returns the group's index.
     */
    public int add(TokenPicker picker, int[] draft, int k, int[] out) {
        if (size == pickers.length) {
            int c = size * 2;
            pickers = Arrays.copyOf(pickers, c);
            drafts = Arrays.copyOf(drafts, c);
            draftLengths = Arrays.copyOf(draftLengths, c);
            firstRows = Arrays.copyOf(firstRows, c);
            outs = Arrays.copyOf(outs, c);
            accepted = Arrays.copyOf(accepted, c);
        }
        pickers[size] = picker;
        drafts[size] = draft;
        draftLengths[size] = k;
        firstRows[size] = rows;
        outs[size] = out;
        accepted[size] = 0;
        rows += k + 1;
        return size++;
    }

    public void clear() {
        Arrays.fill(pickers, 0, size, null);
        Arrays.fill(drafts, 0, size, null);
        Arrays.fill(outs, 0, size, null);
        size = 0;
        rows = 0;
    }

    public int size() {
        return size;
    }

    /** Logit rows of all groups: must equal the batch's {@link ForwardBatch#logitRows()}. */
    public int rows() {
        return rows;
    }

    /** Whether every group may be picked as the argmax of its rows (see {@link TokenPicker#greedy()}). */
    public boolean allGreedy() {
        for (int g = 0; g < size; g++) {
            if (!pickers[g].greedy()) {
                return false;
            }
        }
        return true;
    }

    /** How many drafts group {@code g} accepted; its {@code out} holds that many plus one tokens. */
    public int accepted(int g) {
        return accepted[g];
    }

    /**
     * Host picking: every group's picker over its rows of {@code logits} (rows of {@code rowStride} floats in group
     * order, as {@link Backend#forward(ForwardBatch, KvCache, float[])} writes them).
     */
    public void pickOnHost(float[] logits, int rowStride) {
        for (int g = 0; g < size; g++) {
            accepted[g] = pickers[g].pick(logits, firstRows[g] * rowStride, rowStride, drafts[g], draftLengths[g],
                    outs[g]);
        }
    }

    /**
     * Greedy picking from each row's argmax id ({@code argmax[row]}, as a device computed them): drafts are
     * accepted while they equal the argmax of the row before them; the first mismatch, or the bonus row, gives the
     * argmax. The same rule as greedy verification of logits on the host.
     */
    public void pickFromArgmax(int[] argmax) {
        for (int g = 0; g < size; g++) {
            int first = firstRows[g];
            int[] draft = drafts[g];
            int[] out = outs[g];
            int i = 0;
            while (i < draftLengths[g] && draft[i] == argmax[first + i]) {
                out[i] = draft[i];
                i++;
            }
            out[i] = argmax[first + i];
            accepted[g] = i;
        }
    }

    /** A reusable host buffer of at least {@code floats} for backends that pick on the host. */
    public float[] hostLogits(int floats) {
        if (hostLogits.length < floats) {
            hostLogits = new float[floats];
        }
        return hostLogits;
    }
}
