package dev.switchboard.faq.match;

/**
 * Decides whether two customer questions are essentially the same, so that a model answer to one may be reused for
 * the other. Much stricter than FAQ matching: a near miss here repeats a generated answer to a different question.
 * Thread-safe.
 */
public interface SameQuestion {

    /**
     * @param a one question, verbatim
     * @param ea its embedding
     * @param b the other question, verbatim
     * @param eb its embedding, from the same {@link TextEmbedder} as {@code ea}
     * @return true only when an answer to one is an answer to the other; never for messages about the customer's
     *         own order or account, or messages carrying instructions to the bot
     */
    boolean sameQuestion(String a, float[] ea, String b, float[] eb);
}
