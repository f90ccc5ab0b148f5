package dev.switchboard.inference.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The helpers spin between ranges and park when idle; no range may lose or repeat an index either way. A lost wake-up
 * parks the caller for good: the timeout runs on its own thread, so such a build fails instead of hanging.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ParallelTest {

    @Test
    void everyIndexRunsExactlyOnceInBackToBackRangesAndAfterTheHelpersParked() throws InterruptedException {
        try (Parallel parallel = new Parallel(3)) {
            for (int call = 0; call < 2_000; call++) {
                int n = 1 + call % 997;
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                parallel.forRange(n, 1 + call % 7, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        seen.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, seen.get(i), "call " + call + ", index " + i);
                }
                if (call % 500 == 0) {
                    // well past the spin: the helpers are parked and must be woken for the next range
                    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(Parallel.SPIN_NANOS * 100));
                }
            }
        }
    }

    /**
     * Matrix products pass 16 rows as the unit: a chunk starting inside a group of 16 repacked rows would make two
     * threads read that group. Chunks shrink toward the end so that the threads finish together.
     */
    @Test
    void chunksAreWholeUnitsAndShrinkTowardTheEnd() {
        try (Parallel parallel = new Parallel(2)) {
            for (int n : new int[]{1_000, 16_384, 128_256}) {
                ConcurrentSkipListMap<Integer, Integer> chunks = new ConcurrentSkipListMap<>();
                parallel.forRange(n, 16, (from, to) -> chunks.put(from, to));
                int expectedFrom = 0, previous = Integer.MAX_VALUE;
                for (Map.Entry<Integer, Integer> c : chunks.entrySet()) {
                    int size = c.getValue() - c.getKey();
                    assertEquals(expectedFrom, c.getKey(), "chunks of " + n + " leave no gap");
                    assertTrue(c.getValue() == n || size % 16 == 0, "chunk " + c + " of " + n + " is whole units");
                    assertTrue(size <= previous, "chunk " + c + " of " + n + " is no longer than the one before");
                    expectedFrom = c.getValue();
                    previous = size;
                }
                assertEquals(n, expectedFrom);
                int first = chunks.firstEntry().getValue(), last = n - chunks.lastEntry().getKey();
                assertTrue(first < n / 2 && last <= 16, "first chunk " + first + ", last " + last + " of " + n);
            }
        }
    }

    @Test
    void aFailingChunkReachesTheCallerAndThePoolStillWorks() {
        try (Parallel parallel = new Parallel(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> parallel.forRange(1_000, 1, (from, to) -> {
                        if (from <= 500 && 500 < to) {
                            throw boom;
                        }
                    }));
            assertSame(boom, thrown);
            AtomicIntegerArray seen = new AtomicIntegerArray(100);
            parallel.forRange(100, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    seen.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 100; i++) {
                assertEquals(1, seen.get(i), "index " + i);
            }
        }
    }
}
