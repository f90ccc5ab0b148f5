package dev.switchboard.conversation;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One visitor's chat with one workspace. */
@Entity
@Table(name = "conversations")
public class Conversation extends PanacheEntityBase {

    @Id
    public UUID id;
    public UUID workspaceId;
    /** Chosen by the widget or the API caller; identifies the visitor within the workspace. */
    public String visitorId;
    /** SHA-256 of the visitor token, for conversations started with a site key; null otherwise. */
    public String visitorTokenHash;
    public ConversationStatus status;
    /** Why the bot handed off; null while the bot is in charge. */
    public HandoffReason handoffReason;
    /** The agent in charge while the status is open (or was, when a human resolved it); null while with the bot. */
    public String agentName;
    public Instant createdAt;
    public Instant lastActivityAt;
    /** True once the widget's identify() proved visitorId with the workspace's identity secret. */
    public boolean visitorVerified;
    /** Given with a verified identity only. */
    public String visitorName;
    public String visitorEmail;
    /** The customer's rating of the resolved conversation (1-5) and optional comment; null until rated. */
    public Short rating;
    public String ratingComment;
    public Instant ratedAt;
    /** The agent and/or team the conversation is assigned to (an agent of the team, or either alone); null when not. */
    public UUID assigneeAgentId;
    public UUID assigneeTeamId;
    public Instant assignedAt;
    /** An e-mail address the visitor left for a reply (typically outside business hours): their own claim. */
    public String contactEmail;
}
