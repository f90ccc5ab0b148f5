package dev.switchboard.inference;

/**
 * A cancel handle for one generation, checked between forward passes, so another thread (a watchdog, a
 * disconnect detector) can stop a generation that is not writing anything, e.g. during a long prefill.
 */
public final class Cancellation {
    private volatile boolean cancelled;

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }
}
