package dev.switchboard.faq.match;

/**
 * The knobs of {@link HybridFaqMatcher}. Defaults were chosen with FaqTuning on the TUNING split of
 * src/test/resources/faq-eval (highest recall with no wrong auto-answer, then the threshold raised by 0.04 as a
 * safety buffer) and checked on the HELD-OUT split by FaqMatcherEvaluationTest. The lexical weight came out 0:
 * lexical overlap still decides through {@code strongLexical} and the mismatch rule.
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
 */
public record MatchSettings(double semanticWeight, double lexicalWeight, double answerThreshold, double minMargin,
                            double minCosine, double mismatchedCosine, double strongLexical, int nearestCount,
                            double sameQuestionCosine, double sameQuestionOverlap) {

    public static final MatchSettings DEFAULTS = new MatchSettings(1.0, 0.0, 0.70, 0.10, 0.5, 0.80, 0.9, 3, 0.92, 0.6);

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
    }

    private static void requireRange(String name, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(
                    "FAQ match setting " + name + " must be in [" + min + ", " + max + "], was " + value);
        }
    }
}
