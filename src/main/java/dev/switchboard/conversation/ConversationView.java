package dev.switchboard.conversation;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;

/**
 * A conversation as the API shows it. {@code visitorToken} appears once, in the response that created the
 * conversation with a site key. {@code visitorVerified}: the widget proved {@code visitorId} (identify with a valid
 * hash), and then {@code visitorName}/{@code visitorEmail} are what it gave; {@code rating} (1-5) and
 * {@code ratingComment} are the customer's after resolution; {@code assigneeAgentId}/{@code assigneeTeamId}: whom it is
 * assigned to (null: nobody); {@code contactEmail} is an address the visitor left for a reply (unverified).
 */
public record ConversationView(UUID id, String visitorId, ConversationStatus status, HandoffReason handoffReason,
        String agentName, Instant createdAt, Instant lastActivityAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) String visitorToken, boolean visitorVerified, String visitorName,
        String visitorEmail, Integer rating, String ratingComment, UUID assigneeAgentId, UUID assigneeTeamId,
        Instant assignedAt, String contactEmail) {

    public static ConversationView of(Conversation c) {
        return of(c, null);
    }

    public static ConversationView of(Conversation c, String visitorToken) {
        return new ConversationView(c.id, c.visitorId, c.status, c.handoffReason, c.agentName, c.createdAt,
                c.lastActivityAt, visitorToken, c.visitorVerified, c.visitorName, c.visitorEmail,
                c.rating == null ? null : c.rating.intValue(), c.ratingComment, c.assigneeAgentId, c.assigneeTeamId,
                c.assignedAt, c.contactEmail);
    }
}
