package dev.switchboard.faq;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Times;
import dev.switchboard.conversation.ConversationQueries;
import dev.switchboard.conversation.ConversationQueries.HumanAnswer;
import dev.switchboard.faq.match.FaqCandidate;
import dev.switchboard.faq.match.HybridFaqMatcher;
import dev.switchboard.faq.match.Languages;
import dev.switchboard.faq.match.TextEmbedder;
import dev.switchboard.faq.match.Vectors;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * New FAQ entries suggested from what agents answered by hand: customer questions that the FAQ does not answer,
 * asked in several conversations in much the same words and answered by an agent, are grouped; a group is
 * suggested as an entry (its most typical wording as the question, the latest agent reply as the answer, the other
 * wordings as variants). Accepting creates the entry; accepting or dismissing marks the group's questions, so
 * they are not suggested again. Computed on demand from the latest agent replies, per workspace.
 */
@ApplicationScoped
public class FaqSuggestions {

    /** How many of the latest agent replies are looked at (each question is embedded once per listing). */
    static final int WINDOW = 200;
    /** Questions in at least this many conversations make a suggestion: one conversation is an anecdote. */
    static final int MIN_CONVERSATIONS = 2;
    /**
     * The cosine above which two questions count as the same: high enough that neighbouring topics of one shop
     * ("how long does delivery take" and "how much is delivery") stay apart (FaqSuggestionsTest).
     */
    static final double SAME_QUESTION = 0.72;

    /**
     * A suggested entry. id: the id of its most typical customer message (stable while its questions stay).
     * wordings: every customer question in the group, the question first; conversations: how many it spans.
     */
    public record Suggestion(UUID id, String question, String answer, String language, List<String> wordings,
                             int conversations, List<UUID> messageIds) {}

    @Inject
    ConversationQueries conversationQueries;

    @Inject
    TextEmbedder embedder;

    @Inject
    HybridFaqMatcher matcher;

    @Inject
    FaqService faqs;

    @Inject
    Clock clock;

    private record Asked(HumanAnswer pair, float[] embedding) {}

    /** The workspace's suggestions, the most asked first. */
    @Transactional
    public List<Suggestion> list(UUID workspaceId) {
        Set<UUID> decided = FaqSuggestionDecision.decidedMessages(workspaceId);
        List<FaqCandidate> candidates = faqs.candidates(workspaceId);
        List<List<Asked>> groups = new ArrayList<>();
        for (HumanAnswer pair : conversationQueries.humanAnswers(workspaceId, WINDOW)) {
            String q = pair.question().strip();
            if (q.isEmpty() || q.length() > FaqService.MAX_QUESTION || decided.contains(pair.questionId())
                    || !matcher.generalQuestion(q)) {
                continue;
            }
            float[] e = embedder.embed(q);
            // a question the FAQ already answers needs no new entry
            if (matcher.match(q, e, candidates).answer() != null) {
                continue;
            }
            join(groups, new Asked(pair, e));
        }
        List<Suggestion> out = new ArrayList<>();
        for (List<Asked> g : groups) {
            Set<UUID> conversations = new HashSet<>();
            g.forEach(a -> conversations.add(a.pair().conversationId()));
            if (conversations.size() >= MIN_CONVERSATIONS) {
                out.add(suggestion(g, conversations.size()));
            }
        }
        out.sort(Comparator.comparingInt(Suggestion::conversations).reversed());
        return out;
    }

    /** Joins the group whose every question is close to this one, or starts a new group. */
    private static void join(List<List<Asked>> groups, Asked asked) {
        for (List<Asked> g : groups) {
            if (g.stream().allMatch(o -> Vectors.cosine(o.embedding(), asked.embedding()) >= SAME_QUESTION)) {
                g.add(asked);
                return;
            }
        }
        List<Asked> g = new ArrayList<>();
        g.add(asked);
        groups.add(g);
    }

    /** The group's most typical question (highest summed similarity to the others) leads; the newest answer. */
    private static Suggestion suggestion(List<Asked> g, int conversations) {
        Asked typical = g.getFirst();
        double best = Double.NEGATIVE_INFINITY;
        for (Asked a : g) {
            double sum = 0;
            for (Asked o : g) {
                sum += Vectors.cosine(a.embedding(), o.embedding());
            }
            if (sum > best) {
                best = sum;
                typical = a;
            }
        }
        Set<String> wordings = new LinkedHashSet<>();
        wordings.add(typical.pair().question().strip());
        g.forEach(a -> wordings.add(a.pair().question().strip()));
        String question = typical.pair().question().strip();
        return new Suggestion(typical.pair().questionId(), question, g.getFirst().pair().answer().strip(),
                Languages.detect(question), List.copyOf(wordings), conversations,
                g.stream().map(a -> a.pair().questionId()).toList());
    }

    private Suggestion require(UUID workspaceId, UUID id) {
        return list(workspaceId).stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> ApiException.notFound("no suggested FAQ entry '" + id + "'"));
    }

    /**
     * Creates the suggested entry, with the question and answer given (null: as suggested) and the customers'
     * other wordings as learned variants.
     */
    @Transactional
    public FaqEntry accept(UUID workspaceId, UUID id, String question, String answer) {
        Suggestion s = require(workspaceId, id);
        String q = question == null || question.isBlank() ? s.question() : question;
        FaqEntry entry = faqs.create(workspaceId, new FaqService.Draft(q,
                answer == null || answer.isBlank() ? s.answer() : answer, null, s.language()));
        s.wordings().stream().filter(w -> !w.equals(entry.question)).limit(FaqService.MAX_VARIANTS)
                .forEach(w -> faqs.addVariant(workspaceId, entry.id, w, FaqVariant.Source.agent));
        decide(workspaceId, s.messageIds(), FaqSuggestionDecision.Decision.accepted);
        return entry;
    }

    @Transactional
    public void dismiss(UUID workspaceId, UUID id) {
        decide(workspaceId, require(workspaceId, id).messageIds(), FaqSuggestionDecision.Decision.dismissed);
    }

    private void decide(UUID workspaceId, Collection<UUID> messageIds, FaqSuggestionDecision.Decision decision) {
        for (UUID m : messageIds) {
            FaqSuggestionDecision d = new FaqSuggestionDecision();
            d.workspaceId = workspaceId;
            d.messageId = m;
            d.decision = decision;
            d.decidedAt = Times.now(clock);
            d.persist();
        }
    }
}
