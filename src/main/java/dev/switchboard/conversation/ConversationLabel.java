package dev.switchboard.conversation;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

/** A label on a conversation. */
@Entity
@Table(name = "conversation_labels")
@IdClass(ConversationLabel.Key.class)
public class ConversationLabel extends PanacheEntityBase {

    public record Key(UUID conversationId, UUID labelId) implements Serializable {}

    @Id
    public UUID conversationId;
    @Id
    public UUID labelId;
    public Instant createdAt;
}
