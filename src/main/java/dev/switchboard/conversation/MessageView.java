package dev.switchboard.conversation;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A message as the API and the message.created event show it. {@code source} is null except for bot answers,
 * {@code authorName} except for agent replies; {@code attachment} appears only on a message that carries a file, {@code offers} only on a bot message offering
 * FAQ entries to pick from.
 */
public record MessageView(UUID id, UUID conversationId, MessageRole role, String content, Instant createdAt,
        MessageSource source, String authorName, @JsonInclude(JsonInclude.Include.NON_NULL) AttachmentView attachment,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<OfferedEntry> offers) {

    public static MessageView of(Message m) {
        return of(m, null);
    }

    public static MessageView of(Message m, AttachmentView attachment) {
        return new MessageView(m.id, m.conversationId, m.role, m.content, m.createdAt, m.source(), m.authorName,
                attachment, m.offers());
    }
}
