package dev.switchboard.faq.match;

import java.util.List;

/**
 * One FAQ entry as the matcher sees it.
 *
 * @param id the entry's id as stored
 * @param question the canonical question
 * @param answer the answer given when this entry matches
 * @param examples other phrasings of the question that customers use (may be empty); they are matched like the
 *                 question, lexically and semantically
 * @param embeddings unit-length embeddings of the question followed by each example phrasing, in that order,
 *                   computed by the same {@link TextEmbedder} as the message; at least the question's
 */
public record FaqCandidate(String id, String question, String answer, List<String> examples,
                           List<float[]> embeddings) {

    public FaqCandidate {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("FAQ entry id is missing");
        }
        if (question == null || question.isBlank()) {
            throw new IllegalArgumentException("FAQ entry " + id + ": question is missing");
        }
        if (answer == null) {
            throw new IllegalArgumentException("FAQ entry " + id + ": answer is missing");
        }
        examples = examples == null ? List.of() : List.copyOf(examples);
        if (embeddings == null || embeddings.isEmpty()) {
            throw new IllegalArgumentException("FAQ entry " + id + ": embeddings are missing (need the question's)");
        }
        embeddings = List.copyOf(embeddings);
    }

    /** An entry known only by its question and answer (and their embeddings), without example phrasings. */
    public FaqCandidate(String id, String question, String answer, List<float[]> embeddings) {
        this(id, question, answer, List.of(), embeddings);
    }

    /** The question followed by the example phrasings: the texts {@link #embeddings} were computed from. */
    public List<String> phrasings() {
        var all = new java.util.ArrayList<String>(1 + examples.size());
        all.add(question);
        all.addAll(examples);
        return all;
    }
}
