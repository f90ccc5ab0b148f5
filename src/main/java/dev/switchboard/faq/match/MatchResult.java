package dev.switchboard.faq.match;

import java.util.List;

/**
 * What the matcher concluded about one customer message.
 *
 * @param answer the entry to answer with at once, or null when no entry is safe to auto-answer
 * @param score the matcher's confidence in {@code answer} (or in the best candidate when there is no answer)
 * @param margin how far the best candidate's score leads the runner-up's
 * @param nearest the best candidates, best first, for grounding a model answer
 * @param wantsHuman the customer asked for a person
 * @param smallTalk the message is only a greeting, thanks or pleasantry
 * @param language the message's language (ISO 639-1)
 * @param borderline no answer, but the best candidate came close: a model may confirm it (or another of
 *                   {@code nearest})
 * @param refusal why the message gets no FAQ answer however well it scores: "instructions" (aimed at the bot),
 *                "own-account" (about the customer's own order or account) or "several-questions"; null when no
 *                such guard fires
 * @param offers no answer, but the best candidate came close enough that the customer may pick the right entry:
 *               the nearest entries in the message's language, best first, at most {@link #MAX_OFFERS}; empty when
 *               the message is answered, refused by a guard or far from every entry
 */
public record MatchResult(FaqCandidate answer, double score, double margin, List<Scored> nearest,
                          boolean wantsHuman, boolean smallTalk, String language, boolean borderline,
                          String refusal, List<FaqCandidate> offers) {

    /** More choices than this make the customer read a list instead of picking. */
    public static final int MAX_OFFERS = 3;

    public MatchResult {
        offers = List.copyOf(offers);
    }

    public record Scored(FaqCandidate entry, double score) {}
}
