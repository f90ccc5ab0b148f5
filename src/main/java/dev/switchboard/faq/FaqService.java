package dev.switchboard.faq;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Times;
import dev.switchboard.common.Validation;
import dev.switchboard.faq.match.FaqCandidate;
import dev.switchboard.faq.match.TextEmbedder;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * A workspace's FAQ. Every change deletes the workspace's cached model answers: a cached answer may have been
 * grounded on the changed entry, or may now be outranked by a new one, and cached answers do not record which
 * entries they used, so dropping all of the workspace's is the simple correct choice (they are rebuilt on demand).
 */
@ApplicationScoped
public class FaqService {

    private static final Logger LOG = Logger.getLogger(FaqService.class);

    public static final int MAX_QUESTION = 500;
    public static final int MAX_ANSWER = 4000;

    @Inject
    TextEmbedder embedder;

    @Inject
    Clock clock;

    public List<FaqEntry> list(UUID workspaceId) {
        return FaqEntry.ofWorkspace(workspaceId);
    }

    /** The entry if it belongs to the workspace; a 404 for unknown ids and other workspaces' entries alike. */
    public FaqEntry get(UUID workspaceId, UUID id) {
        return find(workspaceId, id).orElseThrow(() -> ApiException.notFound("No FAQ entry with id '" + id + "'"));
    }

    /** The entry if it exists and belongs to the workspace. */
    public Optional<FaqEntry> find(UUID workspaceId, UUID id) {
        return FaqEntry.<FaqEntry>findByIdOptional(id).filter(e -> e.workspaceId.equals(workspaceId));
    }

    @Transactional
    public FaqEntry create(UUID workspaceId, String question, String answer) {
        FaqEntry entry = new FaqEntry();
        entry.id = UUID.randomUUID();
        entry.workspaceId = workspaceId;
        entry.question = Validation.requireText(question, "question", MAX_QUESTION).strip();
        entry.answer = Validation.requireText(answer, "answer", MAX_ANSWER).strip();
        embed(entry);
        entry.createdAt = Times.now(clock);
        entry.updatedAt = entry.createdAt;
        entry.persist();
        CachedAnswer.invalidateWorkspace(workspaceId);
        return entry;
    }

    @Transactional
    public FaqEntry update(UUID workspaceId, UUID id, String question, String answer) {
        String newQuestion = Validation.requireText(question, "question", MAX_QUESTION).strip();
        String newAnswer = Validation.requireText(answer, "answer", MAX_ANSWER).strip();
        FaqEntry entry = get(workspaceId, id);
        if (!entry.question.equals(newQuestion)) {
            entry.question = newQuestion;
            embed(entry);
        }
        entry.answer = newAnswer;
        entry.updatedAt = Times.now(clock);
        CachedAnswer.invalidateWorkspace(workspaceId);
        return entry;
    }

    @Transactional
    public void delete(UUID workspaceId, UUID id) {
        get(workspaceId, id).delete();
        CachedAnswer.invalidateWorkspace(workspaceId);
    }

    /** The workspace's entries as the matcher takes them. */
    @Transactional
    public List<FaqCandidate> candidates(UUID workspaceId) {
        return FaqEntry.ofWorkspace(workspaceId).stream().filter(e -> e.embedding != null)
                .map(e -> new FaqCandidate(e.id.toString(), e.question, e.answer, List.of(e.embedding))).toList();
    }

    /** Counts an answer given from this entry (no-op if it was deleted meanwhile). */
    @Transactional
    public void recordHit(UUID faqId) {
        FaqEntry.update("hitCount = hitCount + 1 where id = ?1", faqId);
    }

    /** Entries embedded by another model (or never) would not compare with new embeddings: redo them at start-up. */
    @Transactional
    void reembedStale(@Observes @Priority(100) StartupEvent ignored) {
        List<FaqEntry> stale = FaqEntry.list("embeddingModel is null or embeddingModel <> ?1", embedder.modelName());
        if (!stale.isEmpty()) {
            LOG.infof("Re-embedding %d FAQ entries with %s", stale.size(), embedder.modelName());
            stale.forEach(this::embed);
        }
    }

    private void embed(FaqEntry entry) {
        entry.embedding = embedder.embed(entry.question);
        entry.embeddingModel = embedder.modelName();
    }
}
