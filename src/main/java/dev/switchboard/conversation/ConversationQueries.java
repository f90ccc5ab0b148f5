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

    /**
     * A customer's message and the first agent reply after it: a question a person had to answer.
     *
     * @param questionId the customer message's id
     */
    public record HumanAnswer(UUID questionId, UUID conversationId, String question, String answer,
                              java.time.Instant answeredAt) {}

    /**
     * The workspace's latest questions that an agent answered by hand, newest answer first, at most {@code limit}:
     * each agent reply paired with the customer message right before it (a question answered twice counts once,
     * with its first reply).
     */
    @Transactional
    public List<HumanAnswer> humanAnswers(UUID workspaceId, int limit) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em().createNativeQuery("""
                        select q.id, q.conversation_id, q.content, a.content, a.created_at
                        from messages a
                        join conversations c on c.id = a.conversation_id
                        join lateral (select m.id, m.conversation_id, m.content, m.seq from messages m
                                      where m.conversation_id = a.conversation_id and m.seq < a.seq
                                      and m.role = 'customer' order by m.seq desc limit 1) q on true
                        where c.workspace_id = ?1 and a.role = 'agent'
                        and not exists (select 1 from messages e where e.conversation_id = a.conversation_id
                                        and e.role = 'agent' and e.seq < a.seq and e.seq > q.seq)
                        order by a.created_at desc, a.seq desc""")
                .setParameter(1, workspaceId).setMaxResults(limit).getResultList();
        return rows.stream().map(r -> new HumanAnswer((UUID) r[0], (UUID) r[1], (String) r[2], (String) r[3],
                r[4] instanceof java.time.Instant i ? i : ((java.time.OffsetDateTime) r[4]).toInstant())).toList();
    }

    /**
     * What customers wrote before the bot offered FAQ entries and they picked entry {@code faqId}: the customer
     * message before each offer whose next bot message answered from that entry, newest first, at most
     * {@code limit}.
     */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<String> wordingsPicking(UUID workspaceId, UUID faqId, int limit) {
        return em().createNativeQuery("""
                        select q.content
                        from messages o
                        join conversations c on c.id = o.conversation_id
                        join lateral (select m.content from messages m
                                      where m.conversation_id = o.conversation_id and m.seq < o.seq
                                      and m.role = 'customer' order by m.seq desc limit 1) q on true
                        where c.workspace_id = ?1 and o.offered_faq_ids is not null
                        and %s = ?2 and ?2 = any(o.offered_faq_ids)
                        order by o.created_at desc, o.seq desc""".formatted(pickedEntry("o")))
                .setParameter(1, workspaceId).setParameter(2, faqId).setMaxResults(limit).getResultList();
    }

    /**
     * SQL for the entry picked from the offer in {@code offer} (a messages alias): the FAQ entry the bot's next
     * message answered from, which is a pick when it is one of the offered ones.
     */
    static String pickedEntry(String offer) {
        return """
                (select a.source_faq_id from messages a where a.conversation_id = %1$s.conversation_id
                    and a.seq > %1$s.seq and a.role = 'bot' order by a.seq limit 1)""".formatted(offer);
    }

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

    /** How many pending or open conversations of the workspace are assigned to each of the agents (absent: none). */
    @Transactional
    public java.util.Map<UUID, Long> openAssignedCounts(UUID workspaceId, java.util.Collection<UUID> agentIds) {
        if (agentIds.isEmpty()) {
            return java.util.Map.of();
        }
        return em().createQuery("select c.assigneeAgentId, count(c) from Conversation c where c.workspaceId = ?1"
                        + " and c.assigneeAgentId in ?2 and c.status in ?3 group by c.assigneeAgentId", Object[].class)
                .setParameter(1, workspaceId).setParameter(2, agentIds)
                .setParameter(3, List.of(ConversationStatus.PENDING, ConversationStatus.OPEN)).getResultList().stream()
                .collect(java.util.stream.Collectors.toMap(r -> (UUID) r[0], r -> ((Number) r[1]).longValue()));
    }

    /** An earlier (or later) conversation of the same visitor. */
    public record PastConversation(UUID id, ConversationStatus status, java.time.Instant createdAt,
            java.time.Instant lastActivityAt) {}

    /**
     * What is known about a visitor of the workspace: the profile from identify() (name, e-mail, verified, custom
     * attributes as a JSON object; empty values when never identified), when first seen, and their conversations,
     * newest first.
     */
    public record VisitorProfileView(String visitorId, String name, String email, boolean verified,
            String attributesJson, java.time.Instant firstSeenAt, List<PastConversation> conversations) {}

    /** How many of the visitor's conversations the profile lists. */
    public static final int PROFILE_CONVERSATIONS = 20;

    @Transactional
    public VisitorProfileView visitorProfile(UUID workspaceId, String visitorId) {
        @SuppressWarnings("unchecked")
        List<Object[]> profile = em().createNativeQuery("""
                select name, email, verified, attributes::text, first_seen_at from visitor_profiles
                 where workspace_id = ?1 and visitor_id = ?2""")
                .setParameter(1, workspaceId).setParameter(2, visitorId).getResultList();
        List<Conversation> conversations = Conversation.<Conversation>find(
                "workspaceId = ?1 and visitorId = ?2 order by createdAt desc, id", workspaceId, visitorId)
                .page(0, PROFILE_CONVERSATIONS).list();
        java.time.Instant firstConversation = em().createQuery("select min(c.createdAt) from Conversation c"
                        + " where c.workspaceId = ?1 and c.visitorId = ?2", java.time.Instant.class)
                .setParameter(1, workspaceId).setParameter(2, visitorId).getSingleResult();
        Object[] p = profile.isEmpty() ? null : profile.getFirst();
        java.time.Instant profileSeen = p == null ? null : InboxQuery.instant(p[4]);
        java.time.Instant firstSeen = profileSeen == null ? firstConversation
                : firstConversation == null || profileSeen.isBefore(firstConversation) ? profileSeen : firstConversation;
        return new VisitorProfileView(visitorId, p == null ? null : (String) p[0], p == null ? null : (String) p[1],
                p != null && (Boolean) p[2], p == null ? "{}" : (String) p[3], firstSeen,
                conversations.stream().map(c -> new PastConversation(c.id, c.status, c.createdAt, c.lastActivityAt))
                        .toList());
    }

    private static EntityManager em() {
        return Conversation.getEntityManager();
    }
}
