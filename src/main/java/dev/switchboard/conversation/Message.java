package dev.switchboard.conversation;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A message in a conversation. Immutable once stored. */
@Entity
@Table(name = "messages")
public class Message extends PanacheEntityBase {

    @Id
    public UUID id;
    /** Insertion order, assigned by the database: timestamps can tie, this cannot. */
    @Column(insertable = false, updatable = false)
    public Long seq;
    public UUID conversationId;
    public MessageRole role;
    /** Verbatim as posted. */
    public String content;
    public Instant createdAt;
    /** Set only for bot answers taken from an FAQ entry (no foreign key: the entry may be deleted later). */
    public UUID sourceFaqId;
    /** Set only for bot answers written by a model. */
    public String sourceModel;
    /** Set only for bot messages written by no model nor taken from an entry: see {@link MessageSource#BOT}. */
    public String sourceKind;
    /** The agent's display name, for agent messages only. */
    public String authorName;
    /** The dashboard agent who wrote an agent message; null for API replies and other roles. */
    public UUID authorAgentId;
    /** For a bot message offering FAQ entries to pick from: their ids, in order; null otherwise. */
    public UUID[] offeredFaqIds;
    /** The offered entries' questions as shown, paired with {@link #offeredFaqIds}. */
    public String[] offeredQuestions;

    /** The bot answer's source, or null for messages of other roles. */
    public MessageSource source() {
        if (sourceFaqId != null) {
            return MessageSource.faq(sourceFaqId);
        }
        if (sourceModel != null) {
            return MessageSource.model(sourceModel);
        }
        return sourceKind != null ? MessageSource.bot(sourceKind) : null;
    }

    /** The FAQ entries this bot message offers to pick from; empty for any other message. */
    public List<OfferedEntry> offers() {
        if (offeredFaqIds == null) {
            return List.of();
        }
        List<OfferedEntry> out = new ArrayList<>(offeredFaqIds.length);
        for (int i = 0; i < offeredFaqIds.length; i++) {
            out.add(new OfferedEntry(offeredFaqIds[i], offeredQuestions[i]));
        }
        return List.copyOf(out);
    }

    /** The whole conversation, oldest first. */
    public static List<Message> ofConversation(UUID conversationId) {
        return list("conversationId = ?1 order by seq", conversationId);
    }

    /** The last {@code limit} messages, oldest first. */
    public static List<Message> latestOf(UUID conversationId, int limit) {
        List<Message> newestFirst = find("conversationId = ?1 order by seq desc", conversationId)
                .page(0, limit).list();
        return newestFirst.reversed();
    }
}
