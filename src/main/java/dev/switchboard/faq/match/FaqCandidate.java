package dev.switchboard.faq.match;

import java.util.ArrayList;
import java.util.List;

/**
 * One FAQ entry as the matcher sees it.
 *
 * @param id the entry's id as stored
 * @param question the canonical question
 * @param answer the answer given when this entry matches
 * @param examples other phrasings of the question that customers use (the entry's variants; may be empty); they are
 *                 matched like the question, lexically and semantically
 * @param embeddings unit-length embeddings of the question followed by each example phrasing, in that order,
 *                   computed by the same {@link TextEmbedder} as the message; at least the question's
 * @param language the language question and answer are written in (ISO 639-1, lower case): a message is answered
 *                 only from an entry in its own language
 * @param answerEmbedding the answer's embedding, or null when not computed: an answer that mentions what the
 *                        customer asks about ("Can I pay with PayPal?") supports the match
 */
public record FaqCandidate(String id, String question, String answer, List<String> examples,
                           List<float[]> embeddings, String language, float[] answerEmbedding) {

    public static final String DEFAULT_LANGUAGE = "en";

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
        language = language == null || language.isBlank() ? DEFAULT_LANGUAGE : language;
    }

    /** An English entry with example phrasings, without an answer embedding. */
    public FaqCandidate(String id, String question, String answer, List<String> examples, List<float[]> embeddings) {
        this(id, question, answer, examples, embeddings, DEFAULT_LANGUAGE, null);
    }

    /** An entry known only by its question and answer (and their embeddings), without example phrasings. */
    public FaqCandidate(String id, String question, String answer, List<float[]> embeddings) {
        this(id, question, answer, List.of(), embeddings);
    }

    /** The question followed by the example phrasings: the texts {@link #embeddings} were computed from. */
    public List<String> phrasings() {
        var all = new ArrayList<String>(1 + examples.size());
        all.add(question);
        all.addAll(examples);
        return all;
    }
}
