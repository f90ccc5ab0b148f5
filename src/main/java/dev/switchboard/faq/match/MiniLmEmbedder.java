package dev.switchboard.faq.match;

import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;

/**
 * all-MiniLM-L6-v2 (quantized ONNX, shipped inside its Maven jar) running in-process. The ONNX session is safe for
 * concurrent use, so one instance serves all threads.
 */
public final class MiniLmEmbedder implements TextEmbedder {

    /**
     * The model reads at most 256 word pieces; longer input is split and averaged by the library, which costs time
     * and blurs the question. About 1,000 characters fill the window for English text.
     */
    public static final int DEFAULT_MAX_CHARS = 1000;

    private static final String MODEL_NAME = "all-minilm-l6-v2-q";
    private static final int DIMENSION = 384;

    private final AllMiniLmL6V2QuantizedEmbeddingModel model;
    private final int maxChars;

    public MiniLmEmbedder() {
        this(DEFAULT_MAX_CHARS);
    }

    public MiniLmEmbedder(int maxChars) {
        if (maxChars < 16) {
            throw new IllegalArgumentException("maxChars must be at least 16, was " + maxChars);
        }
        this.maxChars = maxChars;
        this.model = new AllMiniLmL6V2QuantizedEmbeddingModel();
    }

    @Override
    public float[] embed(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text to embed is null");
        }
        String normalised = TextNormalizer.forEmbedding(text, maxChars);
        if (normalised.isEmpty()) {
            throw new IllegalArgumentException("text to embed is blank");
        }
        return Vectors.unit(model.embed(normalised).content().vector());
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public String modelName() {
        return MODEL_NAME;
    }
}
