package dev.switchboard.faq;

import dev.switchboard.faq.match.Calibration;
import dev.switchboard.faq.match.FaqCandidate;
import dev.switchboard.faq.match.HybridFaqMatcher;
import dev.switchboard.faq.match.MatchResult;
import dev.switchboard.faq.match.TextEmbedder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;

/** Matching a message against a workspace's FAQ outside the bot: dry runs for measuring, and learning from agents. */
@ApplicationScoped
public class FaqMatching {

    /** Wordings longer than a question may be are not kept as variants (a long story is no phrasing to match). */
    private static final int MAX_LEARNED = FaqService.MAX_QUESTION;

    @Inject
    TextEmbedder embedder;

    @Inject
    HybridFaqMatcher matcher;

    @Inject
    FaqService faqs;

    /** A decision and the server-side time it took: embedding the message and matching (entries already loaded). */
    public record Timed(MatchResult result, long nanos) {}

    public Timed dryRun(UUID workspaceId, String message) {
        List<FaqCandidate> candidates = faqs.candidates(workspaceId);
        Calibration calibration = calibration(workspaceId);
        long start = System.nanoTime();
        MatchResult r = matcher.match(message, embedder.embed(message), candidates, calibration);
        return new Timed(r, System.nanoTime() - start);
    }

    public Calibration calibration(UUID workspaceId) {
        return faqs.calibration(workspaceId, matcher.settings().answerThreshold());
    }

    /**
     * An agent answered the customer's message with entry {@code faqId}: that confirms or corrects the matcher's
     * best candidate (recorded for the workspace's calibration), and the customer's wording becomes a variant of
     * the entry, so the next customer who writes it gets the answer at once. Returns the variant, or null when the
     * wording is too long to be a phrasing of a question.
     */
    public FaqVariant learn(UUID workspaceId, UUID faqId, String customerMessage) {
        faqs.get(workspaceId, faqId); // 404 before anything is recorded
        MatchResult r = matcher.match(customerMessage, embedder.embed(customerMessage), faqs.candidates(workspaceId));
        if (!r.nearest().isEmpty()) {
            faqs.recordOutcome(workspaceId, r.nearest().getFirst().score(),
                    r.nearest().getFirst().entry().id().equals(faqId.toString()));
        }
        String wording = customerMessage.strip();
        if (wording.isEmpty() || wording.length() > MAX_LEARNED) {
            return null;
        }
        return faqs.addVariant(workspaceId, faqId, wording, FaqVariant.Source.agent);
    }
}
