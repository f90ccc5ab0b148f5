package dev.switchboard.inference.cpu;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Phaser;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fixed pool that splits index ranges into chunks taken dynamically by its workers and the calling thread, so a
 * core slowed by other load does less of the work instead of holding everyone up.
 */
final class Parallel implements AutoCloseable {
    /** Chunks per thread: enough to balance uneven cores, few enough that each chunk does real work. */
    private static final int CHUNKS_PER_THREAD = 8;

    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    private final int threads;
    private final ExecutorService pool;

    Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        AtomicInteger id = new AtomicInteger();
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "cpu-backend-" + id.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    int threads() {
        return threads;
    }

    /** Runs {@code body} over {@code [0, n)} in chunks of at least {@code minChunk}, and waits for all of them. */
    void forRange(int n, int minChunk, Range body) {
        int chunks = Math.max(1, Math.min(threads * CHUNKS_PER_THREAD, n / Math.max(1, minChunk)));
        if (pool == null || chunks == 1) {
            body.run(0, n);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int helpers = Math.min(threads - 1, chunks - 1);
        Phaser done = new Phaser(helpers + 1);
        Runnable worker = () -> {
            try {
                for (int c; (c = next.getAndIncrement()) < chunks && failure.get() == null; ) {
                    body.run((int) ((long) c * n / chunks), (int) ((long) (c + 1) * n / chunks));
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                done.arrive();
            }
        };
        for (int i = 0; i < helpers; i++) {
            pool.execute(worker);
        }
        worker.run();
        done.awaitAdvance(0);
        Throwable t = failure.get();
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
