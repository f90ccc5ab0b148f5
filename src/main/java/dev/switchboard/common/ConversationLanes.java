package dev.switchboard.common;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time per conversation, in the order submitted, and tasks of different conversations in
 * parallel: a customer's second message is answered after the first, and a stream's events are applied in order,
 * while one slow conversation holds up no one else.
 */
public final class ConversationLanes {

    private final Executor executor;
    /** The last task of each busy conversation; removed when it finishes with nothing queued behind it. */
    private final ConcurrentHashMap<UUID, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    public ConversationLanes(Executor executor) {
        this.executor = executor;
    }

    /** Queues the task behind the conversation's earlier ones; the future completes when it ran (or failed). */
    public CompletableFuture<Void> submit(UUID conversationId, Runnable task) {
        CompletableFuture<Void> tail = tails.compute(conversationId, (id, previous) ->
                (previous == null ? CompletableFuture.<Void>completedFuture(null) : previous)
                        // a failed task must not stop the ones behind it
                        .handle((ignored, error) -> null)
                        .thenRunAsync(task, executor));
        tail.whenComplete((ignored, error) -> tails.remove(conversationId, tail));
        return tail;
    }

    /** Conversations with a task queued or running. */
    public int busy() {
        return tails.size();
    }
}
