package dev.switchboard.conversation;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What other rooms read about conversations, messages and their events. The conversation room is the only one
 * that queries its tables, so a column change stays inside it; entities returned here are read-only values.
 */
@ApplicationScoped
public class ConversationQueries {

    /** A stored event, for a visitor's export. */
    public record StoredEvent(long id, String type, String payload, java.time.Instant createdAt) {}

    /** One conversation of a visitor with everything stored with it, oldest first. */
    public record VisitorConversation(Conversation conversation, List<Message> messages, List<StoredEvent> events) {}

    /** A stored file with its bytes (base64 in JSON), for a visitor's export. */
    public record StoredAttachment(UUID id, UUID messageId, String filename, String contentType, int size,
            byte[] data) {}

    /** An answer in a workspace and the customer's question before it (blank when there was none). */
    public record AnswerToQuestion(String question, String answer) {}

    /** Whether the bot is still in charge of the conversation. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean withBot(UUID conversationId) {
        return em().createQuery("select c.status from Conversation c where c.id = ?1", ConversationStatus.class)
                .setParameter(1, conversationId).getSingleResult() == ConversationStatus.BOT;
    }

    /** The workspace's latest model-written answers, newest first. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public List<String> latestModelAnswers(UUID workspaceId, int limit) {
        return em().createQuery("select m.content from Message m, Conversation c where c.id = m.conversationId"
                        + " and c.workspaceId = ?1 and m.sourceModel is not null order by m.createdAt desc",
                        String.class)
                .setParameter(1, workspaceId).setMaxResults(limit).getResultList();
    }

    /** The id of the conversation's latest durable event; 0 when it has none. */
    @Transactional
    public long lastEventId(UUID conversationId) {
        Long id = em().createQuery("select max(e.id) from ConversationEvent e where e.conversationId = ?1",
                Long.class).setParameter(1, conversationId).getSingleResult();
        return id == null ? 0 : id;
    }

    /** A bot's or an agent's answer in the workspace, with the customer's question before it. */
    @Transactional
    public Optional<AnswerToQuestion> answerToQuestion(UUID workspaceId, UUID messageId) {
        return Message.<Message>findByIdOptional(messageId)
                .filter(m -> m.role == MessageRole.BOT || m.role == MessageRole.AGENT)
                .filter(m -> Conversation.<Conversation>findByIdOptional(m.conversationId)
                        .map(c -> c.workspaceId.equals(workspaceId)).orElse(false))
                .map(answer -> new AnswerToQuestion(Message.<Message>find(
                                "conversationId = ?1 and seq < ?2 and role = ?3 order by seq desc",
                                answer.conversationId, answer.seq, MessageRole.CUSTOMER).firstResultOptional()
                        .map(m -> m.content.strip()).orElse(""), answer.content.strip()));
    }

    /** Everything stored about a visitor id of a workspace, oldest conversation first. */
    @Transactional
    public List<VisitorConversation> ofVisitor(UUID workspaceId, String visitorId) {
        List<Conversation> conversations = Conversation.list(
                "workspaceId = ?1 and visitorId = ?2 order by createdAt, id", workspaceId, visitorId);
        return conversations.stream().map(c -> new VisitorConversation(c, Message.ofConversation(c.id),
                ConversationEvent.<ConversationEvent>list("conversationId = ?1 order by id", c.id).stream()
                        .map(e -> new StoredEvent(e.id, e.type, e.payload, e.createdAt)).toList())).toList();
    }

    /** The conversation's attachments with their bytes, oldest first. */
    @Transactional
    public List<StoredAttachment> attachmentsOf(UUID conversationId) {
        return Attachment.<Attachment>list("conversationId = ?1 order by createdAt, id", conversationId).stream()
                .map(a -> new StoredAttachment(a.id, a.messageId, a.filename, a.contentType, a.sizeBytes, a.data))
                .toList();
    }

    /** What the visitor wrote in the workspace (their questions, e.g. to erase what was cached under them). */
    @Transactional
    public List<String> customerTextsOf(UUID workspaceId, String visitorId) {
        return em().createQuery("select m.content from Message m, Conversation c where c.id = m.conversationId"
                        + " and c.workspaceId = ?1 and c.visitorId = ?2 and m.role = ?3", String.class)
                .setParameter(1, workspaceId).setParameter(2, visitorId).setParameter(3, MessageRole.CUSTOMER)
                .getResultList();
    }

    private static EntityManager em() {
        return Conversation.getEntityManager();
    }
}
