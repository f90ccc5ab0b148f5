package dev.switchboard.faq.match;

import java.util.List;

/**
 * One FAQ entry as the matcher sees it.
 *
 * @param id the entry's id as stored
 * @param question the canonical question
 * @param answer the answer given when this entry matches
 * @param embeddings unit-length embeddings of the question and any example phrasings, computed by the same
 *                   {@link TextEmbedder} as the message
 */
public record FaqCandidate(String id, String question, String answer, List<float[]> embeddings) {}
