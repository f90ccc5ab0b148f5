package dev.switchboard.inference;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;

/**
 * Hands text deltas from the engine's output thread to a writer thread of their own. The engine calls listeners
 * for every running generation on that one thread, so a consumer that blocks (a client that reads slowly, a full TCP
 * window, a database write) must not run there: it would stall all streams. Once a write fails (the client went
 * away), the listener answers false and the engine cancels the generation.
 */
public final class DeltaWriter implements TokenListener, AutoCloseable {
    private static final Object END = new Object();
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean broken;

    /** @param send writes one delta to the client; false when it could not */
    public DeltaWriter(Predicate<String> send) {
        thread = Thread.ofVirtual().name("sse-writer").start(() -> {
            try {
                for (Object item = queue.take(); item != END; item = queue.take()) {
                    if (!broken && !send.test((String) item)) {
                        broken = true;
                    }
                }
            } catch (InterruptedException e) {
                broken = true;
            }
        });
    }

    @Override
    public boolean onText(String delta) {
        if (broken) {
            return false;
        }
        queue.add(delta);
        return true;
    }

    /** Waits until every delta handed over so far is written (or the client is found gone). */
    @Override
    public void close() {
        queue.add(END);
        Threads.joinUninterruptibly(thread);
    }
}
