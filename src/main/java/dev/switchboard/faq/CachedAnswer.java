package dev.switchboard.faq;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A model answer kept for reuse when a workspace gets a semantically equal question (the bot's semantic cache).
 * Any change to the workspace's FAQ deletes its cached answers: see {@link FaqService}.
 */
@Entity
@Table(name = "cached_answers")
public class CachedAnswer extends PanacheEntityBase {

    @Id
    public UUID id;
    public UUID workspaceId;
    public String question;
    public float[] embedding;
    public String embeddingModel;
    public String answer;
    /** The model that wrote the answer. */
    public String model;
    public Instant createdAt;
    public Instant expiresAt;
    public long hitCount;

    /** Removes every cached answer of the workspace; returns how many. */
    public static long invalidateWorkspace(UUID workspaceId) {
        return delete("workspaceId", workspaceId);
    }
}
