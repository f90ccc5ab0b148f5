package dev.switchboard.faq;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** A customer question that a suggested entry was accepted or dismissed with: it is not suggested again. */
@Entity
@Table(name = "faq_suggestion_decisions")
@IdClass(FaqSuggestionDecision.Key.class)
public class FaqSuggestionDecision extends PanacheEntityBase {

    public enum Decision { accepted, dismissed }

    /** The composite primary key, as JPA wants it: a class with the id fields, equals and hashCode. */
    public static class Key implements Serializable {
        public UUID workspaceId;
        public UUID messageId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(workspaceId, k.workspaceId)
                    && Objects.equals(messageId, k.messageId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(workspaceId, messageId);
        }
    }

    @Id
    public UUID workspaceId;
    @Id
    public UUID messageId;
    @Enumerated(EnumType.STRING)
    public Decision decision;
    public Instant decidedAt;

    static Set<UUID> decidedMessages(UUID workspaceId) {
        return FaqSuggestionDecision.<FaqSuggestionDecision>list("workspaceId = ?1", workspaceId).stream()
                .map(d -> d.messageId).collect(Collectors.toSet());
    }
}
