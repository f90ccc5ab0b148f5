package dev.switchboard.faq.match;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The matcher alone (no model) on the HELD-OUT files of src/test/resources/faq-eval (two businesses' FAQs, written
 * before tuning and never used to choose rules or thresholds). The bound on wrong answers is the goal's: at most 2%
 * of must-not-answer messages auto-answered. Recall is held at its measured level, 33.5% (69 of 206, look 3),
 * short of the 60% goal: see docs/faq-matching.md for what the matcher cannot tell apart without a model.
 * Deterministic (same model, same data).
 */
class FaqMatcherEvaluationTest {

    private static FaqEvaluation eval;
    private static HybridFaqMatcher matcher;
    private static FaqEvaluation.Metrics heldOut;

    @BeforeAll
    static void evaluate() {
        MiniLmEmbedder embedder = new MiniLmEmbedder();
        eval = new FaqEvaluation(embedder);
        matcher = new HybridFaqMatcher(embedder);
        heldOut = eval.evaluate(eval.sets(FaqEvaluation.HELD_OUT), FaqEvaluation.hybrid(matcher));
        System.out.print(FaqEvaluation.report("HELD-OUT " + FaqEvaluation.HELD_OUT, heldOut));
    }

    @Test
    void heldOutSetIsLargeAndCoversEveryKindOfMessage() {
        List<FaqEvaluation.EvalSet> sets = eval.sets(FaqEvaluation.HELD_OUT);
        assertTrue(sets.size() >= 2 && sets.stream().allMatch(s -> s.faq().size() >= 20));
        assertTrue(heldOut.all().messages >= 300, heldOut.all().messages + " messages");
        for (String category : List.of("paraphrase", "typo", "short", "long", "indirect", "foreign", "uncovered",
                "nearmiss", "account", "chitchat", "injection", "offtopic", "human")) {
            assertTrue(heldOut.byCategory().containsKey(category), "no '" + category + "' message");
        }
        assertTrue(heldOut.byLanguage().keySet().containsAll(List.of("en", "de", "es", "fr")));
    }

    @Test
    void heldOutRecallStaysAtItsMeasuredLevel() {
        assertTrue(heldOut.recall() >= RECALL_FLOOR, "held-out recall " + heldOut.recall());
    }

    /** A little below the measured 0.335. */
    private static final double RECALL_FLOOR = 0.32;

    @Test
    void heldOutMustNotAnswerMessagesAreRarelyAutoAnswered() {
        assertTrue(heldOut.falseAutoRate() <= 0.02, "held-out false-auto rate " + heldOut.falseAutoRate());
    }

    @Test
    void heldOutAutoAnswersAreAlmostAlwaysRight() {
        assertTrue(heldOut.precision() >= 0.95, "held-out precision " + heldOut.precision());
    }

    @Test
    void heldOutRequestsForAPersonAreRecognised() {
        assertTrue(heldOut.humanRecognised() >= 0.8 * heldOut.humanExpected(),
                heldOut.humanRecognised() + " of " + heldOut.humanExpected());
    }

    @Test
    void aNonEnglishMessageIsNeverAnsweredFromAnEnglishEntry() {
        for (FaqEvaluation.EvalSet set : eval.sets(FaqEvaluation.HELD_OUT)) {
            for (FaqEvaluation.Example ex : set.messages()) {
                MatchResult r = matcher.match(ex.text(), ex.embedding(), set.faq());
                assertTrue(r.answer() == null || r.answer().language().equals(r.language()),
                        ex.text() + " answered from " + (r.answer() == null ? null : r.answer().id()));
            }
        }
    }
}
