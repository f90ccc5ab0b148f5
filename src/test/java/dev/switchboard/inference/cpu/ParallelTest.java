package dev.switchboard.inference.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
