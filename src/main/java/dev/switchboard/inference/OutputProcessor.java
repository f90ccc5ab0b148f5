package dev.switchboard.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Delivery off the engine loop's critical path: the loop hands each step's accepted token ids and ended requests
 * to one output thread, which detokenizes, checks stop strings, calls listeners and completes results
 * ({@link RequestOutput}) while the loop runs the next forward pass. At most one step is in flight: the loop waits
 * for step N's delivery before it admits requests and reads step N+1's outputs, so a stop string or a refusing
 * listener ends its request one step later at most, and a listener that blocks holds the loop within a step.
 */
final class OutputProcessor {
    private final ExecutorService thread;
    private final EngineMetrics metrics;
    private volatile Thread outputThread;
    private List<Runnable> batch = new ArrayList<>();
    private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);

    OutputProcessor(String name, EngineMetrics metrics) {
        this.thread = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("engine-output-" + name).daemon().factory());
        this.metrics = metrics;
    }

    /** Whether the caller is the output thread (where listeners run). */
    boolean isOutputThread() {
        return Thread.currentThread() == outputThread;
    }

    /** Loop thread: the request accepted {@code emitted[0..n)}. */
    void tokens(Request r, int[] emitted, int n) {
        int[] ids = Arrays.copyOf(emitted, n);
        batch.add(() -> {
            for (int id : ids) {
                r.output.token(id);
            }
        });
    }

    /** Loop thread: the request ended ({@link Request#finish}); its blocks are already free. */
    void ended(Request r) {
        FinishReason reason = r.finish;
        batch.add(() -> {
            GenerationResult result = r.output.finish(r, reason);
            if (result == null) {
                r.output.done.completeExceptionally(r.output.listenerFailure());
                return;
            }
            metrics.ended(result);
            r.output.done.complete(result);
        });
    }

    /** Loop thread: the request failed (its blocks are already free). */
    void failed(Request r, RuntimeException e) {
        batch.add(() -> r.output.done.completeExceptionally(e));
    }

    /** Loop thread: waits until the step handed over last is delivered. */
    void awaitDelivered() {
        inFlight.join();
    }

    /** Loop thread: hands this step's outputs to the output thread (after the previous step's). */
    void send() {
        if (batch.isEmpty()) {
            return;
        }
        List<Runnable> items = batch;
        batch = new ArrayList<>();
        inFlight = CompletableFuture.runAsync(() -> {
            outputThread = Thread.currentThread();
            for (Runnable item : items) {
                item.run();
            }
        }, thread);
    }

    /** Loop thread, at its end: delivers what is left and stops the output thread. */
    void close() {
        awaitDelivered();
        send();
        awaitDelivered();
        thread.shutdown();
    }
}
