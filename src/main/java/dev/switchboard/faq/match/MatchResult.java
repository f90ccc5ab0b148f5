package dev.switchboard.faq.match;

import java.util.List;

/**
 * What the matcher concluded about one customer message.
 *
 * @param answer the entry to answer with at once, or null when no entry is safe to auto-answer
 * @param score the matcher's confidence in {@code answer} (or in the best candidate when there is no answer)
 * @param nearest the best candidates, best first, for grounding a model answer
 * @param wantsHuman the customer asked for a person
 */
public record MatchResult(FaqCandidate answer, double score, List<Scored> nearest, boolean wantsHuman) {

    public record Scored(FaqCandidate entry, double score) {}
}
