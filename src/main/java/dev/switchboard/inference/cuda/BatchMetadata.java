package dev.switchboard.inference.cuda;

import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;

import java.util.Arrays;

/**
 * The int array a forward step copies to the device in one transfer, laid out as the kernels read it for a launch
 * of {@code n} entries: {@code [tokens n][positions n][tableStarts n][logitSources n][blocks ...]}. Each run of
 * consecutive entries of one sequence shares one copy of its block table (as many blocks as its last position
 * needs). Entries past the batch's real ones pad the launch to a CUDA graph's size: token 0 at position 0 in the
 * cache's scratch block. Logit source {@code j} is the entry whose logits become output row {@code j}.
 */
final class BatchMetadata {
    private int[] ints = new int[1024];
    private int length;
    private int n;
    private int logitRows;

    /**
     * Packs entries {@code from .. from + count - 1} of {@code batch} for a launch of {@code launchSize >= count}
     * entries.
     */
    void pack(ForwardBatch batch, int from, int count, int launchSize, int blockSize, int scratchBlock) {
        if (count < 1 || launchSize < count) {
            throw new IllegalArgumentException("cannot pack " + count + " entries into a launch of " + launchSize);
        }
        n = launchSize;
        logitRows = 0;
        length = 4 * n;
        ensure(length + 1);
        int blocks = 4 * n;
        // the padding table first: a single scratch block
        int paddingTable = length - blocks;
        ints[length++] = scratchBlock;
        BlockTable current = null;
        int currentStart = -1;
        for (int i = 0; i < count; i++) {
            int e = from + i;
            BlockTable table = batch.table(e);
            if (table != current) {
                current = table;
                int last = e;
                while (last + 1 < from + count && batch.table(last + 1) == table) {
                    last++;
                }
                int needed = batch.position(last) / blockSize + 1;
                ensure(length + needed);
                currentStart = length - blocks;
                for (int b = 0; b < needed; b++) {
                    ints[length++] = table.block(b);
                }
            }
            ints[i] = batch.token(e);
            ints[n + i] = batch.position(e);
            ints[2 * n + i] = currentStart;
            if (batch.wantsLogits(e)) {
                ints[3 * n + logitRows++] = i;
            }
        }
        for (int i = count; i < n; i++) {
            ints[i] = 0;
            ints[n + i] = 0;
            ints[2 * n + i] = paddingTable;
        }
        Arrays.fill(ints, 3 * n + logitRows, 4 * n, 0);
    }

    private void ensure(int capacity) {
        if (capacity > ints.length) {
            ints = Arrays.copyOf(ints, Math.max(capacity, ints.length * 2));
        }
    }

    /** The packed ints; valid up to {@link #length()}. */
    int[] ints() {
        return ints;
    }

    int length() {
        return length;
    }

    /** Entries of the launch (the batch's plus padding). */
    int launchSize() {
        return n;
    }

    /** Rows of logits the batch's entries want (a prefix of the logit sources). */
    int logitRows() {
        return logitRows;
    }

    int token(int i) {
        return ints[i];
    }

    int position(int i) {
        return ints[n + i];
    }

    int tableStart(int i) {
        return ints[2 * n + i];
    }

    int logitSource(int row) {
        return ints[3 * n + row];
    }

    /** Offset of the block tables in the packed ints (the kernels' {@code blocks} pointer). */
    int blocksOffset() {
        return 4 * n;
    }

    /**
     * The cache slot of position {@code pos} of entry {@code i}: the same arithmetic as the kernels' kv_slot
     * ({@code blocks[tableStart + pos / blockSize] * blockSize + pos % blockSize}).
     */
    long slot(int i, int pos, int blockSize) {
        return (long) ints[blocksOffset() + tableStart(i) + pos / blockSize] * blockSize + pos % blockSize;
    }
}
