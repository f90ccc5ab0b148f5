package dev.switchboard.conversation;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;

/**
 * A conversation as the API shows it. {@code visitorToken} appears once, in the response that created the
 * conversation with a site key.
 */
public record ConversationView(UUID id, String visitorId, ConversationStatus status, HandoffReason handoffReason,
        String agentName, Instant createdAt, Instant lastActivityAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) String visitorToken) {

    public static ConversationView of(Conversation c) {
        return of(c, null);
    }

    public static ConversationView of(Conversation c, String visitorToken) {
        return new ConversationView(c.id, c.visitorId, c.status, c.handoffReason, c.agentName, c.createdAt,
                c.lastActivityAt, visitorToken);
    }
}
