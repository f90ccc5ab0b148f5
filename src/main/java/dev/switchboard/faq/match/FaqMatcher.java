package dev.switchboard.faq.match;

import java.util.List;

/** Decides whether a customer message is answered by one of a workspace's FAQ entries. Thread-safe. */
public interface FaqMatcher {

    /**
     * @param message the customer's message, verbatim
     * @param messageEmbedding its embedding from the same {@link TextEmbedder} as the candidates'
     * @param candidates the workspace's FAQ entries (never another workspace's)
     * @param calibration the workspace's adjustment learned from its agents ({@link Calibration#NONE} without)
     */
    MatchResult match(String message, float[] messageEmbedding, List<FaqCandidate> candidates,
                      Calibration calibration);

    /** {@link #match(String, float[], List, Calibration)} with the defaults. */
    MatchResult match(String message, float[] messageEmbedding, List<FaqCandidate> candidates);
}
