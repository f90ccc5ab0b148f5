package dev.switchboard.faq;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A question and its answer in a workspace's FAQ. */
@Entity
@Table(name = "faq_entries")
public class FaqEntry extends PanacheEntityBase {

    @Id
    public UUID id;
    public UUID workspaceId;
    public String question;
    public String answer;
    /** The question's unit-length embedding (real[]; similarity is computed in Java, there is no pgvector). */
    public float[] embedding;
    /** {@code TextEmbedder#modelName()} of the model that computed {@link #embedding}. */
    public String embeddingModel;
    public Instant createdAt;
    public Instant updatedAt;
    /** How often the bot answered with this entry. */
    public long hitCount;
    /** ISO 639-1 code of the language question and answer are written in. */
    public String language;
    /** The answer's embedding, by the same model as {@link #embedding}. */
    public float[] answerEmbedding;

    public static List<FaqEntry> ofWorkspace(UUID workspaceId) {
        return list("workspaceId = ?1 order by createdAt, id", workspaceId);
    }
}
