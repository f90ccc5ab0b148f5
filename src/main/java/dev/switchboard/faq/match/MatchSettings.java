package dev.switchboard.faq.match;

/**
 * The knobs of {@link HybridFaqMatcher}. Defaults were chosen with FaqTuning on the TUNING files of
 * src/test/resources/faq-eval (highest recall with at most 2% of must-not-answer messages auto-answered and
 * precision at least 0.97) and checked on the HELD-OUT files by FaqMatcherEvaluationTest. The combined score is the
 * cosine plus 1.25 x the share of the message the entry explains plus 0.75 x the lead over the runner-up; the
 * lexical and answer-cosine weights came out 0. With the support-vocabulary synonyms of {@link Lexicon} the grid's
 * best (mismatch rule off) reached 39.6% recall at 1.1% false auto-answers, but 2 of 43 near misses (4.7%) were
 * answered; the mismatch rule is kept at 0.80 (36.5%, 0.0%) because it keeps swapped subjects ("a discount for
 * teachers" against "a student discount") out, and the goal holds per category.
 *
 * @param semanticWeight weight of the best cosine between the message and the entry's phrasings
 * @param lexicalWeight weight of the lexical overlap (0..1) between the message and the entry's phrasings
 * @param answerThreshold the combined score an entry needs to be answered automatically
 * @param minMargin how far the best entry's combined score must lead the runner-up's
 * @param minCosine the semantic similarity the best entry needs on its own, whatever the lexical overlap
 * @param mismatchedCosine the semantic similarity needed instead of {@code minCosine} when the message's subject
 *                         does not line up with the entry's ("a discount for teachers" against "a student
 *                         discount", "exchange a gift card for cash"); above 1 never answers such messages
 * @param strongLexical a lexical overlap at which the best entry is answered even below {@code answerThreshold}
 *                      (the customer used the entry's own words, typos and all); above 1 disables this route
 * @param nearestCount how many candidates {@link MatchResult#nearest} holds
 * @param sameQuestionCosine the cosine two texts need to count as the same question for the answer cache
 * @param sameQuestionOverlap the lexical overlap (both ways) they need as well
 * @param answerWeight weight of the cosine between the message and the entry's answer text
 * @param explainedWeight weight of the share of the message's words that the entry uses anywhere
 * @param marginWeight weight of the lead over the runner-up, added to the combined score: a clear winner needs
 *                     less score than one neck and neck with another entry
 * @param borderlineBand how far below the threshold a best candidate still counts as borderline, so that a model
 *                       (when one is configured) is asked to confirm it
 * @param offerBand how far below the threshold a best candidate still gets the message's nearest entries (in its
 *                  language) offered to the customer to pick from, when no model answers (none is configured, or
 *                  it cannot answer now); 0 offers none
 */
public record MatchSettings(double semanticWeight, double lexicalWeight, double answerThreshold, double minMargin,
                            double minCosine, double mismatchedCosine, double strongLexical, int nearestCount,
                            double sameQuestionCosine, double sameQuestionOverlap, double answerWeight,
                            double explainedWeight, double marginWeight, double borderlineBand, double offerBand) {

    public static final MatchSettings DEFAULTS =
            new MatchSettings(1.0, 0.0, 1.98, 0.10, 0.45, 0.8, 0.9, 3, 0.92, 0.6, 0.0, 1.25, 0.75, 0.3, 1.0);

    public MatchSettings {
        requireRange("semanticWeight", semanticWeight, 0, 10);
        requireRange("lexicalWeight", lexicalWeight, 0, 10);
        requireRange("answerThreshold", answerThreshold, 0, 20);
        requireRange("minMargin", minMargin, 0, 20);
        requireRange("minCosine", minCosine, -1, 1);
        requireRange("mismatchedCosine", mismatchedCosine, -1, 2);
        requireRange("strongLexical", strongLexical, 0, 2);
        requireRange("nearestCount", nearestCount, 1, 100);
        requireRange("sameQuestionCosine", sameQuestionCosine, -1, 1);
        requireRange("sameQuestionOverlap", sameQuestionOverlap, 0, 1);
        requireRange("answerWeight", answerWeight, 0, 10);
        requireRange("explainedWeight", explainedWeight, 0, 10);
        requireRange("marginWeight", marginWeight, 0, 10);
        requireRange("borderlineBand", borderlineBand, 0, 1);
        requireRange("offerBand", offerBand, 0, 5);
    }

    private static void requireRange(String name, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(
                    "FAQ match setting " + name + " must be in [" + min + ", " + max + "], was " + value);
        }
    }
}
