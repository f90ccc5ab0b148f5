package dev.switchboard.inference.cuda;

import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The per-step metadata the kernels index the paged KV cache through, and a host-side reference of the attention
 * kernel's indexing: K/V written at the slots the RoPE kernel computes, read back at the slots the attention kernel
 * computes, must give exactly the attention over each sequence's own positions in logical order.
 */
class BatchMetadataTest {
    private static final int BS = 4;

    private static BlockTable table(int... blocks) {
        BlockTable t = new BlockTable();
        for (int b : blocks) {
            t.add(b);
        }
        return t;
    }

    @Test
    void packsEntriesTablesAndLogitRowsInTheKernelsLayout() {
        BlockTable a = table(7, 2, 9), b = table(4);
        ForwardBatch batch = new ForwardBatch(8)
                .add(11, 5, a, false).add(12, 6, a, true).add(13, 8, a, true) // a needs blocks 0..2 (position 8)
                .add(21, 0, b, true);
        BatchMetadata m = new BatchMetadata();
        m.pack(batch, 0, 4, 8, BS, 99);
        assertEquals(8, m.launchSize());
        assertEquals(3, m.logitRows());
        assertArrayEquals(new int[]{11, 12, 13, 21, 0, 0, 0, 0}, slice(m, 0, 8), "tokens, padding token 0");
        assertArrayEquals(new int[]{5, 6, 8, 0, 0, 0, 0, 0}, slice(m, 8, 8), "positions, padding at 0");
        int blocks = m.blocksOffset();
        assertEquals(32, blocks);
        // the padding table [scratch] comes first, then one copy of a's table shared by its three entries, then b's
        assertArrayEquals(new int[]{99, 7, 2, 9, 4}, slice(m, blocks, 5));
        assertArrayEquals(new int[]{1, 1, 1, 4, 0, 0, 0, 0}, slice(m, 16, 8), "table starts");
        assertArrayEquals(new int[]{1, 2, 3, 0, 0, 0, 0, 0}, slice(m, 24, 8), "logit sources: entries 1, 2, 3");
        assertEquals(blocks + 5, m.length());
        assertEquals(99L * BS, m.slot(6, 0, BS), "padding entries write the scratch block");
        assertEquals(9L * BS + 0, m.slot(2, 8, BS));
        assertEquals(2L * BS + 1, m.slot(2, 5, BS));
    }

    @Test
    void packsASliceOfTheBatchWithLocalIndices() {
        BlockTable a = table(3, 1);
        ForwardBatch batch = new ForwardBatch(8);
        for (int p = 0; p < 6; p++) {
            batch.add(100 + p, p, a, p % 2 == 1);
        }
        BatchMetadata m = new BatchMetadata();
        m.pack(batch, 4, 2, 2, BS, 50);
        assertArrayEquals(new int[]{104, 105}, slice(m, 0, 2));
        assertArrayEquals(new int[]{4, 5}, slice(m, 2, 2));
        assertEquals(1, m.logitRows());
        assertEquals(1, m.logitSource(0), "local index of entry 5");
        assertEquals(1L * BS + 1, m.slot(1, 5, BS));
        assertThrows(IllegalArgumentException.class, () -> m.pack(batch, 0, 3, 2, BS, 50));
    }

    @Test
    void pagedAttentionThroughTheMetadataEqualsAttentionOverEachSequenceInOrder() {
        Random rnd = new Random(3);
        int kvDim = 6, layersSlots = 64 * BS;
        List<Integer> pool = new ArrayList<>();
        for (int b = 0; b < 64; b++) {
            pool.add(b);
        }
        Collections.shuffle(pool, rnd);
        int seqs = 3;
        int[] lengths = {9, 1, 14};
        BlockTable[] tables = new BlockTable[seqs];
        int next = 0;
        for (int s = 0; s < seqs; s++) {
            tables[s] = new BlockTable();
            for (int b = 0; b < (lengths[s] + BS - 1) / BS; b++) {
                tables[s].add(pool.get(next++));
            }
        }
        // per sequence and position: the key and value the "RoPE kernel" stores
        float[][][] keys = new float[seqs][][], values = new float[seqs][][];
        for (int s = 0; s < seqs; s++) {
            keys[s] = new float[lengths[s]][kvDim];
            values[s] = new float[lengths[s]][kvDim];
            for (int p = 0; p < lengths[s]; p++) {
                for (int d = 0; d < kvDim; d++) {
                    keys[s][p][d] = rnd.nextFloat() - 0.5f;
                    values[s][p][d] = rnd.nextFloat() - 0.5f;
                }
            }
        }
        float[] cacheK = new float[(layersSlots + BS) * kvDim], cacheV = new float[(layersSlots + BS) * kvDim];
        // a chunked prefill: two passes, the second continuing the sequences where the first stopped
        int[] split = {5, 1, 6};
        BatchMetadata m = new BatchMetadata();
        for (int pass = 0; pass < 2; pass++) {
            ForwardBatch batch = new ForwardBatch(32);
            List<int[]> entries = new ArrayList<>();
            for (int s = 0; s < seqs; s++) {
                int from = pass == 0 ? 0 : split[s], to = pass == 0 ? split[s] : lengths[s];
                for (int p = from; p < to; p++) {
                    batch.add(0, p, tables[s], true);
                    entries.add(new int[]{s, p});
                }
            }
            int n = entries.size();
            int launch = Integer.highestOneBit(n) << 1; // padded like a graph bucket
            m.pack(batch, 0, n, launch, BS, 64);
            for (int i = 0; i < n; i++) { // the store half of rope_store
                int s = entries.get(i)[0], p = m.position(i);
                long slot = m.slot(i, p, BS);
                System.arraycopy(keys[s][p], 0, cacheK, (int) slot * kvDim, kvDim);
                System.arraycopy(values[s][p], 0, cacheV, (int) slot * kvDim, kvDim);
            }
            for (int i = n; i < launch; i++) { // padding entries write the scratch block only
                assertEquals(64L * BS, m.slot(i, m.position(i), BS));
            }
            for (int i = 0; i < n; i++) { // the read half: the attention kernel's loop over 0..pos
                int s = entries.get(i)[0], pos = m.position(i);
                float[] q = new float[kvDim];
                for (int d = 0; d < kvDim; d++) {
                    q[d] = rnd.nextFloat() - 0.5f;
                }
                int entry = i;
                float[] paged = attend(q, pos, p -> m.slot(entry, p, BS), cacheK, cacheV, kvDim);
                float[][] ks = keys[s], vs = values[s];
                float[] direct = attendDirect(q, pos, ks, vs);
                assertArrayEquals(direct, paged, 1e-6f, "sequence " + s + " position " + pos);
            }
        }
    }

    interface Slots {
        long slot(int position);
    }

    /** Softmax attention of q over positions 0..pos read at the given cache slots. */
    private static float[] attend(float[] q, int pos, Slots slots, float[] k, float[] v, int kvDim) {
        double[] w = new double[pos + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int p = 0; p <= pos; p++) {
            int base = (int) slots.slot(p) * kvDim;
            double s = 0;
            for (int d = 0; d < kvDim; d++) {
                s += q[d] * k[base + d];
            }
            w[p] = s;
            max = Math.max(max, s);
        }
        float[] out = new float[kvDim];
        double sum = 0;
        for (int p = 0; p <= pos; p++) {
            w[p] = Math.exp(w[p] - max);
            sum += w[p];
        }
        for (int p = 0; p <= pos; p++) {
            int base = (int) slots.slot(p) * kvDim;
            for (int d = 0; d < kvDim; d++) {
                out[d] += (float) (w[p] / sum * v[base + d]);
            }
        }
        return out;
    }

    private static float[] attendDirect(float[] q, int pos, float[][] keys, float[][] values) {
        int kvDim = q.length;
        float[] k = new float[(pos + 1) * kvDim], v = new float[(pos + 1) * kvDim];
        for (int p = 0; p <= pos; p++) {
            System.arraycopy(keys[p], 0, k, p * kvDim, kvDim);
            System.arraycopy(values[p], 0, v, p * kvDim, kvDim);
        }
        return attend(q, pos, p -> p, k, v, kvDim);
    }

    private static int[] slice(BatchMetadata m, int from, int n) {
        int[] out = new int[n];
        System.arraycopy(m.ints(), from, out, 0, n);
        return out;
    }
}
