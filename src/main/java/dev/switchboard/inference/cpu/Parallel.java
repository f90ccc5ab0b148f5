package dev.switchboard.inference.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A fixed set of helper threads that split index ranges into chunks taken dynamically by the helpers and the calling
 * thread, so a core slowed by other load does less of the work instead of holding everyone up. Chunks shrink as the
 * range runs out (guided scheduling): the first are long streams, the last are short, so the threads finish close
 * together.
 *
 * <p>A decode step is a few dozen ranges a few hundred microseconds long with microseconds between them, and a wake-up
 * from {@code park} takes tens of microseconds on a VM: an idle helper therefore spins for {@link #SPIN_NANOS} before
 * it parks, and so does the caller waiting for the helpers' last chunks. Between steps (sampling, the next request)
 * both park, so an idle engine costs no CPU.
 */
final class Parallel implements AutoCloseable {
    /**
     * A chunk takes this share of what is left per thread. Eight equal chunks per thread, before 2026-12-05, left the
     * threads of a 1B Q4_K_M decode step finishing 2 ms apart per token (6% of it), with one thread streaming alone.
     */
    private static final int SHARES_PER_THREAD = 2;
    /** How long a thread waiting for work, or for the helpers to finish, spins before it parks. */
    static final long SPIN_NANOS = 50_000;

    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    private final int threads;
    private final Thread[] helpers;
    private volatile boolean closed;

    // The running range. One set of fields serves every call, so that a decode step (dozens of ranges) allocates
    // nothing: the caller fills them in before it publishes a new generation, and the helpers are done with them
    // before the caller returns.
    private int n, unit;
    private Range body;
    private Thread caller;
    private final AtomicInteger next = new AtomicInteger();
    /** Helpers not yet done with the current range. */
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Counts ranges handed to the helpers; a helper works once on each. */
    private volatile int generation;
    private final BooleanSupplier helpersDone = () -> pending.get() == 0;

    Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.helpers = new Thread[threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Thread(new Helper(), "cpu-backend-" + (i + 1));
            helpers[i].setDaemon(true);
            helpers[i].start();
        }
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of whole multiples of {@code minChunk} (the last one may be
     * shorter), and waits for all of them. One caller at a time.
     */
    void forRange(int n, int minChunk, Range body) {
        int unit = Math.max(1, minChunk);
        if (helpers.length == 0 || n < 2 * unit) {
            body.run(0, n);
            return;
        }
        this.n = n;
        this.unit = unit;
        this.body = body;
        this.caller = Thread.currentThread();
        next.set(0);
        failure.set(null);
        pending.set(helpers.length);
        generation++; // publishes the fields above
        for (Thread h : helpers) {
            LockSupport.unpark(h); // a spinning helper ignores it; a parked one wakes
        }
        work();
        await(helpersDone);
        this.body = null;
        Throwable t = failure.get();
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }

    /** Takes chunks of the current range until none is left or one has failed. */
    private void work() {
        int n = this.n, unit = this.unit, divisor = threads * SHARES_PER_THREAD;
        Range body = this.body;
        try {
            while (failure.get() == null) {
                int from = next.get();
                if (from >= n) {
                    return;
                }
                int units = Math.max(1, (n - from) / unit / divisor);
                int to = (int) Math.min(n, from + (long) units * unit);
                if (next.compareAndSet(from, to)) {
                    body.run(from, to);
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    /** A helper thread's loop; as the condition it waits on, a new range or the pool closing. */
    private final class Helper implements Runnable, BooleanSupplier {
        private int done;

        @Override
        public boolean getAsBoolean() {
            return closed || generation != done;
        }

        @Override
        public void run() {
            while (true) {
                await(this);
                if (closed) {
                    return;
                }
                done = generation;
                work();
                Thread c = caller; // read first: once pending is 0, the caller may start the next range
                if (pending.decrementAndGet() == 0) {
                    LockSupport.unpark(c);
                }
            }
        }
    }

    /** Spins for {@link #SPIN_NANOS}, then parks, until {@code ready}; whoever makes it true unparks this thread. */
    private void await(BooleanSupplier ready) {
        long start = System.nanoTime();
        while (!ready.getAsBoolean()) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread h : helpers) {
            LockSupport.unpark(h);
        }
    }
}
