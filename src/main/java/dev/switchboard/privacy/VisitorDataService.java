package dev.switchboard.privacy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.common.Validation;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationEvent;
import dev.switchboard.conversation.ConversationView;
import dev.switchboard.conversation.Message;
import dev.switchboard.conversation.MessageView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * A visitor's data rights: everything stored about a visitor id of a workspace, as JSON, and its erasure
 * (conversations with their messages, stream events and webhook deliveries, and the bot's cached answers to the
 * visitor's questions).
 */
@ApplicationScoped
public class VisitorDataService {

    private static final Logger LOG = Logger.getLogger(VisitorDataService.class);
    static final int MAX_VISITOR_ID = 200;

    public record StoredEvent(long id, String type, JsonNode data, Instant createdAt) {}

    public record ConversationExport(ConversationView conversation, List<MessageView> messages,
            List<StoredEvent> events) {}

    public record VisitorExport(String visitorId, UUID workspaceId, Instant exportedAt,
            List<ConversationExport> conversations) {}

    public record Erased(String visitorId, long conversations, long messages, long events, long cachedAnswers) {}

    @Inject
    EntityManager em;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    @Transactional
    public VisitorExport export(UUID workspaceId, String visitorId) {
        Validation.requireText(visitorId, "visitorId", MAX_VISITOR_ID);
        List<Conversation> conversations = Conversation.list(
                "workspaceId = ?1 and visitorId = ?2 order by createdAt, id", workspaceId, visitorId);
        return new VisitorExport(visitorId, workspaceId, clock.instant(), conversations.stream()
                .map(c -> new ConversationExport(ConversationView.of(c),
                        Message.ofConversation(c.id).stream().map(MessageView::of).toList(),
                        ConversationEvent.<ConversationEvent>list("conversationId = ?1 order by id", c.id).stream()
                                .map(e -> new StoredEvent(e.id, e.type, parse(e.payload), e.createdAt)).toList()))
                .toList());
    }

    @Transactional
    public Erased erase(UUID workspaceId, String visitorId) {
        Validation.requireText(visitorId, "visitorId", MAX_VISITOR_ID);
        long messages = count("""
                select count(*) from messages m join conversations c on c.id = m.conversation_id
                where c.workspace_id = ?1 and c.visitor_id = ?2""", workspaceId, visitorId);
        long events = count("""
                select count(*) from conversation_events e join conversations c on c.id = e.conversation_id
                where c.workspace_id = ?1 and c.visitor_id = ?2""", workspaceId, visitorId);
        // The cache keys model answers by the customer's question text: a question of this visitor is their data.
        long cached = em.createNativeQuery("""
                delete from cached_answers a where a.workspace_id = ?1 and a.question in (
                  select m.content from messages m join conversations c on c.id = m.conversation_id
                  where c.workspace_id = ?1 and c.visitor_id = ?2 and m.role = 'customer')""")
                .setParameter(1, workspaceId).setParameter(2, visitorId).executeUpdate();
        // Messages, stream events and webhook deliveries go with their conversations (on delete cascade).
        long conversations = em.createNativeQuery(
                        "delete from conversations where workspace_id = ?1 and visitor_id = ?2")
                .setParameter(1, workspaceId).setParameter(2, visitorId).executeUpdate();
        LOG.infof("Erased a visitor of workspace %s: %d conversation(s), %d message(s), %d cached answer(s)",
                workspaceId, conversations, messages, cached);
        return new Erased(visitorId, conversations, messages, events, cached);
    }

    private long count(String sql, UUID workspaceId, String visitorId) {
        return ((Number) em.createNativeQuery(sql).setParameter(1, workspaceId).setParameter(2, visitorId)
                .getSingleResult()).longValue();
    }

    private JsonNode parse(String payload) {
        try {
            return json.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored event is not JSON", e);
        }
    }
}
