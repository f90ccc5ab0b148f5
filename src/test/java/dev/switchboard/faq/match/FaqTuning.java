package dev.switchboard.faq.match;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Grid search over {@link MatchSettings} on the TUNING split only: the settings with the highest recall whose
 * precision is at least args[0] (default 0.97) and whose wrong-auto-answer rate is at most args[1] (default 0.02).
 * Prints the best few; the chosen one goes into {@link MatchSettings#DEFAULTS} by hand, and
 * FaqMatcherEvaluationTest then reports the HELD-OUT split.
 */
public final class FaqTuning {

    private FaqTuning() {}

    record Candidate(MatchSettings settings, FaqEvaluation.Metrics metrics) {}

    public static void main(String[] args) {
        double minPrecision = args.length > 0 ? Double.parseDouble(args[0]) : 0.97;
        double maxWrongRate = args.length > 1 ? Double.parseDouble(args[1]) : 0.02;
        tune(new FaqEvaluation(new MiniLmEmbedder()), minPrecision, maxWrongRate);
    }

    static void tune(FaqEvaluation eval, double minPrecision, double maxWrongRate) {
        List<FaqEvaluation.Example> tuning = eval.split("tuning");
        HybridFaqMatcher base = new HybridFaqMatcher();
        // the signals do not depend on the settings: compute them once, recombine per setting
        List<HybridFaqMatcher.Analysis> analyses = new ArrayList<>();
        for (FaqEvaluation.Example ex : tuning) {
            analyses.add(base.analyse(ex.text(), ex.embedding(), eval.faq()));
        }
        MatchSettings d = MatchSettings.DEFAULTS;
        List<Candidate> accepted = new ArrayList<>();
        for (double lex = 0; lex <= 0.61; lex += 0.1) {
            for (double threshold = 0.5; threshold <= 1.21; threshold += 0.02) {
                for (double margin = 0; margin <= 0.2; margin += 0.02) {
                    for (double minCos = 0.45; minCos <= 0.66; minCos += 0.05) {
                        for (double mismatched : new double[] {0.7, 0.75, 0.8, 0.85, 0.9, 1.1}) {
                            for (double strong : new double[] {0.9, 1.1}) {
                                MatchSettings s = new MatchSettings(1.0, lex, threshold, margin, minCos, mismatched,
                                        strong, d.nearestCount(), d.sameQuestionCosine(), d.sameQuestionOverlap());
                                FaqEvaluation.Metrics m = evaluate(eval, tuning, analyses, s);
                                if (m.precision() >= minPrecision && m.wrongAutoAnswerRate() <= maxWrongRate) {
                                    accepted.add(new Candidate(s, m));
                                }
                            }
                        }
                    }
                }
            }
        }
        // highest recall first; among equals, the highest precision, then the most conservative threshold
        accepted.sort((x, y) -> {
            int c = Double.compare(y.metrics().recall(), x.metrics().recall());
            if (c != 0) {
                return c;
            }
            c = Double.compare(y.metrics().precision(), x.metrics().precision());
            if (c != 0) {
                return c;
            }
            return Double.compare(y.settings().minMargin() + y.settings().answerThreshold(),
                    x.settings().minMargin() + x.settings().answerThreshold());
        });
        for (Candidate c : accepted.subList(0, Math.min(Integer.getInteger("faq.tuning.top", 20), accepted.size()))) {
            MatchSettings s = c.settings();
            System.out.printf(Locale.ROOT,
                    "lex=%.2f threshold=%.2f margin=%.2f minCos=%.2f mismatched=%.2f strong=%.2f -> %s%n",
                    s.lexicalWeight(), s.answerThreshold(), s.minMargin(), s.minCosine(), s.mismatchedCosine(),
                    s.strongLexical(), FaqEvaluation.row("tuning", "", c.metrics()));
        }
    }

    private static FaqEvaluation.Metrics evaluate(FaqEvaluation eval, List<FaqEvaluation.Example> tuning,
                                                  List<HybridFaqMatcher.Analysis> analyses, MatchSettings s) {
        HybridFaqMatcher matcher = new HybridFaqMatcher(s);
        int[] next = {0};
        return eval.evaluate(tuning, (text, e) -> {
            HybridFaqMatcher.Analysis a = analyses.get(next[0]++).reweighted(s);
            return new FaqEvaluation.Verdict(matcher.autoAnswer(a) ? a.ranked().getFirst().entry().id() : null,
                    a.flags().wantsHuman());
        });
    }
}
