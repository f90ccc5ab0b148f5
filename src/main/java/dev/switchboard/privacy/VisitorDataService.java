package dev.switchboard.privacy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.common.Validation;
import dev.switchboard.conversation.Attachments;
import dev.switchboard.conversation.ConversationQueries;
import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.ConversationView;
import dev.switchboard.conversation.MessageView;
import dev.switchboard.faq.CachedAnswers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * A visitor's data rights: everything stored about a visitor id of a workspace, as JSON (attachments' bytes in
 * base64), and its erasure (conversations with their messages, attachments, stream events and webhook deliveries,
 * and the bot's cached answers to the visitor's questions).
 */
@ApplicationScoped
public class VisitorDataService {

    private static final Logger LOG = Logger.getLogger(VisitorDataService.class);
    static final int MAX_VISITOR_ID = 200;

    public record StoredEvent(long id, String type, JsonNode data, Instant createdAt) {}

    public record ConversationExport(ConversationView conversation, List<MessageView> messages,
            List<StoredEvent> events, List<ConversationQueries.StoredAttachment> attachments) {}

    /** What identify() told about the visitor (null fields when never identified). */
    public record ProfileExport(String name, String email, boolean verified, JsonNode attributes, Instant firstSeenAt) {}

    public record VisitorExport(String visitorId, UUID workspaceId, Instant exportedAt,
            List<ConversationExport> conversations, ProfileExport profile) {}

    public record Erased(String visitorId, long conversations, long messages, long events, long cachedAnswers,
            long attachments) {}

    @Inject
    ConversationQueries conversationQueries;

    @Inject
    ConversationService conversations;

    @Inject
    Attachments attachments;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    @Transactional
    public VisitorExport export(UUID workspaceId, String visitorId) {
        Validation.requireText(visitorId, "visitorId", MAX_VISITOR_ID);
        return new VisitorExport(visitorId, workspaceId, clock.instant(),
                conversationQueries.ofVisitor(workspaceId, visitorId).stream()
                        .map(c -> new ConversationExport(ConversationView.of(c.conversation()),
                                attachments.views(c.conversation().id, c.messages()),
                                c.events().stream().map(e -> new StoredEvent(e.id(), e.type(), parse(e.payload()),
                                        e.createdAt())).toList(),
                                conversationQueries.attachmentsOf(c.conversation().id)))
                        .toList(), profile(workspaceId, visitorId));
    }

    private ProfileExport profile(UUID workspaceId, String visitorId) {
        ConversationQueries.VisitorProfileView p = conversationQueries.visitorProfile(workspaceId, visitorId);
        return new ProfileExport(p.name(), p.email(), p.verified(), parse(p.attributesJson()), p.firstSeenAt());
    }

    @Transactional
    public Erased erase(UUID workspaceId, String visitorId) {
        Validation.requireText(visitorId, "visitorId", MAX_VISITOR_ID);
        // The cache keys model answers by the customer's question text: a question of this visitor is their data.
        long cached = CachedAnswers.forgetQuestions(workspaceId,
                conversationQueries.customerTextsOf(workspaceId, visitorId));
        ConversationService.ErasedVisitor erased = conversations.eraseVisitor(workspaceId, visitorId);
        LOG.infof("Erased a visitor of workspace %s: %d conversation(s), %d message(s), %d cached answer(s)",
                workspaceId, erased.conversations(), erased.messages(), cached);
        return new Erased(visitorId, erased.conversations(), erased.messages(), erased.events(), cached,
                erased.attachments());
    }

    private JsonNode parse(String payload) {
        try {
            return json.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored event is not JSON", e);
        }
    }
}
