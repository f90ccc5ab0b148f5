package dev.switchboard.faq.match;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A workspace's shift of the answer threshold, learned from what its agents did with messages the bot handed over
 * or answered: an agent who sends an entry's answer confirms that entry for that message; one who sends another
 * entry corrects the matcher. The defaults were fitted on other businesses' FAQs; a workspace whose FAQ makes
 * scores run higher or lower shows it in these outcomes.
 *
 * @param thresholdShift added to the answer threshold (negative: answers more)
 * @param outcomes how many agent outcomes it rests on
 */
public record Calibration(double thresholdShift, int outcomes) {

    public static final Calibration NONE = new Calibration(0, 0);

    /** Fewer outcomes than this say too little: the defaults stand. */
    public static final int MIN_OUTCOMES = 20;
    /** The shift stays within this many hundredths of the default threshold, whatever the outcomes say. */
    public static final int MAX_SHIFT_STEPS = 8;
    /** The share of wrong best candidates allowed above the fitted threshold. */
    public static final double MAX_WRONG = 0.02;

    /**
     * One outcome: the matcher's best candidate for a message scored {@code score}, and an agent found it right
     * (sent that entry) or wrong (sent another one).
     */
    public record Outcome(double score, boolean right) {}

    /**
     * The lowest threshold in [default - 0.08, default + 0.08] above which at most {@link #MAX_WRONG}
     * of the outcomes were wrong, in steps of 0.01; no shift below {@link #MIN_OUTCOMES} outcomes.
     */
    public static Calibration fit(List<Outcome> outcomes, double defaultThreshold) {
        if (outcomes.size() < MIN_OUTCOMES) {
            return new Calibration(0, outcomes.size());
        }
        List<Outcome> sorted = new ArrayList<>(outcomes);
        sorted.sort(Comparator.comparingDouble(Outcome::score));
        for (int step = -MAX_SHIFT_STEPS; step <= MAX_SHIFT_STEPS; step++) {
            double threshold = defaultThreshold + step / 100.0;
            int above = 0;
            int wrong = 0;
            for (Outcome o : sorted) {
                if (o.score() >= threshold) {
                    above++;
                    wrong += o.right() ? 0 : 1;
                }
            }
            // a wrong outcome above the threshold always counts, however few there are in all
            if (above == 0 || wrong <= Math.floor(MAX_WRONG * above)) {
                return new Calibration(step / 100.0, outcomes.size());
            }
        }
        return new Calibration(MAX_SHIFT_STEPS / 100.0, outcomes.size());
    }
}
