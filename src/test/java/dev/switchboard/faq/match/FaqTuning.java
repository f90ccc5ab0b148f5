package dev.switchboard.faq.match;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Grid search over {@link MatchSettings} on the TUNING files only: the settings with the highest recall whose
 * false-auto-answer rate is at most args[0] (default 0.01, half the goal, as a buffer for unseen FAQs) and whose
 * precision is at least args[1] (default 0.97). Prints the best few; the chosen one goes into
 * {@link MatchSettings#DEFAULTS} by hand, and FaqMatcherEvaluationTest then checks the HELD-OUT files.
 */
public final class FaqTuning {

    private FaqTuning() {}

    record Candidate(MatchSettings settings, FaqEvaluation.Metrics metrics) {}

    private record Case(FaqEvaluation.EvalSet set, FaqEvaluation.Example example, HybridFaqMatcher.Analysis analysis) {}

    public static void main(String[] args) {
        double maxFalseAuto = args.length > 0 ? Double.parseDouble(args[0]) : 0.01;
        double minPrecision = args.length > 1 ? Double.parseDouble(args[1]) : 0.97;
        MiniLmEmbedder embedder = new MiniLmEmbedder();
        FaqEvaluation eval = new FaqEvaluation(embedder);
        List<FaqEvaluation.EvalSet> sets = eval.sets(FaqEvaluation.TUNING);
        HybridFaqMatcher base = new HybridFaqMatcher(embedder);
        // the signals do not depend on the settings: compute them once, recombine per setting
        List<Case> cases = new ArrayList<>();
        for (FaqEvaluation.EvalSet set : sets) {
            for (FaqEvaluation.Example ex : set.messages()) {
                cases.add(new Case(set, ex, base.analyse(ex.text(), ex.embedding(), set.faq())));
            }
        }
        MatchSettings d = MatchSettings.DEFAULTS;
        List<Candidate> accepted = new ArrayList<>();
        for (double ew : new double[] {0, 1.0, 1.25, 1.5, 1.75}) {
          for (double mw : new double[] {0, 0.5, 0.75, 1.0}) {
            for (double aw : new double[] {0, 0.25}) {
                double lex = 0;
                MatchSettings weights = settings(d, lex, aw, ew, mw, 0.7, 0.1, 0.5, 0.8, 0.9);
                List<HybridFaqMatcher.Analysis> reweighted =
                        cases.stream().map(c -> c.analysis().reweighted(weights)).toList();
                for (double threshold = 0.4 + ew * 0.4; threshold <= 1.21 + ew; threshold += 0.02) {
                    for (double margin = 0; margin <= 0.121; margin += 0.02) {
                        for (double minCos : new double[] {0.35, 0.45, 0.55}) {
                            for (double mismatched : new double[] {0.0, 0.7, 0.8, 1.1}) {
                                for (double strong : new double[] {0.9, 1.1}) {
                                    MatchSettings s = settings(d, lex, aw, ew, mw, threshold, margin, minCos,
                                            mismatched, strong);
                                    FaqEvaluation.Metrics m = evaluate(eval, sets, reweighted, new HybridFaqMatcher(s, embedder));
                                    if (m.precision() >= minPrecision && m.falseAutoRate() <= maxFalseAuto) {
                                        accepted.add(new Candidate(s, m));
                                    }
                                }
                            }
                        }
                    }
                }
            }
          }
        }
        // highest recall first; among equals the highest precision, then the most conservative threshold
        accepted.sort(Comparator.<Candidate>comparingDouble(c -> -c.metrics().recall())
                .thenComparingDouble(c -> -c.metrics().precision())
                .thenComparingDouble(c -> -(c.settings().minMargin() + c.settings().answerThreshold())));
        for (Candidate c : accepted.subList(0, Math.min(Integer.getInteger("faq.tuning.top", 20), accepted.size()))) {
            MatchSettings s = c.settings();
            System.out.printf(Locale.ROOT, "expl=%.2f marginW=%.2f lex=%.2f ans=%.2f threshold=%.2f margin=%.2f minCos=%.2f mismatched=%.2f "
                            + "strong=%.2f -> recall %.3f false-auto %.3f precision %.3f%n", s.explainedWeight(), s.marginWeight(),
                    s.lexicalWeight(),
                    s.answerWeight(), s.answerThreshold(), s.minMargin(), s.minCosine(), s.mismatchedCosine(),
                    s.strongLexical(), c.metrics().recall(), c.metrics().falseAutoRate(), c.metrics().precision());
        }
    }

    private static MatchSettings settings(MatchSettings d, double lex, double aw, double ew, double mw,
                                          double threshold, double margin, double minCos, double mismatched,
                                          double strong) {
        return new MatchSettings(1.0, lex, threshold, margin, minCos, mismatched, strong, d.nearestCount(),
                d.sameQuestionCosine(), d.sameQuestionOverlap(), aw, ew, mw, d.borderlineBand(), d.offerBand());
    }

    private static FaqEvaluation.Metrics evaluate(FaqEvaluation eval, List<FaqEvaluation.EvalSet> sets,
                                                  List<HybridFaqMatcher.Analysis> analyses,
                                                  HybridFaqMatcher matcher) {
        int[] next = {0};
        return eval.evaluate(sets, (set, ex) -> {
            HybridFaqMatcher.Analysis a = analyses.get(next[0]++);
            return new FaqEvaluation.Verdict(matcher.autoAnswer(a) ? a.ranked().getFirst().entry().id() : null,
                    a.flags().wantsHuman());
        });
    }
}
