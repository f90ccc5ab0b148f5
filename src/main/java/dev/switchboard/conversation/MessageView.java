package dev.switchboard.conversation;

import java.time.Instant;
import java.util.UUID;

/**
 * A message as the API and the message.created event show it. {@code source} is null except for bot answers,
 * {@code authorName} except for agent replies.
 */
public record MessageView(UUID id, UUID conversationId, MessageRole role, String content, Instant createdAt,
        MessageSource source, String authorName) {

    public static MessageView of(Message m) {
        return new MessageView(m.id, m.conversationId, m.role, m.content, m.createdAt, m.source(), m.authorName);
    }
}
