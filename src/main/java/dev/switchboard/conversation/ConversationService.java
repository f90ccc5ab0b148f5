package dev.switchboard.conversation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Secrets;
import dev.switchboard.common.Times;
import dev.switchboard.common.Validation;
import dev.switchboard.webhook.WebhookEvents;
import dev.switchboard.webhook.WebhookOutbox;
import dev.switchboard.workspace.BusinessHoursService;
import dev.switchboard.workspace.Caller;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transactional;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Conversations and their messages. Every change that others must see also writes a durable event (delivered to
 * event streams after commit); every write locks the conversation's row first, so events of one conversation are
 * committed in id order.
 */
@ApplicationScoped
public class ConversationService {

    private static final Logger LOG = Logger.getLogger(ConversationService.class);

    public static final int MAX_CONTENT = 4000;
    static final int MAX_VISITOR_ID = 200;
    /**
     * Widget-given visitor ids are anyone's claim: they are stored under this prefix, so an anonymous visitor never
     * shares an identity (dashboard, export, erase) with a user the business verified or its server named.
     */
    public static final String ANONYMOUS_PREFIX = "anon:";
    public static final int MAX_AGENT_NAME = 100;
    static final int MAX_VISITOR_NAME = 200;
    static final int MAX_EMAIL = 320;
    static final int MAX_RATING_COMMENT = 2000;
    static final int MAX_LIST = 200;
    /** What the customer reads when a handoff happens outside the workspace's business hours. */
    public static final String OUTSIDE_HOURS_NOTICE = "Our team is away right now (outside business hours). Leave "
            + "your e-mail address and an agent will reply as soon as they are back.";

    /** A new conversation and, when started by the widget, the visitor token shown only in this response. */
    public record Started(Conversation conversation, String visitorToken) {}

    private record Stored(Message message, UUID workspaceId, boolean forBot) {}

    /**
     * Whom a conversation is assigned to: an agent, a team, both (an agent of that team) or neither (unassigned).
     * The names are what the dashboard room says they are, carried into the event for the stream and webhooks.
     */
    public record Assignee(UUID agentId, String agentName, UUID teamId, String teamName) {
        public static final Assignee NONE = new Assignee(null, null, null, null);
    }

    /** The payload of conversation.assigned (stream and webhook): the new assignee, and whether a rule chose it. */
    public record Assigned(UUID conversationId, UUID agentId, String agentName, UUID teamId, String teamName,
            boolean automatic, UUID previousAgentId, UUID previousTeamId) {}

    /** The payload of conversation.status_changed; labels: the names of the conversation's labels. */
    record StatusChange(UUID conversationId, ConversationStatus status, ConversationStatus previousStatus,
            HandoffReason handoffReason, String agentName, List<String> labels) {}

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    @Inject
    ConversationEvents events;

    @Inject
    CustomerMessagePublisher publisher;

    @Inject
    TransactionSynchronizationRegistry transactions;

    @Inject
    MeterRegistry metrics;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    CustomerMessageWriter writer;

    @Inject
    WebhookOutbox webhooks;

    @Inject
    Event<ConversationSignals.HumanNeeded> humanNeeded;

    @Inject
    Event<ConversationSignals.CustomerReplied> customerReplied;

    @Inject
    Labels labels;

    @Inject
    BusinessHoursService hours;

    @Inject
    Attachments attachments;

    /** A widget caller (site key) gets the conversation's visitor token; an API-key caller needs none. */
    @Transactional
    public Started start(Caller caller, String visitorId) {
        UUID workspaceId = caller.workspaceId();
        Conversation c = new Conversation();
        c.id = UUID.randomUUID();
        c.workspaceId = workspaceId;
        String given = Validation.requireText(visitorId, "visitorId", MAX_VISITOR_ID);
        c.visitorId = caller.viaApiKey() ? given : ANONYMOUS_PREFIX + given;
        String visitorToken = caller.viaApiKey() ? null : Secrets.newToken("vt_");
        c.visitorTokenHash = visitorToken == null ? null : Secrets.sha256Hex(visitorToken);
        c.status = ConversationStatus.BOT;
        c.createdAt = Times.now(clock);
        c.lastActivityAt = c.createdAt;
        c.persist();
        webhooks.record(workspaceId, c.id, WebhookEvents.CONVERSATION_CREATED, ConversationView.of(c));
        metrics.counter("switchboard.conversations.started").increment();
        return new Started(c, visitorToken);
    }

    /**
     * The conversation if the caller may see it, else a 404 (never 403: ids of other workspaces' conversations must
     * not be confirmed). A widget caller needs the conversation's visitor token as well as the site key.
     */
    public Conversation requireAccessible(Caller caller, UUID conversationId, String visitorToken) {
        requireVisitorToken(caller, visitorToken);
        return Conversation.<Conversation>findByIdOptional(conversationId)
                .filter(c -> mayAccess(caller, c, visitorToken))
                .orElseThrow(() -> notFound(conversationId));
    }

    private static void requireVisitorToken(Caller caller, String visitorToken) {
        if (!caller.viaApiKey() && (visitorToken == null || visitorToken.isBlank())) {
            throw ApiException.unauthorized(
                    "Widget access needs the conversation's visitor token (X-Visitor-Token or visitor_token)");
        }
    }

    private static boolean mayAccess(Caller caller, Conversation c, String visitorToken) {
        return c.workspaceId.equals(caller.workspaceId()) && (caller.viaApiKey() || (c.visitorTokenHash != null
                && Secrets.constantTimeEquals(c.visitorTokenHash, Secrets.sha256Hex(visitorToken.strip()))));
    }

    private static ApiException notFound(UUID conversationId) {
        return ApiException.notFound("No conversation with id '" + conversationId + "'");
    }

    /** A workspace's conversations, most recently active first, optionally of one status. */
    public List<Conversation> list(UUID workspaceId, ConversationStatus status, int limit) {
        if (limit < 1 || limit > MAX_LIST) {
            throw ApiException.badRequest("Parameter 'limit' must be between 1 and " + MAX_LIST);
        }
        return status == null
                ? Conversation.find("workspaceId = ?1 order by lastActivityAt desc, id", workspaceId)
                        .page(0, limit).list()
                : Conversation.find("workspaceId = ?1 and status = ?2 order by lastActivityAt desc, id", workspaceId,
                        status).page(0, limit).list();
    }

    /** All messages, oldest first. */
    public List<Message> messages(UUID conversationId) {
        return Message.ofConversation(conversationId);
    }

    /**
     * Stores a customer message and returns it once committed; then, if the bot is in charge, emits
     * {@link CustomerMessagePosted}. A resolved conversation is reopened for the bot; in pending or open ones the
     * message waits for the human and is not emitted. The caller's access is checked on the locked row, in the one
     * short transaction that stores the message (a 404 as from {@link #requireAccessible}).
     */
    public Message postCustomerMessage(Caller caller, UUID conversationId, String visitorToken, String content) {
        Validation.requireText(content, "content", MAX_CONTENT);
        return postCustomer(caller, conversationId, visitorToken, content, null);
    }

    /**
     * A file from the customer (checked by {@link Attachments#prepare}), posted as a message whose text is the file's
     * name, exactly like {@link #postCustomerMessage}: the bot hears of it while in charge (it cannot see the file,
     * so it typically hands off).
     */
    public Message postCustomerAttachment(Caller caller, UUID conversationId, String visitorToken,
            Attachments.NewAttachment file) {
        return postCustomer(caller, conversationId, visitorToken, file.filename(), Objects.requireNonNull(file));
    }

    private Message postCustomer(Caller caller, UUID conversationId, String visitorToken, String content,
            Attachments.NewAttachment file) {
        requireVisitorToken(caller, visitorToken);
        // A file goes with its message row, so only plain text takes the one-statement path.
        Stored stored = file == null ? appendCustomerMessage(caller, conversationId, visitorToken, content) : null;
        if (stored == null) {
            // Not stored by the one statement: unknown, not the caller's, resolved (reopened here for the bot), or a file.
            stored = QuarkusTransaction.requiringNew().call(() -> {
                Conversation c = Conversation.findById(conversationId, LockModeType.PESSIMISTIC_WRITE);
                if (c == null || !mayAccess(caller, c, visitorToken)) {
                    throw notFound(conversationId);
                }
                if (c.status == ConversationStatus.RESOLVED) {
                    changeStatus(c, ConversationStatus.BOT, null);
                }
                signalReplyToAssignee(c);
                return new Stored(append(c, MessageRole.CUSTOMER, content, null, null, file), c.workspaceId,
                        c.status == ConversationStatus.BOT);
            });
        }
        if (stored.forBot()) {
            publisher.publish(new CustomerMessagePosted(stored.workspaceId(), conversationId, stored.message().id));
        }
        return stored.message();
    }

    /**
     * The customer message's write as one statement in autocommit, outside any transaction (the caller's too), shared
     * with the messages posted meanwhile ({@link CustomerMessageWriter}): it has committed when this returns. It writes
     * only into a conversation the caller may access that is not resolved; else it writes nothing and returns null.
     */
    private Stored appendCustomerMessage(Caller caller, UUID conversationId, String visitorToken, String content) {
        Message m = new Message();
        m.id = UUID.randomUUID();
        m.conversationId = conversationId;
        m.role = MessageRole.CUSTOMER;
        m.content = content;
        m.createdAt = Times.now(clock);
        MessageView view = MessageView.of(m);
        Instant deliveryTime = webhooks.deliveryTime();
        UUID workspaceId = caller.workspaceId();
        CustomerMessageWriter.Appended appended = writer.append(new CustomerMessageWriter.Append(m.id, conversationId,
                workspaceId, caller.viaApiKey(), caller.viaApiKey() ? "" : Secrets.sha256Hex(visitorToken.strip()),
                m.createdAt, content, event(conversationId, EventTypes.MESSAGE_CREATED, view).payload,
                webhooks.envelope(workspaceId, WebhookEvents.MESSAGE_CREATED, view, deliveryTime), deliveryTime));
        if (appended == null) {
            return null;
        }
        m.seq = appended.seq();
        ConversationStatus status = appended.status();
        boolean assigned = appended.agentId() != null || appended.teamId() != null;
        if (assigned && (status == ConversationStatus.PENDING || status == ConversationStatus.OPEN)
                && !MessageRole.CUSTOMER.code().equals(previousRole(conversationId, m.seq))) {
            customerReplied.fire(new ConversationSignals.CustomerReplied(conversationId, workspaceId,
                    appended.agentId(), appended.teamId()));
        }
        // Committed already: what notifyAfterCommit and AFTER_SUCCESS observers wait for happens now.
        events.committed(conversationId);
        metrics.counter("switchboard.messages", "role", m.role.code()).increment();
        return new Stored(m, workspaceId, status == ConversationStatus.BOT);
    }

    /** The role of the message before {@code seq} in the conversation, or null when there is none. */
    private String previousRole(UUID conversationId, long seq) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement previous = connection.prepareStatement(
                        "select role from messages where conversation_id = ? and seq < ? order by seq desc limit 1")) {
            previous.setObject(1, conversationId);
            previous.setLong(2, seq);
            try (ResultSet role = previous.executeQuery()) {
                return role.next() ? role.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the message before " + seq + " in conversation "
                    + conversationId + " failed", e);
        }
    }

    /**
     * Stores the bot's answer (and its message.created event), or returns null without storing anything when the
     * conversation is no longer with the bot (a human took over, or it was handed off meanwhile).
     */
    @Transactional
    public Message botReply(UUID conversationId, String content, MessageSource source) {
        return botReply(conversationId, content, source, List.of());
    }

    /** {@link #botReply(UUID, String, MessageSource)} offering the customer FAQ entries to pick from. */
    @Transactional
    public Message botReply(UUID conversationId, String content, MessageSource source, List<OfferedEntry> offers) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(offers, "offers");
        if (content == null || content.isBlank()) {
            throw new IllegalArgumentException("a bot reply needs content");
        }
        Conversation c = lock(conversationId);
        if (c.status != ConversationStatus.BOT) {
            LOG.debugf("Bot reply to conversation %s dropped: status is %s", conversationId, c.status.code());
            return null;
        }
        return append(c, MessageRole.BOT, content, source, null, null, offers);
    }

    /**
     * Hands the conversation to a human: status pending with the reason, and a system message telling the customer.
     * Outside the workspace's business hours the reason is {@link HandoffReason#OUTSIDE_BUSINESS_HOURS} and the
     * notice says so, whatever the bot's reason: nobody will reply shortly. Does nothing when the bot is no longer in
     * charge (so repeating a handoff is harmless).
     */
    @Transactional
    public void handoff(UUID conversationId, HandoffReason reason, String customerNotice) {
        Objects.requireNonNull(reason, "reason");
        if (customerNotice == null || customerNotice.isBlank()) {
            throw new IllegalArgumentException("a handoff needs a notice for the customer");
        }
        Conversation c = lock(conversationId);
        if (c.status != ConversationStatus.BOT) {
            LOG.debugf("Handoff of conversation %s ignored: status is %s", conversationId, c.status.code());
            return;
        }
        if (!hours.openNow(c.workspaceId)) {
            reason = HandoffReason.OUTSIDE_BUSINESS_HOURS;
            customerNotice = OUTSIDE_HOURS_NOTICE;
        }
        append(c, MessageRole.SYSTEM, customerNotice, null, null);
        changeStatus(c, ConversationStatus.PENDING, reason);
        humanNeeded.fire(new ConversationSignals.HumanNeeded(c.id, c.workspaceId, reason));
        metrics.counter("switchboard.handoffs", "reason", reason.code()).increment();
    }

    /**
     * An agent takes the conversation (from bot or pending): status open, in that agent's name. The bot stops at once
     * (its reply is dropped, see {@link #botReply}) and answers no more until the conversation is handed back.
     */
    @Transactional
    public Conversation takeOver(UUID conversationId, String agentName) {
        String agent = Validation.requireText(agentName, "agentName", MAX_AGENT_NAME);
        Conversation c = lock(conversationId);
        if (c.status == ConversationStatus.RESOLVED) {
            throw ApiException.conflict("Conversation " + conversationId + " is resolved: reopen it first");
        }
        openFor(c, agent);
        return c;
    }

    /**
     * An agent's reply. Replying takes the conversation over (the customer must never get a bot answer and an agent
     * answer to the same question) and reopens a resolved one.
     */
    @Transactional
    public Message agentReply(UUID conversationId, String agentName, String content) {
        return agentReply(conversationId, null, agentName, content);
    }

    /** An agent's reply written in the dashboard: the message also names the agent (per-agent analytics). */
    @Transactional
    public Message agentReply(UUID conversationId, UUID agentId, String agentName, String content) {
        String agent = Validation.requireText(agentName, "agentName", MAX_AGENT_NAME);
        Validation.requireText(content, "content", MAX_CONTENT);
        Conversation c = lock(conversationId);
        openFor(c, agent);
        Message m = append(c, MessageRole.AGENT, content, null, agent);
        m.authorAgentId = agentId;
        return m;
    }

    /**
     * Assigns the conversation (or unassigns it with {@link Assignee#NONE}); the caller checked that the agent and
     * team belong to the conversation's workspace. Records conversation.assigned on the stream and for webhooks;
     * nothing when the assignee does not change.
     */
    @Transactional
    public Conversation assign(UUID conversationId, Assignee assignee, boolean automatic) {
        Objects.requireNonNull(assignee, "assignee");
        Conversation c = lock(conversationId);
        if (Objects.equals(c.assigneeAgentId, assignee.agentId()) && Objects.equals(c.assigneeTeamId, assignee.teamId())) {
            return c;
        }
        Assigned assigned = new Assigned(c.id, assignee.agentId(), assignee.agentName(), assignee.teamId(),
                assignee.teamName(), automatic, c.assigneeAgentId, c.assigneeTeamId);
        c.assigneeAgentId = assignee.agentId();
        c.assigneeTeamId = assignee.teamId();
        c.assignedAt = assignee.equals(Assignee.NONE) ? null : Times.now(clock);
        ConversationEvent event = event(c.id, EventTypes.ASSIGNED, assigned);
        event.agentId = assignee.agentId();
        store(event);
        webhooks.record(c.workspaceId, c.id, WebhookEvents.CONVERSATION_ASSIGNED, assigned);
        metrics.counter("switchboard.assignments", "automatic", Boolean.toString(automatic)).increment();
        return c;
    }

    /**
     * A customer wrote in an assigned conversation that waits for a person: the assignee hears of it, once per turn
     * (the first customer message after someone else's, not each of a burst).
     */
    private void signalReplyToAssignee(Conversation c) {
        if ((c.assigneeAgentId == null && c.assigneeTeamId == null)
                || (c.status != ConversationStatus.PENDING && c.status != ConversationStatus.OPEN)) {
            return;
        }
        List<Message> last = Message.latestOf(c.id, 1);
        if (last.isEmpty() || last.getFirst().role != MessageRole.CUSTOMER) {
            customerReplied.fire(new ConversationSignals.CustomerReplied(c.id, c.workspaceId, c.assigneeAgentId,
                    c.assigneeTeamId));
        }
    }

    /** An agent sends a file (checked by {@link Attachments#prepare}): a reply whose text is the file's name. */
    @Transactional
    public Message agentAttachment(UUID conversationId, String agentName, Attachments.NewAttachment file) {
        String agent = Validation.requireText(agentName, "agentName", MAX_AGENT_NAME);
        Conversation c = lock(conversationId);
        openFor(c, agent);
        return append(c, MessageRole.AGENT, file.filename(), null, agent, Objects.requireNonNull(file));
    }

    /**
     * The agent gives the conversation back to the bot: status bot. If the customer's last message is still
     * unanswered, the bot answers it now.
     */
    public Conversation handBack(UUID conversationId) {
        record HandedBack(Conversation conversation, Message waiting) {}
        HandedBack done = QuarkusTransaction.requiringNew().call(() -> {
            Conversation c = lock(conversationId);
            if (c.status == ConversationStatus.RESOLVED) {
                throw ApiException.conflict("Conversation " + conversationId + " is resolved: reopen it first");
            }
            if (c.status != ConversationStatus.BOT) {
                changeStatus(c, ConversationStatus.BOT, null);
            }
            List<Message> last = Message.latestOf(conversationId, 1);
            return new HandedBack(c, last.isEmpty() || last.getFirst().role != MessageRole.CUSTOMER ? null
                    : last.getFirst());
        });
        if (done.waiting() != null) {
            publisher.publish(new CustomerMessagePosted(done.conversation().workspaceId, conversationId,
                    done.waiting().id));
        }
        return done.conversation();
    }

    @Transactional
    public Conversation resolve(UUID conversationId) {
        Conversation c = lock(conversationId);
        if (c.status != ConversationStatus.RESOLVED) {
            changeStatus(c, ConversationStatus.RESOLVED, c.handoffReason);
        }
        return c;
    }

    /** An agent reopens a resolved conversation to follow up: status open, in that agent's name. */
    @Transactional
    public Conversation reopen(UUID conversationId, String agentName) {
        String agent = Validation.requireText(agentName, "agentName", MAX_AGENT_NAME);
        Conversation c = lock(conversationId);
        if (c.status != ConversationStatus.RESOLVED) {
            throw ApiException.conflict("Conversation " + conversationId + " is not resolved (status "
                    + c.status.code() + ")");
        }
        openFor(c, agent);
        return c;
    }

    /** Status open in the agent's name (nothing recorded when it already is). */
    private void openFor(Conversation c, String agent) {
        if (c.status != ConversationStatus.OPEN || !agent.equals(c.agentName)) {
            c.agentName = agent;
            changeStatus(c, ConversationStatus.OPEN, c.handoffReason);
        }
    }

    /**
     * Ties the conversation to a visitor the business vouched for (the caller verified the id's signature): the
     * verified id replaces the widget's anonymous one, with the name and email given (each optional).
     */
    @Transactional
    public Conversation identify(UUID conversationId, String verifiedId, String name, String email) {
        return identify(conversationId, verifiedId, name, email, null);
    }

    /**
     * As {@link #identify(UUID, String, String, String)}, and keeps the visitor's profile (name, e-mail, the custom
     * attributes, merged over earlier ones) for every conversation of that visitor id.
     */
    @Transactional
    public Conversation identify(UUID conversationId, String verifiedId, String name, String email,
            Map<String, Object> attributes) {
        String id = Validation.requireText(verifiedId, "id", MAX_VISITOR_ID).strip();
        String visitorName = optionalText(name, "name", MAX_VISITOR_NAME);
        String visitorEmail = optionalText(email, "email", MAX_EMAIL);
        if (visitorEmail != null && !visitorEmail.matches("[^@\\s]+@[^@\\s]+")) {
            throw ApiException.badRequest("Field 'email' is not an email address");
        }
        String attributesJson = VisitorAttributes.toJson(json, attributes);
        Conversation c = lock(conversationId);
        c.visitorId = id;
        c.visitorVerified = true;
        c.visitorName = visitorName;
        c.visitorEmail = visitorEmail;
        Conversation.getEntityManager().createNativeQuery("""
                insert into visitor_profiles (workspace_id, visitor_id, name, email, verified, attributes, first_seen_at,
                                              updated_at)
                values (?1, ?2, ?3, ?4, true, cast(?5 as jsonb), ?6, ?7)
                on conflict (workspace_id, visitor_id) do update
                   set name = coalesce(excluded.name, visitor_profiles.name),
                       email = coalesce(excluded.email, visitor_profiles.email), verified = true,
                       attributes = visitor_profiles.attributes || excluded.attributes, updated_at = excluded.updated_at""")
                .setParameter(1, c.workspaceId).setParameter(2, id).setParameter(3, visitorName)
                .setParameter(4, visitorEmail).setParameter(5, attributesJson).setParameter(6, c.createdAt)
                .setParameter(7, Times.now(clock)).executeUpdate();
        return c;
    }

    /** Stores the e-mail address the visitor left for a reply (replacing an earlier one); a 400 if malformed. */
    @Transactional
    public Conversation leaveContactEmail(UUID conversationId, String email) {
        String address = Validation.requireText(email, "email", MAX_EMAIL).strip();
        if (!address.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw ApiException.badRequest("Field 'email' is not an e-mail address like name@example.com");
        }
        Conversation c = lock(conversationId);
        c.contactEmail = address;
        return c;
    }

    /**
     * The customer rates a resolved conversation (score 1-5, optional comment). Rating again replaces the earlier
     * rating, so the widget can store the one-click score first and add the comment after.
     */
    @Transactional
    public Conversation rate(UUID conversationId, Integer score, String comment) {
        if (score == null || score < 1 || score > 5) {
            throw ApiException.badRequest("Field 'score' must be a whole number from 1 to 5");
        }
        String text = optionalText(comment, "comment", MAX_RATING_COMMENT);
        Conversation c = lock(conversationId);
        if (c.status != ConversationStatus.RESOLVED) {
            throw ApiException.conflict("Only a resolved conversation can be rated (status " + c.status.code() + ")");
        }
        c.rating = score.shortValue();
        c.ratingComment = text;
        c.ratedAt = Times.now(clock);
        return c;
    }

    /** What erasing a visitor removed. */
    public record ErasedVisitor(long conversations, long messages, long events, long attachments) {}

    /**
     * Deletes a visitor's conversations in the workspace; their messages, attachments, events and webhook deliveries
     * go with them (on delete cascade), and so does the visitor's profile.
     */
    @Transactional
    public ErasedVisitor eraseVisitor(UUID workspaceId, String visitorId) {
        EntityManager em = Conversation.getEntityManager();
        long messages = em.createQuery("select count(m) from Message m, Conversation c where c.id = m.conversationId"
                        + " and c.workspaceId = ?1 and c.visitorId = ?2", Long.class)
                .setParameter(1, workspaceId).setParameter(2, visitorId).getSingleResult();
        long events = em.createQuery("select count(e) from ConversationEvent e, Conversation c"
                        + " where c.id = e.conversationId and c.workspaceId = ?1 and c.visitorId = ?2", Long.class)
                .setParameter(1, workspaceId).setParameter(2, visitorId).getSingleResult();
        long files = em.createQuery("select count(a) from Attachment a, Conversation c"
                        + " where c.id = a.conversationId and c.workspaceId = ?1 and c.visitorId = ?2", Long.class)
                .setParameter(1, workspaceId).setParameter(2, visitorId).getSingleResult();
        long conversations = em.createNativeQuery(
                        "delete from conversations where workspace_id = ?1 and visitor_id = ?2")
                .setParameter(1, workspaceId).setParameter(2, visitorId).executeUpdate();
        em.createNativeQuery("delete from visitor_profiles where workspace_id = ?1 and visitor_id = ?2")
                .setParameter(1, workspaceId).setParameter(2, visitorId).executeUpdate();
        return new ErasedVisitor(conversations, messages, events, files);
    }

    /** Deletes the workspace's resolved conversations idle since before {@code cutoff}; returns how many. */
    @Transactional
    public int deleteResolvedIdleSince(UUID workspaceId, Instant cutoff) {
        return Conversation.getEntityManager().createNativeQuery("delete from conversations"
                        + " where workspace_id = ?1 and status = 'resolved' and last_activity_at < ?2")
                .setParameter(1, workspaceId).setParameter(2, cutoff).executeUpdate();
    }

    /** Null for an absent or blank value, else the stripped value within {@code max} characters. */
    private static String optionalText(String value, String field, int max) {
        return value == null || value.isBlank() ? null : Validation.requireText(value, field, max).strip();
    }

    public Optional<Conversation> findConversation(UUID conversationId) {
        return Conversation.findByIdOptional(conversationId);
    }

    /** The last {@code limit} messages, oldest first: the context for a model answer. */
    public List<Message> recentMessages(UUID conversationId, int limit) {
        return Message.latestOf(conversationId, limit);
    }

    /**
     * Stores the bot's answer to the customer message at {@code answeredSeq}, unless the customer wrote again
     * meanwhile: an answer stored after that newer message would mark it answered, so it is dropped and the newer
     * message, queued behind, is answered with both in context. Checked under the conversation's lock, which posting a
     * message takes too. Returns whether the answer was stored (false also when the bot is no longer in charge).
     */
    @Transactional
    public boolean botReplyIfLatest(UUID conversationId, long answeredSeq, String content, MessageSource source) {
        return botReplyIfLatest(conversationId, answeredSeq, content, source, List.of());
    }

    /** {@link #botReplyIfLatest(UUID, long, String, MessageSource)} offering FAQ entries to pick from. */
    @Transactional
    public boolean botReplyIfLatest(UUID conversationId, long answeredSeq, String content, MessageSource source,
                                    List<OfferedEntry> offers) {
        lock(conversationId);
        if (Message.count("conversationId = ?1 and seq > ?2", conversationId, answeredSeq) > 0) {
            return false;
        }
        return botReply(conversationId, content, source, offers) != null;
    }

    /**
     * Hands the conversation to a person for this customer message, unless a bot, agent or system message followed
     * it meanwhile (another worker answered it, or a person is on it): checked under the conversation's lock, so two
     * workers with the same message never store two handoffs. A later customer message does not stop it: a customer
     * who asked for a person and then wrote again still wants one. Returns whether the handoff was stored.
     */
    @Transactional
    public boolean handoffIfUnanswered(UUID messageId, HandoffReason reason, String customerNotice) {
        Message message = Message.findById(messageId);
        if (message == null) {
            return false;
        }
        lock(message.conversationId);
        if (!awaitsBotAnswer(messageId)) {
            return false;
        }
        handoff(message.conversationId, reason, customerNotice);
        return true;
    }

    /**
     * The customer message and the conversation up to it (the last {@code limit} messages, oldest first), while it is
     * the conversation's latest message; empty once anything followed it.
     */
    @Transactional
    public Optional<List<Message>> latestTurn(UUID messageId, int limit) {
        Message message = Message.findById(messageId);
        if (message == null
                || Message.count("conversationId = ?1 and seq > ?2", message.conversationId, message.seq) > 0) {
            return Optional.empty();
        }
        return Optional.of(Message.<Message>find("conversationId = ?1 and seq <= ?2 order by seq desc",
                message.conversationId, message.seq).page(0, limit).list().reversed());
    }

    /**
     * Whether the bot should still answer this customer message: the conversation is with the bot and nothing but
     * customer messages followed it. The bot checks this first, since a message may be emitted more than once.
     */
    @Transactional
    public boolean awaitsBotAnswer(UUID messageId) {
        Message m = Message.findById(messageId);
        if (m == null || m.role != MessageRole.CUSTOMER) {
            return false;
        }
        Conversation c = Conversation.findById(m.conversationId);
        return c.status == ConversationStatus.BOT && Message.count(
                "conversationId = ?1 and seq > ?2 and role <> ?3", m.conversationId, m.seq, MessageRole.CUSTOMER) == 0;
    }

    private Conversation lock(UUID conversationId) {
        Conversation c = Conversation.findById(conversationId, LockModeType.PESSIMISTIC_WRITE);
        if (c == null) {
            throw new NoSuchElementException("no conversation " + conversationId);
        }
        return c;
    }

    private Message append(Conversation c, MessageRole role, String content, MessageSource source,
            String authorName) {
        return append(c, role, content, source, authorName, null);
    }

    private Message append(Conversation c, MessageRole role, String content, MessageSource source,
            String authorName, Attachments.NewAttachment file) {
        return append(c, role, content, source, authorName, file, List.of());
    }

    private Message append(Conversation c, MessageRole role, String content, MessageSource source,
            String authorName, Attachments.NewAttachment file, List<OfferedEntry> offers) {
        Message m = new Message();
        m.id = UUID.randomUUID();
        m.conversationId = c.id;
        m.role = role;
        m.content = content;
        m.createdAt = Times.now(clock);
        m.sourceFaqId = source != null ? source.faqId() : null;
        m.sourceModel = source != null ? source.model() : null;
        m.sourceKind = source != null ? source.kind() : null;
        m.authorName = authorName;
        if (!offers.isEmpty()) {
            m.offeredFaqIds = offers.stream().map(OfferedEntry::faqId).toArray(UUID[]::new);
            m.offeredQuestions = offers.stream().map(OfferedEntry::question).toArray(String[]::new);
        }
        m.persist();
        c.lastActivityAt = m.createdAt;
        MessageView view = MessageView.of(m, file == null ? null : attachments.store(m, file));
        record(c.id, EventTypes.MESSAGE_CREATED, view);
        webhooks.record(c.workspaceId, c.id, WebhookEvents.MESSAGE_CREATED, view);
        metrics.counter("switchboard.messages", "role", role.code()).increment();
        return m;
    }

    private void changeStatus(Conversation c, ConversationStatus status, HandoffReason reason) {
        ConversationStatus previous = c.status;
        c.status = status;
        c.handoffReason = status == ConversationStatus.BOT ? null : reason;
        if (status == ConversationStatus.BOT) {
            c.agentName = null; // also when a customer's message reopens a resolved conversation for the bot
        }
        c.lastActivityAt = Times.now(clock);
        StatusChange change = new StatusChange(c.id, status, previous, c.handoffReason, c.agentName,
                labels.namesOf(c.id));
        ConversationEvent event = event(c.id, EventTypes.STATUS_CHANGED, change);
        event.status = status;
        event.handoffReason = c.handoffReason;
        store(event);
        if (status == ConversationStatus.PENDING || status == ConversationStatus.RESOLVED) {
            webhooks.record(c.workspaceId, c.id, status == ConversationStatus.PENDING
                    ? WebhookEvents.CONVERSATION_HANDOFF : WebhookEvents.CONVERSATION_RESOLVED, change);
        }
    }

    private void record(UUID conversationId, String type, Object payload) {
        store(event(conversationId, type, payload));
    }

    private ConversationEvent event(UUID conversationId, String type, Object payload) {
        ConversationEvent event = new ConversationEvent();
        event.conversationId = conversationId;
        event.type = type;
        try {
            event.payload = json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event payload not serialisable: " + payload, e);
        }
        event.createdAt = Times.now(clock);
        return event;
    }

    /** Stores the event; after commit, the conversation's streams read it. */
    private void store(ConversationEvent event) {
        event.persist();
        notifyAfterCommit(event.conversationId);
    }

    /** Once this transaction commits, tells the conversation's streams that it stored events. */
    private void notifyAfterCommit(UUID conversationId) {
        String key = "switchboard.events-committed:" + conversationId;
        if (transactions.getResource(key) == null) {
            transactions.putResource(key, Boolean.TRUE);
            transactions.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {}

                @Override
                public void afterCompletion(int status) {
                    if (status == Status.STATUS_COMMITTED) {
                        events.committed(conversationId);
                    }
                }
            });
        }
    }
}
