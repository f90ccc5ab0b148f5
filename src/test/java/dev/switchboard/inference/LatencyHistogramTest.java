package dev.switchboard.inference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class LatencyHistogramTest {

    @Test
    void observationsCountInTheirBucketAndEveryBucketAboveCumulatively() {
        LatencyHistogram h = new LatencyHistogram(new double[] {0.001, 0.01, 0.1});
        h.record(500_000);        // 0.5 ms
        h.record(1_000_000);      // exactly 1 ms: le="0.001" includes it
        h.record(20_000_000);     // 20 ms
        h.record(3_000_000_000L); // 3 s: only +Inf
        Histogram s = h.snapshot();
        assertArrayEquals(new double[] {0.001, 0.01, 0.1}, s.upperBoundsSeconds());
        assertArrayEquals(new long[] {2, 2, 3, 4}, s.cumulativeCounts());
        assertEquals(4, s.count());
        assertEquals(3.0215, s.sumSeconds(), 1e-9);
    }
}
