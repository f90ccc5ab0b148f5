package dev.switchboard.faq;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Times;
import dev.switchboard.common.Validation;
import dev.switchboard.faq.match.Calibration;
import dev.switchboard.faq.match.FaqCandidate;
import dev.switchboard.faq.match.TextEmbedder;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * A workspace's FAQ: entries, their variants (further phrasings of the question) and what agents taught the matcher.
 * Every change deletes the workspace's cached model answers: a cached answer may have been grounded on the changed
 * entry, or may now be outranked by a new one, and cached answers do not record which entries they used, so
 * dropping all of the workspace's is the simple correct choice (they are rebuilt on demand). A variant change also
 * moves its entry's {@code updatedAt}, which is how the bot notices that its in-memory copy is stale.
 */
@ApplicationScoped
public class FaqService {

    private static final Logger LOG = Logger.getLogger(FaqService.class);

    public static final int MAX_QUESTION = 500;
    public static final int MAX_ANSWER = 4000;
    public static final int MAX_VARIANTS = 50;
    /** The most recent agent outcomes a workspace's calibration is fitted on. */
    static final int CALIBRATION_WINDOW = 500;
    private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2}");

    /** An entry as written by a person: variants and language may be null (none, English). */
    public record Draft(String question, String answer, List<String> variants, String language) {

        public Draft(String question, String answer) {
            this(question, answer, null, null);
        }
    }

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

    /** The workspace's variants by entry id. */
    public Map<UUID, List<FaqVariant>> variants(UUID workspaceId) {
        return FaqVariant.ofWorkspace(workspaceId).stream().collect(Collectors.groupingBy(v -> v.faqId));
    }

    public List<FaqVariant> variants(UUID workspaceId, UUID faqId) {
        return FaqVariant.ofEntry(get(workspaceId, faqId).id);
    }

    @Transactional
    public FaqEntry create(UUID workspaceId, String question, String answer) {
        return create(workspaceId, new Draft(question, answer));
    }

    @Transactional
    public FaqEntry create(UUID workspaceId, Draft draft) {
        Draft valid = validate(draft);
        FaqEntry entry = new FaqEntry();
        entry.id = UUID.randomUUID();
        entry.workspaceId = workspaceId;
        entry.question = valid.question();
        entry.answer = valid.answer();
        entry.language = valid.language();
        embed(entry);
        entry.createdAt = Times.now(clock);
        entry.updatedAt = entry.createdAt;
        entry.persist();
        valid.variants().forEach(v -> persistVariant(entry, v, FaqVariant.Source.author));
        CachedAnswer.invalidateWorkspace(workspaceId);
        return entry;
    }

    @Transactional
    public FaqEntry update(UUID workspaceId, UUID id, String question, String answer) {
        return update(workspaceId, id, new Draft(question, answer));
    }

    /**
     * Replaces question, answer, and (where not null) language and the whole list of variants: a variant whose text
     * is still listed keeps its origin (an agent's stays an agent's), one left out is removed.
     */
    @Transactional
    public FaqEntry update(UUID workspaceId, UUID id, Draft draft) {
        Validation.requireBody(draft);
        FaqEntry entry = get(workspaceId, id);
        Draft valid = validate(new Draft(draft.question(), draft.answer(),
                draft.variants() != null ? draft.variants() : FaqVariant.ofEntry(id).stream().map(v -> v.text).toList(),
                draft.language() != null ? draft.language() : entry.language));
        boolean reembed = !entry.question.equals(valid.question()) || !entry.answer.equals(valid.answer());
        entry.question = valid.question();
        entry.answer = valid.answer();
        entry.language = valid.language();
        if (reembed) {
            embed(entry);
        }
        List<FaqVariant> existing = FaqVariant.ofEntry(id);
        for (FaqVariant v : existing) {
            if (!valid.variants().contains(v.text)) {
                v.delete();
            }
        }
        List<String> known = existing.stream().map(v -> v.text).toList();
        valid.variants().stream().filter(t -> !known.contains(t))
                .forEach(t -> persistVariant(entry, t, FaqVariant.Source.author));
        entry.updatedAt = Times.now(clock);
        CachedAnswer.invalidateWorkspace(workspaceId);
        return entry;
    }

    @Transactional
    public void delete(UUID workspaceId, UUID id) {
        get(workspaceId, id).delete();
        CachedAnswer.invalidateWorkspace(workspaceId);
    }

    /**
     * Adds a phrasing to the entry; the same text again returns the existing variant. A customer's wording that an
     * agent answered with the entry comes in as {@link FaqVariant.Source#agent}.
     */
    @Transactional
    public FaqVariant addVariant(UUID workspaceId, UUID faqId, String text, FaqVariant.Source source) {
        FaqEntry entry = get(workspaceId, faqId);
        String valid = Validation.requireText(text, "text", MAX_QUESTION).strip();
        var existing = FaqVariant.<FaqVariant>find("faqId = ?1 and text = ?2", faqId, valid).firstResultOptional();
        if (existing.isPresent()) {
            return existing.get();
        }
        if (FaqVariant.count("faqId", faqId) >= MAX_VARIANTS) {
            throw ApiException.conflict("FAQ entry '" + faqId + "' has " + MAX_VARIANTS
                    + " variants already; remove one first");
        }
        FaqVariant v = persistVariant(entry, valid, source);
        entry.updatedAt = Times.now(clock);
        CachedAnswer.invalidateWorkspace(workspaceId);
        return v;
    }

    @Transactional
    public void removeVariant(UUID workspaceId, UUID faqId, UUID variantId) {
        FaqEntry entry = get(workspaceId, faqId);
        FaqVariant v = FaqVariant.<FaqVariant>findByIdOptional(variantId).filter(x -> x.faqId.equals(entry.id))
                .orElseThrow(() -> ApiException.notFound("No variant with id '" + variantId + "' in FAQ entry '"
                        + faqId + "'"));
        v.delete();
        entry.updatedAt = Times.now(clock);
        CachedAnswer.invalidateWorkspace(workspaceId);
    }

    /** The workspace's entries as the matcher takes them: question, variants, answer, language. */
    @Transactional
    public List<FaqCandidate> candidates(UUID workspaceId) {
        Map<UUID, List<FaqVariant>> variants = variants(workspaceId);
        List<FaqCandidate> out = new ArrayList<>();
        for (FaqEntry e : FaqEntry.ofWorkspace(workspaceId)) {
            if (e.embedding == null) {
                continue;
            }
            List<String> texts = new ArrayList<>();
            List<float[]> embeddings = new ArrayList<>();
            embeddings.add(e.embedding);
            for (FaqVariant v : variants.getOrDefault(e.id, List.of())) {
                if (v.embedding != null) {
                    texts.add(v.text);
                    embeddings.add(v.embedding);
                }
            }
            out.add(new FaqCandidate(e.id.toString(), e.question, e.answer, texts, embeddings, e.language,
                    e.answerEmbedding));
        }
        return out;
    }

    /** Counts an answer given from this entry (no-op if it was deleted meanwhile). */
    @Transactional
    public void recordHit(UUID faqId) {
        FaqEntry.update("hitCount = hitCount + 1 where id = ?1", faqId);
    }

    /** Records an agent's verdict on the matcher's best candidate for a message, for the workspace's calibration. */
    @Transactional
    public void recordOutcome(UUID workspaceId, double score, boolean right) {
        FaqEntry.getEntityManager().createNativeQuery("insert into faq_outcomes (id, workspace_id, score, right_entry,"
                        + " created_at) values (?1, ?2, ?3, ?4, ?5)")
                .setParameter(1, UUID.randomUUID()).setParameter(2, workspaceId).setParameter(3, score)
                .setParameter(4, right).setParameter(5, Times.now(clock)).executeUpdate();
    }

    /** The workspace's threshold shift fitted on its latest agent outcomes. */
    @Transactional
    public Calibration calibration(UUID workspaceId, double defaultThreshold) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = FaqEntry.getEntityManager().createNativeQuery("select score, right_entry from "
                        + "faq_outcomes where workspace_id = ?1 order by created_at desc limit ?2")
                .setParameter(1, workspaceId).setParameter(2, CALIBRATION_WINDOW).getResultList();
        return Calibration.fit(rows.stream()
                .map(r -> new Calibration.Outcome(((Number) r[0]).doubleValue(), (Boolean) r[1])).toList(),
                defaultThreshold);
    }

    /** Entries embedded by another model (or never) would not compare with new embeddings: redo them at start-up. */
    @Transactional
    void reembedStale(@Observes @Priority(100) StartupEvent ignored) {
        List<FaqEntry> stale = FaqEntry.list("embeddingModel is null or embeddingModel <> ?1 or answerEmbedding is null",
                embedder.modelName());
        if (!stale.isEmpty()) {
            LOG.infof("Re-embedding %d FAQ entries with %s", stale.size(), embedder.modelName());
            stale.forEach(this::embed);
        }
        List<FaqVariant> staleVariants = FaqVariant.list("embeddingModel is null or embeddingModel <> ?1",
                embedder.modelName());
        staleVariants.forEach(v -> {
            v.embedding = embedder.embed(v.text);
            v.embeddingModel = embedder.modelName();
        });
    }

    private Draft validate(Draft draft) {
        Validation.requireBody(draft);
        String question = Validation.requireText(draft.question(), "question", MAX_QUESTION).strip();
        String answer = Validation.requireText(draft.answer(), "answer", MAX_ANSWER).strip();
        String language = draft.language() == null ? FaqCandidate.DEFAULT_LANGUAGE : draft.language().strip();
        if (!LANGUAGE.matcher(language).matches()) {
            throw ApiException.badRequest("language must be a two-letter ISO 639-1 code in lower case, like 'en' "
                    + "or 'de'; was '" + draft.language() + "'");
        }
        LinkedHashSet<String> variants = new LinkedHashSet<>();
        List<String> given = draft.variants() == null ? List.of() : draft.variants();
        for (int i = 0; i < given.size(); i++) {
            variants.add(Validation.requireText(given.get(i), "variants[" + i + "]", MAX_QUESTION).strip());
        }
        variants.remove(question);
        if (variants.size() > MAX_VARIANTS) {
            throw ApiException.badRequest("variants: at most " + MAX_VARIANTS + " per entry, got " + variants.size());
        }
        return new Draft(question, answer, List.copyOf(variants), language);
    }

    private FaqVariant persistVariant(FaqEntry entry, String text, FaqVariant.Source source) {
        FaqVariant v = new FaqVariant();
        v.id = UUID.randomUUID();
        v.faqId = entry.id;
        v.workspaceId = entry.workspaceId;
        v.text = text;
        v.source = source;
        v.embedding = embedder.embed(text);
        v.embeddingModel = embedder.modelName();
        v.createdAt = Times.now(clock);
        v.persist();
        return v;
    }

    private void embed(FaqEntry entry) {
        entry.embedding = embedder.embed(entry.question);
        entry.answerEmbedding = embedder.embed(entry.answer);
        entry.embeddingModel = embedder.modelName();
    }
}
