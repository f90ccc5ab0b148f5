package dev.switchboard.bot;

import dev.switchboard.common.Times;
import dev.switchboard.faq.CachedAnswers;
import dev.switchboard.faq.FaqVersion;
import dev.switchboard.faq.match.SameQuestion;
import dev.switchboard.faq.match.TextEmbedder;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The semantic cache of model answers: a question that {@link SameQuestion} finds equal to one answered before in
 * the workspace gets the same answer without a model call. Stored in {@code cached_answers} (so it survives
 * restarts); the workspace's live rows are mirrored in memory per {@link FaqVersion}, since the platform deletes
 * them all whenever the FAQ changes and a changed version is exactly that signal.
 */
@ApplicationScoped
class AnswerCache {

    /** A cached answer to reuse. */
    record Hit(UUID id, String answer, String model) {}

    private record Entry(UUID id, String question, float[] embedding, String answer, String model,
                         Instant expiresAt) {}

    private record Mirror(FaqVersion version, List<Entry> entries) {}

    @Inject
    SameQuestion sameQuestion;

    @Inject
    Clock clock;

    @Inject
    TextEmbedder embedder;

    @Inject
    BotConfig config;

    private final ConcurrentHashMap<UUID, Mirror> mirrors = new ConcurrentHashMap<>();

    /** The answer to an equal question asked before, counting the hit. */
    Optional<Hit> find(UUID workspaceId, FaqVersion version, String question, float[] embedding) {
        Instant now = Times.now(clock);
        Mirror mirror = mirror(workspaceId, version);
        for (Entry e : mirror.entries()) {
            if (e.expiresAt().isAfter(now) && sameQuestion.sameQuestion(question, embedding, e.question(),
                    e.embedding())) {
                if (!QuarkusTransaction.requiringNew().call(() -> CachedAnswers.countHit(e.id()))) {
                    // Deleted since it was mirrored (a visitor's data erased, maybe on another replica): never again.
                    mirror.entries().remove(e);
                    continue;
                }
                return Optional.of(new Hit(e.id(), e.answer(), e.model()));
            }
        }
        return Optional.empty();
    }

    /**
     * Keeps a model answer, unless the FAQ changed since {@code version} was read: the answer may rest on an entry
     * that is gone or changed, and the platform already cleared the workspace's cache for that change.
     */
    void put(UUID workspaceId, FaqVersion version, String question, float[] embedding, String answer,
             String model) {
        Entry entry = new Entry(UUID.randomUUID(), question, embedding, answer, model,
                Times.now(clock).plus(config.answerCacheTtl()));
        boolean stored = QuarkusTransaction.requiringNew().call(() -> {
            if (!FaqVersion.of(workspaceId).equals(version)) {
                return false;
            }
            CachedAnswers.store(new CachedAnswers.NewAnswer(entry.id(), workspaceId, question, embedding,
                    embedder.modelName(), answer, model, Times.now(clock), entry.expiresAt()));
            return true;
        });
        if (stored) {
            mirror(workspaceId, version).entries().add(entry);
        }
    }

    /** Expired rows are never served; this only keeps the table small. */
    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeExpired() {
        QuarkusTransaction.requiringNew().run(() -> CachedAnswers.purgeExpired(Times.now(clock)));
    }

    private Mirror mirror(UUID workspaceId, FaqVersion version) {
        Mirror m = mirrors.get(workspaceId);
        if (m == null || !m.version().equals(version)) {
            List<Entry> live = new ArrayList<>();
            QuarkusTransaction.requiringNew().run(() -> CachedAnswers.live(workspaceId, embedder.modelName(),
                            Times.now(clock))
                    .forEach(r -> live.add(new Entry(r.id, r.question, r.embedding, r.answer, r.model,
                            r.expiresAt))));
            m = new Mirror(version, new CopyOnWriteArrayList<>(live));
            mirrors.put(workspaceId, m);
        }
        return m;
    }
}
