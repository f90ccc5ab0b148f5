package dev.switchboard.conversation;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * A customer message is committed before it is emitted, so a crash in between would leave it unanswered. At start-up
 * this re-emits, for every conversation still with the bot, its last message when that is the customer's. The bot
 * must therefore be idempotent: it checks {@link ConversationService#awaitsBotAnswer} before answering.
 */
@ApplicationScoped
class UnansweredMessageRecovery {

    private static final Logger LOG = Logger.getLogger(UnansweredMessageRecovery.class);

    @Inject
    CustomerMessagePublisher publisher;

    void onStart(@Observes StartupEvent ignored) {
        List<CustomerMessagePosted> unanswered = QuarkusTransaction.requiringNew().call(() -> Message
                .<Message>list("""
                        from Message m where m.role = ?1
                          and exists (from Conversation c where c.id = m.conversationId and c.status = ?2)
                          and not exists (from Message later where later.conversationId = m.conversationId
                                          and later.seq > m.seq)""", MessageRole.CUSTOMER, ConversationStatus.BOT)
                .stream()
                .map(m -> new CustomerMessagePosted(
                        Conversation.<Conversation>findById(m.conversationId).workspaceId, m.conversationId, m.id))
                .toList());
        if (!unanswered.isEmpty()) {
            LOG.infof("Re-emitting %d unanswered customer message(s)", unanswered.size());
            unanswered.forEach(publisher::publish);
        }
    }
}
