package dev.switchboard.faq.match;

/** A sentence-embedding model running in-process. Thread-safe. */
public interface TextEmbedder {

    /** A unit-length embedding of the text. */
    float[] embed(String text);

    int dimension();

    /** Identifies the model, so stored embeddings from another model are recomputed. */
    String modelName();
}
