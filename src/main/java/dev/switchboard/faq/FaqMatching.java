package dev.switchboard.faq;

import dev.switchboard.common.ApiException;
import dev.switchboard.faq.match.Calibration;
import dev.switchboard.faq.match.FaqCandidate;
import dev.switchboard.faq.match.HybridFaqMatcher;
import dev.switchboard.faq.match.MatchResult;
import dev.switchboard.faq.match.TextEmbedder;
import dev.switchboard.llm.ChatModel;
import dev.switchboard.llm.ChatModelProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
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

    @Inject
    FaqVerifier verifier;

    @Inject
    ChatModelProvider models;

    /**
     * What the bot would decide, and the server-side time it took.
     *
     * @param result the matcher's decision
     * @param nanos embedding the message and matching it (entries already loaded)
     * @param answer the entry the bot would send: the matcher's, or, when the model was asked, the model's pick in
     *               the customer's language; empty when the bot sends no FAQ answer
     * @param modelAsked whether the model was asked to confirm a borderline match
     * @param modelPick the entry the model picked, in any language; empty when it picked none or was not asked
     * @param verifyNanos the model's classification request, 0 when it was not asked
     */
    public record Timed(MatchResult result, long nanos, Optional<FaqCandidate> answer, boolean modelAsked,
                        Optional<FaqCandidate> modelPick, long verifyNanos) {}

    /**
     * A dry run of the bot's decision. With {@code verify}, a borderline match is put to the configured model as the
     * bot puts it (409 when no model is configured: the answer would not be what the bot does); without, the
     * matcher alone decides, as it does for a bot without a model.
     */
    public Timed dryRun(UUID workspaceId, String message, boolean verify) {
        Optional<ChatModel> model = models.model();
        if (verify && model.isEmpty()) {
            throw ApiException.conflict("verify needs a model, and none is configured (switchboard.inference.url or "
                    + "switchboard.inference.model)");
        }
        List<FaqCandidate> candidates = faqs.candidates(workspaceId);
        Calibration calibration = calibration(workspaceId);
        long start = System.nanoTime();
        MatchResult r = matcher.match(message, embedder.embed(message), candidates, calibration);
        long nanos = System.nanoTime() - start;
        if (!verify || !FaqVerifier.worthAsking(r)) {
            return new Timed(r, nanos, Optional.ofNullable(r.answer()), false, Optional.empty(), 0);
        }
        long verifyStart = System.nanoTime();
        Optional<FaqCandidate> picked = verifier.pick(model.get(), message, FaqVerifier.choices(r), true);
        return new Timed(r, nanos, FaqVerifier.sendable(r, picked), true, picked, System.nanoTime() - verifyStart);
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
