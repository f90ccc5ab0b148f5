package dev.switchboard.conversation;

import io.smallrye.reactive.messaging.annotations.Broadcast;
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

    // Buffered: a slow bot must not block or fail the HTTP request that posted the message. Broadcast: the bot and
    // observers (metrics, tests) may all consume the channel.
    @Inject
    @Channel(CustomerMessagePosted.CHANNEL)
    @Broadcast
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 10_000)
    Emitter<CustomerMessagePosted> emitter;

    void publish(CustomerMessagePosted posted) {
        try {
            emitter.send(posted).whenComplete((ignored, failure) -> {
                if (failure != null) {
                    LOG.warnf(failure, "The consumer of %s failed; the message stays unanswered until re-emitted",
                            posted);
                }
            });
        } catch (RuntimeException e) {
            // The message is committed: UnansweredMessageRecovery re-emits it at the next start.
            LOG.errorf(e, "Could not emit %s", posted);
        }
    }
}
