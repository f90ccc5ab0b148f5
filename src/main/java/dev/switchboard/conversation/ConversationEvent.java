package dev.switchboard.conversation;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A durable event of a conversation's stream (message.created, conversation.status_changed). The bigserial id is the
 * SSE event id, so a client resumes with Last-Event-ID across restarts and replicas.
 */
@Entity
@Table(name = "conversation_events")
public class ConversationEvent extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public UUID conversationId;
    public String type;
    /** The SSE data: JSON text. */
    public String payload;
    public Instant createdAt;
    /** For conversation.status_changed: the new status and the handoff reason, as typed columns for queries. */
    public ConversationStatus status;
    public HandoffReason handoffReason;
    /** For conversation.assigned: the agent it was assigned to (null for a team alone or an unassignment). */
    public UUID agentId;
}
