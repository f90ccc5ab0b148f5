package dev.switchboard.bot;

import dev.switchboard.conversation.CustomerMessagePosted;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Takes committed customer messages off their channel and answers each on a virtual thread, in order within a
 * conversation and in parallel across conversations. The pipeline blocks (database, embeddings, a streamed model
 * answer), so this method only queues: the channel is never held up by one slow answer.
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
    public void onCustomerMessage(CustomerMessagePosted posted) {
        long received = System.nanoTime();
        lanes.submit(posted.conversationId(), () -> pipeline.answer(posted, received));
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
