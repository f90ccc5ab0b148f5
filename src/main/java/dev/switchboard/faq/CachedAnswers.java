package dev.switchboard.faq;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The faq room's API to its {@code cached_answers} table, for the bot's semantic cache and for erasure: the table
 * belongs here because every FAQ change must clear it (see {@link FaqService}). Call inside a transaction.
 */
public final class CachedAnswers {

    /** A model answer to keep. */
    public record NewAnswer(UUID id, UUID workspaceId, String question, float[] embedding, String embeddingModel,
            String answer, String model, Instant createdAt, Instant expiresAt) {}

    private CachedAnswers() {}

    /** The workspace's unexpired answers embedded with {@code embeddingModel}, oldest first. */
    public static List<CachedAnswer> live(UUID workspaceId, String embeddingModel, Instant now) {
        return CachedAnswer.list("workspaceId = ?1 and expiresAt > ?2 and embeddingModel = ?3 order by createdAt",
                workspaceId, now, embeddingModel);
    }

    public static void store(NewAnswer a) {
        CachedAnswer row = new CachedAnswer();
        row.id = a.id();
        row.workspaceId = a.workspaceId();
        row.question = a.question();
        row.embedding = a.embedding();
        row.embeddingModel = a.embeddingModel();
        row.answer = a.answer();
        row.model = a.model();
        row.createdAt = a.createdAt();
        row.expiresAt = a.expiresAt();
        row.persist();
    }

    /** Counts a reuse; false when the answer was deleted meanwhile. */
    public static boolean countHit(UUID id) {
        return CachedAnswer.update("hitCount = hitCount + 1 where id = ?1", id) > 0;
    }

    public static long purgeExpired(Instant now) {
        return CachedAnswer.delete("expiresAt <= ?1", now);
    }

    /** Deletes the workspace's answers cached under any of these questions; returns how many. */
    public static long forgetQuestions(UUID workspaceId, Collection<String> questions) {
        return questions.isEmpty() ? 0
                : CachedAnswer.delete("workspaceId = ?1 and question in ?2", workspaceId, questions);
    }
}
