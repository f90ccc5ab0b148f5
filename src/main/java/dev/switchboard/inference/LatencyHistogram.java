package dev.switchboard.inference;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Latencies counted into fixed buckets (upper bounds in seconds, Prometheus style): recorded by the engine loop,
 * read by any thread. Fixed buckets keep recording allocation-free and let snapshots from several engines add up.
 */
final class LatencyHistogram {
    /** Time to first token: a cached prefix answers in milliseconds, a long prompt on a CPU in seconds. */
    static final double[] TTFT_BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    /** Time between tokens of one stream. */
    static final double[] ITL_BOUNDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final double[] bounds;
    /** Per bucket (the last one unbounded), not cumulative: one increment per observation. */
    private final AtomicLongArray counts;
    private final DoubleAdder sum = new DoubleAdder();

    LatencyHistogram(double[] bounds) {
        this.bounds = bounds.clone();
        this.counts = new AtomicLongArray(bounds.length + 1);
    }

    void record(long nanos) {
        double seconds = nanos / 1e9;
        int i = Arrays.binarySearch(bounds, seconds);
        // An exact bound belongs to its own bucket (le = "less than or equal"); otherwise the insertion point.
        counts.incrementAndGet(i >= 0 ? i : -i - 1);
        sum.add(seconds);
    }

    Histogram snapshot() {
        long[] cumulative = new long[bounds.length + 1];
        long running = 0;
        for (int i = 0; i < cumulative.length; i++) {
            running += counts.get(i);
            cumulative[i] = running;
        }
        return new Histogram(bounds.clone(), cumulative, sum.sum());
    }
}
