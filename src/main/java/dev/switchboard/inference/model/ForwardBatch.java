package dev.switchboard.inference.model;

import java.util.Arrays;

/**
 * The entries of one forward pass: (token, position, the sequence's block table, whether logits are wanted).
 * Entries of one sequence must be contiguous with ascending positions. Reusable: {@link #clear()} between steps.
 */
public final class ForwardBatch {
    private int[] tokens;
    private int[] positions;
    private BlockTable[] tables;
    private boolean[] logits;
    private int size;
    private int logitRows;

    public ForwardBatch(int initialCapacity) {
        int c = Math.max(1, initialCapacity);
        tokens = new int[c];
        positions = new int[c];
        tables = new BlockTable[c];
        logits = new boolean[c];
    }

    public ForwardBatch add(int token, int position, BlockTable table, boolean wantLogits) {
        if (size == tokens.length) {
            int c = size * 2;
            tokens = Arrays.copyOf(tokens, c);
            positions = Arrays.copyOf(positions, c);
            tables = Arrays.copyOf(tables, c);
            logits = Arrays.copyOf(logits, c);
        }
        tokens[size] = token;
        positions[size] = position;
        tables[size] = table;
        logits[size] = wantLogits;
        size++;
        if (wantLogits) {
            logitRows++;
        }
        return this;
    }

    public void clear() {
        Arrays.fill(tables, 0, size, null);
        size = 0;
        logitRows = 0;
    }

    public int size() {
        return size;
    }

    public int token(int i) {
        return tokens[i];
    }

    public int position(int i) {
        return positions[i];
    }

    public BlockTable table(int i) {
        return tables[i];
    }

    public boolean wantsLogits(int i) {
        return logits[i];
    }

    /** How many entries want logits: the rows the backend writes. */
    public int logitRows() {
        return logitRows;
    }
}
