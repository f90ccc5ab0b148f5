package dev.switchboard.inference.cuda;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Which CUDA graphs exist and when to capture again. A step of {@code n} entries runs the graph of the smallest
 * bucket {@code >= n} (the batch padded to the bucket); batches larger than the largest bucket run eagerly.
 * A graph bakes in device addresses, so it is captured again whenever the {@code epoch} it was captured under
 * changes (the backend bumps it when it reallocates a buffer a graph reads, or switches KV cache).
 *
 * @param <G> the executable graph handle
 */
final class GraphCache<G> {
    private final int[] buckets;
    private final Object[] graphs;
    private final long[] epochs;
    private final Consumer<G> destroy;
    private int captures;

    /** @param buckets ascending positive batch sizes */
    GraphCache(int[] buckets, Consumer<G> destroy) {
        for (int i = 0; i < buckets.length; i++) {
            if (buckets[i] < 1 || (i > 0 && buckets[i] <= buckets[i - 1])) {
                throw new IllegalArgumentException("graph buckets must be ascending positive sizes: "
                        + Arrays.toString(buckets));
            }
        }
        this.buckets = buckets.clone();
        this.graphs = new Object[buckets.length];
        this.epochs = new long[buckets.length];
        this.destroy = destroy;
    }

    /** Powers of two up to {@code max} (at least 1). */
    static int[] powersOfTwo(int max) {
        int count = 0;
        for (int b = 1; b <= max; b <<= 1) {
            count++;
        }
        int[] out = new int[Math.max(count, 0)];
        for (int i = 0, b = 1; i < count; i++, b <<= 1) {
            out[i] = b;
        }
        return out;
    }

    /** The bucket for {@code n} entries, or -1 when {@code n} exceeds the largest (or there are none). */
    int bucket(int n) {
        for (int b : buckets) {
            if (b >= n) {
                return b;
            }
        }
        return -1;
    }

    int largest() {
        return buckets.length == 0 ? 0 : buckets[buckets.length - 1];
    }

    /**
     * The graph of {@code bucket} valid in {@code epoch}: the cached one, or a new one from {@code capture} (the
     * stale one destroyed first).
     */
    @SuppressWarnings("unchecked")
    G get(int bucket, long epoch, IntFunction<G> capture) {
        int i = Arrays.binarySearch(buckets, bucket);
        if (i < 0) {
            throw new IllegalArgumentException("no graph bucket " + bucket + " in " + Arrays.toString(buckets));
        }
        if (graphs[i] != null && epochs[i] == epoch) {
            return (G) graphs[i];
        }
        if (graphs[i] != null) {
            destroy.accept((G) graphs[i]);
            graphs[i] = null;
        }
        G g = capture.apply(bucket);
        graphs[i] = g;
        epochs[i] = epoch;
        captures++;
        return g;
    }

    /** How many captures have run: a steady decode loop should stop adding to this. */
    int captures() {
        return captures;
    }

    /** Destroys every graph (at close, or when the code they captured is gone). */
    @SuppressWarnings("unchecked")
    void clear() {
        for (int i = 0; i < graphs.length; i++) {
            if (graphs[i] != null) {
                destroy.accept((G) graphs[i]);
                graphs[i] = null;
            }
        }
    }
}
