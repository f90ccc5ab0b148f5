package dev.switchboard.inference;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Decides who runs how many tokens in each step, and nothing else: admission from a FIFO queue while the
 * {@link KvManager} can reserve a request's worst case, each decoding request's draft length, and the step's token
 * budget. A step feeds each decoding request its last token plus its drafts, then fills what is left of the budget
 * with prompt chunks of requests still in prefill, oldest first: a long prompt never stalls the running streams for
 * more than a chunk. Requests that do not fit wait in arrival order (a large request is not overtaken forever by
 * small ones).
 *
 * <p>{@link #add} is called by any thread; everything else by the engine loop.
 */
final class Scheduler {
    private final KvManager kv;
    private final EngineMetrics metrics;
    private final int stepTokens;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    /** Guarded by lock. */
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    /** Guarded by lock. */
    private boolean closed;
    /** Loop thread only, in admission order. */
    private final List<Request> running = new ArrayList<>();
    private final Plan plan = new Plan();

    /** One step's work: decoding requests (1 + drafts positions each), then prefill chunks ({@link Request#chunk}). */
    static final class Plan {
        final List<Request> decode = new ArrayList<>();
        final List<Request> prefill = new ArrayList<>();

        boolean isEmpty() {
            return decode.isEmpty() && prefill.isEmpty();
        }
    }

    /**
     * @param stepTokens the most positions a step feeds for prefill when nothing decodes (decoding requests take
     *     their share first; prefill always gets at least a quarter, so that new requests start under load)
     */
    Scheduler(KvManager kv, EngineMetrics metrics, int stepTokens) {
        this.kv = kv;
        this.metrics = metrics;
        this.stepTokens = stepTokens;
    }

    /** Queues a request; fails when the engine is closed. */
    void add(Request r) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("engine is closed");
            }
            waiting.addLast(r);
            metrics.queued(waiting.size());
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new requests from now on and wakes the loop. */
    void close() {
        lock.lock();
        try {
            closed = true;
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Loop: waits while nothing runs, nothing waits and the engine is open. */
    void awaitWork() {
        lock.lock();
        try {
            while (!closed && waiting.isEmpty() && running.isEmpty()) {
                work.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Loop: admits from the head of the queue while the KV cache can reserve each one's worst case. Waiters
     * cancelled meanwhile go to {@code dropped}. Once closed, every waiter goes to {@code refused}, every running
     * request is cancelled, and this returns true.
     */
    boolean admit(List<Request> dropped, List<Request> refused) {
        lock.lock();
        try {
            if (closed) {
                refused.addAll(waiting);
                waiting.clear();
                running.forEach(Request::cancel);
            } else {
                for (Iterator<Request> it = waiting.iterator(); it.hasNext(); ) {
                    Request r = it.next();
                    if (r.shouldStop()) {
                        it.remove();
                        dropped.add(r);
                    }
                }
                while (!waiting.isEmpty()) {
                    Request r = waiting.peekFirst();
                    int cached = kv.admit(r.kv, r.prompt);
                    if (cached < 0) {
                        break;
                    }
                    waiting.removeFirst();
                    r.computed = cached;
                    running.add(r);
                }
            }
            metrics.queued(waiting.size());
            return closed;
        } finally {
            lock.unlock();
        }
    }

    List<Request> running() {
        return running;
    }

    /** How many tokens a decoding request may draft this step. */
    int draftLength(Request r) {
        return Math.min(r.maxDraft, r.draftBudget());
    }

    /**
     * Plans this step from the running requests and their drafts (set by the loop): decode entries first, then
     * prefill chunks within what is left of the budget; grows each one's KV blocks to the positions it feeds.
     */
    Plan schedule() {
        plan.decode.clear();
        plan.prefill.clear();
        int decodeTokens = 0;
        for (Request r : running) {
            r.chunk = 0;
            if (r.decoding) {
                kv.growTo(r.kv, r.position + 1 + r.drafts);
                plan.decode.add(r);
                decodeTokens += 1 + r.drafts;
            }
        }
        int prefillBudget = decodeTokens == 0 ? stepTokens : Math.max(stepTokens - decodeTokens,
                Math.ceilDiv(stepTokens, 4));
        for (Request r : running) {
            if (r.decoding || prefillBudget == 0) {
                continue;
            }
            r.chunk = Math.min(prefillBudget, r.prompt.length - r.computed);
            prefillBudget -= r.chunk;
            kv.growTo(r.kv, r.computed + r.chunk);
            plan.prefill.add(r);
        }
        return plan;
    }
}
