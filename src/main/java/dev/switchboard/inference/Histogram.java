package dev.switchboard.inference;

/**
 * A snapshot of a latency histogram in Prometheus' shape.
 *
 * @param upperBoundsSeconds the finite bucket bounds, ascending
 * @param cumulativeCounts observations at or below each bound; one more entry at the end for +Inf (the count)
 * @param sumSeconds the sum of all observations
 */
public record Histogram(double[] upperBoundsSeconds, long[] cumulativeCounts, double sumSeconds) {
    /** No buckets, no observations. */
    public static final Histogram EMPTY = new Histogram(new double[0], new long[] {0}, 0);

    public long count() {
        return cumulativeCounts[cumulativeCounts.length - 1];
    }
}
