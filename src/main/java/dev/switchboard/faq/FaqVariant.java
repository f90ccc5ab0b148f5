package dev.switchboard.faq;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Another phrasing of an FAQ entry's question, matched like the question itself. */
@Entity
@Table(name = "faq_variants")
public class FaqVariant extends PanacheEntityBase {

    /** Who added the phrasing. */
    public enum Source {
        /** written with the entry (FAQ page or API) */
        author,
        /** a customer's wording, learned when an agent answered it with the entry */
        agent
    }

    @Id
    public UUID id;
    public UUID faqId;
    public UUID workspaceId;
    public String text;
    @Enumerated(EnumType.STRING)
    public Source source;
    public float[] embedding;
    public String embeddingModel;
    public Instant createdAt;

    public static List<FaqVariant> ofWorkspace(UUID workspaceId) {
        return list("workspaceId = ?1 order by createdAt, id", workspaceId);
    }

    public static List<FaqVariant> ofEntry(UUID faqId) {
        return list("faqId = ?1 order by createdAt, id", faqId);
    }
}
