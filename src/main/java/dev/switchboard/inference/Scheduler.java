package dev.switchboard.inference;

import dev.switchboard.inference.sampling.Priority;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Decides who runs how many tokens in each step, and nothing else: admission from two FIFO queues (interactive
 * before batch) while the {@link KvManager} has blocks for what a request must compute now, preemption when a step
 * cannot get blocks, each decoding request's draft length, and the step's token budget. A step feeds each decoding
 * request its last token plus its drafts, then fills what is left of the budget with prompt chunks of requests
 * still in prefill, interactive ones first, oldest first: a long prompt never stalls the running streams for more
 * than a chunk. Requests that do not fit wait in arrival order (a large request is not overtaken forever by small
 * ones of its priority).
 *
 * <p>Preemption is by recompute, as in vLLM v1: the lowest-priority, latest-admitted running request gives back
 * all its blocks and goes back to the head of its queue; when admitted again it prefills its prompt plus what it
 * generated (mostly from the prefix cache, which kept its full blocks) and decodes on. Batch requests get only the
 * capacity interactive ones leave: they are admitted while no interactive request waits, preempted first, and an
 * interactive request that does not fit preempts running batch requests.
 *
 * <p>{@link #add} is called by any thread; everything else by the engine loop.
 */
final class Scheduler {
    private final KvManager kv;
    private final EngineMetrics metrics;
    private final int stepTokens;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    /** Guarded by lock: the waiting requests, one queue per {@link Priority} in its order. */
    private final List<ArrayDeque<Request>> waiting = List.of(new ArrayDeque<>(), new ArrayDeque<>());
    /** Guarded by lock. */
    private boolean closed;
    /** Loop thread only: interactive requests then batch ones, each in admission order. */
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

    /** Queues requests, next to each other; fails when the engine is closed. */
    void add(List<Request> requests) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("engine is closed");
            }
            for (Request r : requests) {
                queue(r).addLast(r);
            }
            metrics.queued(waitingCount());
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
            while (!closed && waitingCount() == 0 && running.isEmpty()) {
                work.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    private ArrayDeque<Request> queue(Request r) {
        return waiting.get(r.priority.ordinal());
    }

    private int waitingCount() {
        return waiting.getFirst().size() + waiting.getLast().size();
    }

    /**
     * Loop: admits from the head of the queues, interactive first, while the KV cache has blocks for what each must
     * compute now; an interactive request that does not fit preempts running batch requests, latest first. Waiters
     * cancelled meanwhile go to {@code dropped}. Once closed, every waiter goes to {@code refused}, every running
     * request is cancelled, and this returns true.
     */
    boolean admit(List<Request> dropped, List<Request> refused) {
        lock.lock();
        try {
            if (closed) {
                for (ArrayDeque<Request> queue : waiting) {
                    refused.addAll(queue);
                    queue.clear();
                }
                running.forEach(Request::cancel);
            } else {
                for (ArrayDeque<Request> queue : waiting) {
                    for (Iterator<Request> it = queue.iterator(); it.hasNext(); ) {
                        Request r = it.next();
                        if (r.shouldStop()) {
                            it.remove();
                            dropped.add(r);
                        }
                    }
                }
                admitWaiting();
            }
            metrics.queued(waitingCount());
            return closed;
        } finally {
            lock.unlock();
        }
    }

    private void admitWaiting() {
        for (ArrayDeque<Request> queue : waiting) {
            while (!queue.isEmpty()) {
                Request r = queue.peekFirst();
                if (r.leader != null && r.leader.generated == 0 && running.contains(r.leader)) {
                    return; // its prompt blocks will be in the prefix cache once the leader's prefill is done
                }
                int cached = kv.admit(r.kv, r.history, r.prefillEnd);
                if (cached < 0) {
                    if (r.priority == Priority.INTERACTIVE && !running.isEmpty()
                            && running.getLast().priority == Priority.BATCH) {
                        preempt(running.getLast());
                        continue;
                    }
                    return; // nothing behind the head is admitted: batch waits for every interactive one
                }
                queue.removeFirst();
                if (r.preemptions == 0) {
                    r.cachedPromptTokens = cached;
                }
                r.computed = cached;
                int at = running.size();
                while (at > 0 && running.get(at - 1).priority.compareTo(r.priority) > 0) {
                    at--;
                }
                running.add(at, r);
            }
        }
    }

    /** Loop: frees the request's blocks and puts it back at the head of its queue, to be recomputed. */
    private void preempt(Request r) {
        running.remove(r);
        kv.free(r.kv);
        r.preempted();
        lock.lock();
        try {
            queue(r).addFirst(r);
            metrics.queued(waitingCount());
        } finally {
            lock.unlock();
        }
        metrics.preempted();
    }

    /**
     * Loop, before drafting: grows each decoding request's blocks to the positions it may feed this step (its last
     * token and the most drafts it may propose), in running order. When the cache has no block left, the
     * lowest-priority, latest-admitted request is preempted, which may be the request itself.
     */
    void makeRoom() {
        for (int i = 0; i < running.size(); i++) {
            Request r = running.get(i);
            if (!r.decoding) {
                continue;
            }
            while (!kv.tryGrowTo(r.kv, r.position + 1 + draftLength(r))) {
                Request victim = running.getLast();
                preempt(victim);
                if (victim == r) {
                    break;
                }
            }
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
                // makeRoom grew it for the most drafts: blocks past the drafts proposed go back now
                kv.growTo(r.kv, r.position + 1 + r.drafts);
                kv.rollbackTo(r.kv, r.position + 1 + r.drafts);
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
            r.chunk = Math.min(prefillBudget, r.prefillEnd - r.computed);
            prefillBudget -= r.chunk;
            kv.growTo(r.kv, r.computed + r.chunk);
            plan.prefill.add(r);
        }
        return plan;
    }
}
