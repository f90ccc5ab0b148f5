package dev.switchboard.bot;

import dev.switchboard.common.ConversationLanes;
import dev.switchboard.conversation.CustomerMessagePosted;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Takes committed customer messages off their channel and answers each on a virtual thread, in order within a
 * conversation and in parallel across conversations. The pipeline blocks (database, embeddings, a streamed model
 * answer), so this method only queues: the channel is never held up by one slow answer.
 * <p>
 * A message is acknowledged only once its answer (or handoff) is committed; over Kafka that is what lets the offset
 * be committed. A worker that dies first leaves it unacknowledged, so the partition's next owner gets it again, and
 * the pipeline's idempotence (see {@link BotPipeline}) makes the redelivery harmless when it was answered after all.
 */
@ApplicationScoped
public class CustomerMessageConsumer {

    private static final Logger LOG = Logger.getLogger(CustomerMessageConsumer.class);

    @Inject
    BotPipeline pipeline;

    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("bot-", 0).factory());
    private final ConversationLanes lanes = new ConversationLanes(executor);

    @Incoming(CustomerMessagePosted.CHANNEL)
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> onCustomerMessage(Message<CustomerMessagePosted> message) {
        CustomerMessagePosted posted = message.getPayload();
        long received = System.nanoTime();
        lanes.submit(posted.conversationId(), () -> pipeline.answer(posted, received))
                .whenComplete((ignored, failure) -> {
                    if (failure == null) {
                        message.ack();
                    } else {
                        // Not acknowledged: delivered again (Kafka) or re-emitted at the next start (in-process).
                        LOG.warnf(failure, "Message %s was not answered", posted.messageId());
                    }
                });
        // Returns at once: the next message, of any conversation, is taken while this one is answered.
        return CompletableFuture.completedFuture(null);
    }

    /** True when no message is queued or being answered. */
    boolean idle() {
        return lanes.busy() == 0;
    }

    /**
     * Lets answers in progress finish for a moment, without interrupting them: an interrupted model call would hand
     * the conversation off. What is still unanswered at exit is re-emitted at the next start.
     */
    @PreDestroy
    void stop() throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
            LOG.infof("Stopping with %d conversation(s) still being answered; they are answered after restart",
                    lanes.busy());
        }
    }
}
