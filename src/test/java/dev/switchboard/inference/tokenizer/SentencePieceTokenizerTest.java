package dev.switchboard.inference.tokenizer;

import dev.switchboard.inference.gguf.GgufException;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SentencePieceTokenizerTest {
    @TempDir
    Path dir;

    /** The README's greedy continuation of stories260K after BOS. */
    private static final int[] STORY = {403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421};
    private static final String README_STORY = " Once upon a time, there was a little girl named Lily. She loved to play "
            + "outside in the park. One day, she saw a big, red ball.";

    @Test
    void storiesContinuationDecodesAsTheReadmeSays() {
        Tokenizer tk = TestModels.stories();
        StreamingDecoder stream = new StreamingDecoder(tk);
        StringBuilder streamed = new StringBuilder();
        for (int t : STORY) {
            streamed.append(stream.accept(t));
        }
        streamed.append(stream.flush());
        // the continuation keeps the space in front of "Once": it separates it from the prompt
        assertEquals(" Once upon a time, there was a little girl", streamed.toString());
        assertTrue(README_STORY.startsWith(streamed.toString()));
        // decoding a whole sequence removes the space that add_space_prefix puts in front of a text
        assertEquals("Once upon a time, there was a little girl", tk.decode(STORY));
    }

    @Test
    void storiesEncodeRoundTripsToTheSameIds() {
        Tokenizer tk = TestModels.stories();
        assertArrayEquals(STORY, tk.encode(tk.decode(STORY), false));
        String sentence = README_STORY.substring(1);
        int[] ids = tk.encode(sentence, false);
        assertArrayEquals(STORY, java.util.Arrays.copyOf(ids, STORY.length));
        assertEquals(sentence, tk.decode(ids));
    }

    @Test
    void storiesSpecialTokensAndMetadataDefaults() {
        Tokenizer tk = TestModels.stories();
        assertEquals(512, tk.vocabSize());
        assertEquals(1, tk.bos());
        assertEquals(2, tk.eos());
        assertTrue(tk.addBos());
        assertEquals(Set.of(2), tk.stopTokens());
        assertEquals(1, tk.specialToken("<s>"));
        assertTrue(tk.isSpecial(1));
        assertFalse(tk.isSpecial(403));
        assertFalse(Llama3ChatTemplate.supports(tk));
        assertEquals(1, tk.encode("<s>Once", true)[0]);
        assertTrue(java.util.stream.IntStream.of(tk.encode("<s>Once", false)).noneMatch(tk::isSpecial));
    }

    // ---- the algorithm on small vocabularies built here ----

    /** {@code <unk> <s> </s>}, the 256 byte tokens, then the given normal pieces with their scores. */
    private Tokenizer vocab(boolean addSpacePrefix, Object... piecesAndScores) throws IOException {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3));
        List<Float> scores = new ArrayList<>(List.of(0f, 0f, 0f));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6);
            scores.add(0f);
        }
        for (int i = 0; i < piecesAndScores.length; i += 2) {
            tokens.add((String) piecesAndScores[i]);
            types.add(1);
            scores.add(((Number) piecesAndScores[i + 1]).floatValue());
        }
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
        }
        Path p = dir.resolve("spm-" + System.nanoTime() + ".gguf");
        new GgufWriter()
                .put("tokenizer.ggml.model", "llama")
                .put("tokenizer.ggml.tokens", tokens.toArray(String[]::new))
                .put("tokenizer.ggml.scores", s)
                .put("tokenizer.ggml.token_type", types.stream().mapToInt(Integer::intValue).toArray())
                .put("tokenizer.ggml.add_space_prefix", addSpacePrefix)
                .write(p);
        try (GgufFile gguf = GgufFile.open(p)) {
            return Tokenizers.fromGguf(gguf);
        }
    }

    private static final int FIRST_PIECE = 3 + 256;

    @Test
    void highestScoringMergeComesFirst() throws IOException {
        // ids: a=259 b=260 c=261 ab=262 bc=263
        Tokenizer bcWins = vocab(false, "a", 0, "b", 0, "c", 0, "ab", -5, "bc", -1);
        assertArrayEquals(new int[]{FIRST_PIECE, FIRST_PIECE + 4}, bcWins.encode("abc", false));
        Tokenizer abWins = vocab(false, "a", 0, "b", 0, "c", 0, "ab", -1, "bc", -5);
        assertArrayEquals(new int[]{FIRST_PIECE + 3, FIRST_PIECE + 2}, abWins.encode("abc", false));
    }

    @Test
    void equalScoresMergeLeftmostFirst() throws IOException {
        // ids: a=259 b=260 ab=261 ba=262
        Tokenizer tk = vocab(false, "a", 0, "b", 0, "ab", -1, "ba", -1);
        assertArrayEquals(new int[]{FIRST_PIECE + 2, FIRST_PIECE}, tk.encode("aba", false));
        assertArrayEquals(new int[]{FIRST_PIECE + 3, FIRST_PIECE + 1}, tk.encode("bab", false));
    }

    @Test
    void charactersOutsideTheVocabularyFallBackToBytes() throws IOException {
        Tokenizer tk = vocab(false, "a", 0);
        int[] ids = tk.encode("a€", false);
        assertArrayEquals(new int[]{FIRST_PIECE, 3 + 0xE2, 3 + 0x82, 3 + 0xAC}, ids);
        assertEquals("a€", tk.decode(ids));
    }

    @Test
    void spacePrefixGoesInFrontOfTheTextAndAfterSpecialTokens() throws IOException {
        // ids: ▁=259 a=260 ▁a=261
        Tokenizer tk = vocab(true, "▁", 0, "a", 0, "▁a", -1);
        assertArrayEquals(new int[]{FIRST_PIECE + 2, FIRST_PIECE + 2}, tk.encode("a a", false));
        assertArrayEquals(new int[]{FIRST_PIECE + 2, 1, FIRST_PIECE + 2}, tk.encode("a<s>a", true));
        assertArrayEquals(new int[0], tk.encode("", false));
        assertEquals("a a", tk.decode(tk.encode("a a", false)));
        assertEquals(" a", tk.decode(tk.encode(" a", false)));

        Tokenizer noPrefix = vocab(false, "▁", 0, "a", 0, "▁a", -1);
        assertArrayEquals(new int[]{FIRST_PIECE + 1, FIRST_PIECE + 2}, noPrefix.encode("a a", false));
        assertEquals(" a", noPrefix.decode(new int[]{FIRST_PIECE + 2}));
    }

    @Test
    void refusesMisspelledByteToken() throws IOException {
        Path p = dir.resolve("badbyte.gguf");
        new GgufWriter()
                .put("tokenizer.ggml.model", "llama")
                .put("tokenizer.ggml.tokens", new String[]{"<unk>", "<s>", "</s>", "0x41"})
                .put("tokenizer.ggml.scores", new float[4])
                .put("tokenizer.ggml.token_type", new int[]{2, 3, 3, 6})
                .write(p);
        try (GgufFile gguf = GgufFile.open(p)) {
            var e = assertThrows(GgufException.class, () -> Tokenizers.fromGguf(gguf));
            assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("tokenizer.ggml.tokens[3]"),
                    e.getMessage());
        }
    }

    @Test
    void refusesScoresOfTheWrongLength() throws IOException {
        Path p = dir.resolve("badscores.gguf");
        new GgufWriter()
                .put("tokenizer.ggml.model", "llama")
                .put("tokenizer.ggml.tokens", new String[]{"<unk>", "<s>", "</s>"})
                .put("tokenizer.ggml.scores", new float[2])
                .write(p);
        try (GgufFile gguf = GgufFile.open(p)) {
            var e = assertThrows(GgufException.class, () -> Tokenizers.fromGguf(gguf));
            assertTrue(e.getMessage().contains("tokenizer.ggml.scores has 2 entries"), e.getMessage());
        }
    }
}
