package dev.switchboard.conversation;

import dev.switchboard.common.messaging.KeyedMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/** The one place that puts {@link CustomerMessagePosted} on its channel. */
@ApplicationScoped
class CustomerMessagePublisher {

    private static final Logger LOG = Logger.getLogger(CustomerMessagePublisher.class);

    // Buffered: a slow bot or broker must not block or fail the HTTP request that posted the message.
    @Inject
    @Channel(CustomerMessagePosted.OUTGOING_CHANNEL)
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 10_000)
    Emitter<CustomerMessagePosted> emitter;

    void publish(CustomerMessagePosted posted) {
        try {
            // Keyed by conversation: one conversation's messages stay in order on one partition.
            emitter.send(KeyedMessages.keyed(posted.conversationId().toString(), posted, failure -> LOG.warnf(failure,
                    "Could not deliver %s; the message stays unanswered until re-emitted", posted)));
        } catch (RuntimeException e) {
            // The message is committed: UnansweredMessageRecovery re-emits it at the next start.
            LOG.errorf(e, "Could not emit %s", posted);
        }
    }
}
