package dev.switchboard.faq.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MiniLmEmbedderTest {

    private static final MiniLmEmbedder EMBEDDER = new MiniLmEmbedder();

    @Test
    void embeddingsAreUnitVectorsOfTheDeclaredDimension() {
        float[] v = EMBEDDER.embed("How long does shipping take?");
        assertEquals(EMBEDDER.dimension(), v.length);
        assertEquals(1.0, Vectors.cosine(v, v), 1e-4);
    }

    @Test
    void paraphrasesAreCloserThanUnrelatedQuestions() {
        float[] q = EMBEDDER.embed("How long does delivery take?");
        float[] para = EMBEDDER.embed("how many days until my parcel arrives");
        float[] other = EMBEDDER.embed("Do you accept PayPal?");
        assertTrue(Vectors.cosine(q, para) > Vectors.cosine(q, other) + 0.2,
                "paraphrase " + Vectors.cosine(q, para) + " vs unrelated " + Vectors.cosine(q, other));
    }

    @Test
    void whitespaceAndRepeatedPunctuationDoNotChangeTheEmbedding() {
        float[] a = EMBEDDER.embed("Do you ship to Canada?");
        float[] b = EMBEDDER.embed("  Do   you\tship to\nCanada???? ");
        assertEquals(1.0, Vectors.cosine(a, b), 1e-4);
    }

    @Test
    void veryLongTextIsCutAtTheCharacterLimitNotRejected() {
        String head = "I have a question about returns for a jacket I bought last month. ".repeat(14);
        String longText = head + "Unrelated words about gardening, weather and football. ".repeat(200);
        assertTrue(head.length() < MiniLmEmbedder.DEFAULT_MAX_CHARS && longText.length() > 10_000);
        float[] cut = EMBEDDER.embed(longText);
        float[] tail = EMBEDDER.embed("Unrelated words about gardening, weather and football.");
        // only the first ~1000 characters count, so the long unrelated tail barely shows in the embedding
        assertTrue(Vectors.cosine(cut, EMBEDDER.embed(head)) > Vectors.cosine(cut, tail) + 0.3);
    }

    @Test
    void blankOrNullTextIsRejectedWithAClearMessage() {
        var blank = assertThrows(IllegalArgumentException.class, () -> EMBEDDER.embed(" \n\t "));
        assertTrue(blank.getMessage().contains("blank"));
        assertThrows(IllegalArgumentException.class, () -> EMBEDDER.embed(null));
    }

    @Test
    void embeddingIsSafeFromManyThreadsAtOnce() throws Exception {
        float[] expected = EMBEDDER.embed("Can I pay with a gift card?");
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<float[]>>();
            for (int i = 0; i < 16; i++) {
                futures.add(pool.submit(() -> EMBEDDER.embed("Can I pay with a gift card?")));
            }
            for (var f : futures) {
                assertEquals(1.0, Vectors.cosine(expected, f.get()), 1e-4);
            }
        }
    }
}
