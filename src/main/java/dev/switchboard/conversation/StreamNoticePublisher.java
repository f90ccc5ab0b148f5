package dev.switchboard.conversation;

import dev.switchboard.common.messaging.KeyedMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * The one place that puts {@link StreamNotice}s on their channel. A bean of its own so that the emitter is connected
 * on first use, after the messaging graph is wired, not when the event hub is first touched at start-up.
 */
@ApplicationScoped
class StreamNoticePublisher {

    private static final Logger LOG = Logger.getLogger(StreamNoticePublisher.class);

    // Buffered: a slow broker must not block the bot's model stream or a committing request.
    @Inject
    @Channel(StreamNotice.OUTGOING_CHANNEL)
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 10_000)
    Emitter<StreamNotice> emitter;

    void publish(StreamNotice notice) {
        try {
            // Keyed by conversation: its notices stay in order on one partition.
            emitter.send(KeyedMessages.keyed(notice.conversationId().toString(), notice,
                    failure -> lost(notice, failure)));
        } catch (RuntimeException e) {
            lost(notice, e);
        }
    }

    private static void lost(StreamNotice notice, Throwable failure) {
        LOG.warnf(failure, "Could not send a %s notice of conversation %s; its clients catch up on reconnect",
                notice.kind(), notice.conversationId());
    }
}
