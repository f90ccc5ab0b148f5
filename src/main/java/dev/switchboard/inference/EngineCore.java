package dev.switchboard.inference;

import dev.switchboard.inference.speculative.DraftModel;
import dev.switchboard.inference.speculative.ModelDrafter;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

/**
 * The engine loop: one thread runs one forward pass per step over every running request (continuous batching);
 * requests join between steps and leave the moment they end, giving their KV blocks back at once. Each step reads
 * as speculative decoding does (without drafts it is plain decoding):
 * <ol>
 *   <li>make room: each decoding request's blocks grow to what it may feed; when the cache is full, the
 *       {@link Scheduler} preempts the lowest-priority, latest-admitted request (it is recomputed later);</li>
 *   <li>draft: each decoding request's drafter proposes up to the length the {@link Scheduler} allows;</li>
 *   <li>schedule: the scheduler plans decode entries and prefill chunks and the {@link KvManager} grows blocks;</li>
 *   <li>verify: the {@link ModelRunner} runs one pass, in which the backend picks each request's tokens (the
 *       {@link dev.switchboard.inference.speculative.Verifier}'s acceptance rule, on the host or on the device);</li>
 *   <li>accept and roll back: accepted tokens are recorded, KV blocks only rejected drafts touched are freed, full
 *       blocks are offered to the prefix cache;</li>
 *   <li>deliver: accepted ids go to the {@link OutputProcessor}, which detokenizes, checks stop strings and calls
 *       listeners on its own thread while the next step's pass runs.</li>
 * </ol>
 */
final class EngineCore {
    private final Scheduler scheduler;
    private final KvManager kv;
    private final ModelRunner runner;
    private final OutputProcessor output;
    private final EngineMetrics metrics;
    /** The engine's draft model for {@link dev.switchboard.inference.speculative.DraftMode#MODEL}, or null. */
    private final DraftModel draftModel;
    private final AutoCloseable onExit;
    private final Thread thread;
    /** Loop thread only: this step's requests that draft with the draft model. */
    private final List<ModelDrafter> modelDrafters = new ArrayList<>();
    private final List<Request> dropped = new ArrayList<>();
    private final List<Request> refused = new ArrayList<>();

    /**
     * @param onExit closed by the loop thread after the last step (the backend, cache and model files)
     */
    EngineCore(Scheduler scheduler, KvManager kv, ModelRunner runner, OutputProcessor output, EngineMetrics metrics,
            DraftModel draftModel, String name, AutoCloseable onExit) {
        this.scheduler = scheduler;
        this.kv = kv;
        this.runner = runner;
        this.output = output;
        this.metrics = metrics;
        this.draftModel = draftModel;
        this.onExit = onExit;
        this.thread = Thread.ofPlatform().name("engine-loop-" + name).daemon().start(this::loop);
    }

    /**
     * Runs requests (queued next to each other) to their ends and returns their results in order; blocks the calling
     * thread meanwhile. An interrupt cancels them (the call still returns their results, with the interrupt flag
     * set); when one fails, the others are cancelled and its failure is thrown.
     */
    List<GenerationResult> generate(List<Request> requests) {
        long now = System.nanoTime();
        for (Request r : requests) {
            r.arrivedNanos = now;
        }
        scheduler.add(requests);
        boolean interrupted = false;
        List<GenerationResult> results = new ArrayList<>(requests.size());
        try {
            for (Request r : requests) {
                while (true) {
                    try {
                        results.add(r.output.done.get());
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                        requests.forEach(Request::cancel);
                    } catch (ExecutionException e) {
                        requests.forEach(Request::cancel);
                        if (e.getCause() instanceof RuntimeException re) {
                            throw re;
                        }
                        throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            return results;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Refuses new work, cancels queued and running generations (queued ones fail: the engine is closed), waits for
     * the loop to finish its step and free the model. Called from a listener (the output thread), it does not
     * wait: the loop frees the model after this step.
     */
    void close() {
        scheduler.close();
        if (output.isOutputThread()) {
            return;
        }
        Threads.joinUninterruptibly(thread);
    }

    private void loop() {
        try {
            while (true) {
                if (scheduler.running().isEmpty()) {
                    output.send(); // the ends of requests that left before a pass
                    output.awaitDelivered();
                    scheduler.awaitWork();
                    if (admit()) {
                        return;
                    }
                    output.send();
                }
                if (!scheduler.running().isEmpty()) {
                    try {
                        step();
                    } catch (RuntimeException e) {
                        // A bug outside the forward pass (a drafter, the block accounting): the running generations
                        // fail, the engine goes on with the next ones.
                        failRunning(e);
                    }
                }
            }
        } finally {
            shutDown();
        }
    }

    /**
     * One step: draft, schedule, verify (the pass), accept and roll back, deliver. Step N's text is delivered
     * while step N+1's pass runs; the loop waits for it before reading step N+1's tokens and admitting new
     * requests.
     */
    private void step() {
        leaveStopped();
        scheduler.makeRoom();
        draft();
        Scheduler.Plan plan = scheduler.schedule();
        if (plan.isEmpty()) {
            return;
        }
        try {
            runner.run(plan);
        } catch (RuntimeException e) {
            // The pass's KV writes are unknown: every request in it fails; the engine goes on with new ones.
            failRunning(e);
            return;
        }
        metrics.step();
        output.awaitDelivered();
        long now = System.nanoTime();
        for (Request r : plan.decode) {
            advance(r, now, this::acceptAndRollBack);
        }
        for (Request r : plan.prefill) {
            metrics.prefilled(r.chunk);
            advance(r, now, this::afterPrefill);
        }
        admit();
        output.send();
    }

    /**
     * Applies a request's outputs of this pass ({@code settle} returns whether it goes on) unless it was stopped
     * meanwhile (its outputs are then dropped); a request that ended leaves the batch.
     */
    private void advance(Request r, long now, Predicate<Request> settle) {
        if (leaveIfStopped(r)) {
            return;
        }
        int before = r.generated;
        boolean goesOn = settle.test(r);
        metrics.emitted(r, before, now);
        if (!goesOn) {
            leave(r);
        }
    }

    /** Drafting: each decoding request proposes up to its draft length; draft-model drafts share passes. */
    private void draft() {
        for (Request r : scheduler.running()) {
            r.drafts = 0;
            if (r.decoding && r.drafter != null) {
                int length = scheduler.draftLength(r);
                if (r.drafter instanceof ModelDrafter m) {
                    r.drafts = m.prepare(r.history, r.position + 1, length, r.draft);
                    if (r.drafts > 0) {
                        modelDrafters.add(m);
                    }
                } else {
                    r.drafts = r.drafter.propose(r.history, r.position + 1, length, r.draft);
                }
            }
        }
        try {
            if (!modelDrafters.isEmpty()) {
                draftModel.draftAll(modelDrafters);
            }
        } finally {
            modelDrafters.clear();
        }
    }

    /**
     * After a decode pass that verified {@code r.drafts} drafts: record the accepted drafts plus the picked token,
     * roll back the KV blocks past them, offer full blocks to the prefix cache. Returns whether the request goes on.
     */
    private boolean acceptAndRollBack(Request r) {
        int k = r.drafts;
        int accepted = r.accepted;
        r.decodePasses++;
        r.draftedTokens += k;
        r.acceptedTokens += accepted;
        if (r.drafter != null) {
            r.drafter.accepted(k, accepted);
        }
        int valid = r.position + 1 + accepted;
        kv.rollbackTo(r.kv, valid);
        System.arraycopy(r.emitted, 0, r.history, r.position + 1, accepted);
        kv.registerFullBlocks(r.kv, r.history, valid);
        int i = 0;
        while (i < accepted && r.accept(r.emitted[i])) {
            i++;
        }
        if (i < accepted) { // a stop token, the token limit or cancellation cut the accepted run
            output.tokens(r, r.emitted, i + 1);
            return false;
        }
        r.position += accepted + 1;
        r.token = r.emitted[accepted];
        boolean goesOn = r.accept(r.token);
        output.tokens(r, r.emitted, accepted + 1);
        return goesOn;
    }

    /**
     * After a prefill chunk: the last one's picked token is the first generated; a resumed request goes back to
     * decoding its last generated token.
     */
    private boolean afterPrefill(Request r) {
        r.computed += r.chunk;
        kv.registerFullBlocks(r.kv, r.history, r.computed);
        if (r.computed < r.prefillEnd) {
            return true;
        }
        r.position = r.prefillEnd;
        r.decoding = true;
        if (!r.picksAfterPrefill()) {
            return true;
        }
        r.token = r.emitted[0];
        boolean goesOn = r.accept(r.token);
        output.tokens(r, r.emitted, 1);
        return goesOn;
    }

    /** Requests cancelled or stopped by their output (a stop string, a refusing listener) leave the batch. */
    private void leaveStopped() {
        for (Iterator<Request> it = scheduler.running().iterator(); it.hasNext(); ) {
            Request r = it.next();
            if (r.shouldStop()) {
                it.remove();
                end(r, FinishReason.CANCELLED);
            }
        }
    }

    private boolean leaveIfStopped(Request r) {
        if (!r.shouldStop()) {
            return false;
        }
        leave(r);
        return true;
    }

    private void leave(Request r) {
        scheduler.running().remove(r);
        end(r, FinishReason.CANCELLED);
    }

    /** Frees the request's blocks, publishes the gauges, then hands its end to the output thread. */
    private void end(Request r, FinishReason ifUnset) {
        r.end(ifUnset);
        release(r);
        output.ended(r);
    }

    private void release(Request r) {
        kv.free(r.kv);
        if (r.drafter != null) {
            r.drafter.close();
        }
        metrics.publish(scheduler.running().size(), kv);
    }

    /** Admission between steps (no delivery in flight). Returns true when the engine is closed and idle. */
    private boolean admit() {
        boolean closed = scheduler.admit(dropped, refused);
        for (Request r : dropped) {
            end(r, FinishReason.CANCELLED);
        }
        dropped.clear();
        IllegalStateException closedError = new IllegalStateException("engine is closed");
        for (Request r : refused) {
            output.failed(r, closedError);
        }
        refused.clear();
        metrics.publish(scheduler.running().size(), kv);
        return closed && scheduler.running().isEmpty();
    }

    private void failRunning(RuntimeException e) {
        List<Request> failed = new ArrayList<>(scheduler.running());
        scheduler.running().clear();
        for (Request r : failed) {
            release(r);
            output.failed(r, e);
        }
        output.send();
    }

    /** Delivers what is left, fails whatever could not end normally (after an Error), frees the model. */
    private void shutDown() {
        try {
            output.close();
        } finally {
            IllegalStateException stopped = new IllegalStateException("the engine's scheduler stopped");
            scheduler.close();
            scheduler.admit(dropped, refused);
            for (Request r : dropped) {
                r.output.done.completeExceptionally(stopped);
            }
            for (Request r : refused) {
                r.output.done.completeExceptionally(stopped);
            }
            for (Request r : scheduler.running()) {
                r.output.done.completeExceptionally(stopped);
            }
            try {
                onExit.close();
            } catch (Exception e) {
                System.getLogger(EngineCore.class.getName()).log(System.Logger.Level.ERROR,
                        "closing the model failed", e);
            }
        }
    }
}
