package dev.switchboard.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConversationLanesTest {

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ConversationLanes lanes = new ConversationLanes(executor);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void tasksOfOneConversationRunInOrderEvenAfterAFailure() throws Exception {
        UUID conversation = UUID.randomUUID();
        List<Integer> ran = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        lanes.submit(conversation, () -> {
            await(release);
            ran.add(1);
            throw new IllegalStateException("first task fails");
        });
        lanes.submit(conversation, () -> ran.add(2));
        CompletableFuture<Void> last = lanes.submit(conversation, () -> ran.add(3));

        release.countDown();
        last.get(10, TimeUnit.SECONDS);

        assertEquals(List.of(1, 2, 3), ran);
        assertEquals(0, lanes.busy(), "an idle conversation keeps no lane");
    }

    @Test
    void aBlockedConversationDoesNotHoldUpAnother() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> blocked = lanes.submit(UUID.randomUUID(), () -> await(release));

        lanes.submit(UUID.randomUUID(), () -> { }).get(10, TimeUnit.SECONDS);

        assertTrue(!blocked.isDone());
        release.countDown();
        blocked.get(10, TimeUnit.SECONDS);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
