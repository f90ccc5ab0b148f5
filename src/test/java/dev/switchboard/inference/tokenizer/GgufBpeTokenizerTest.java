package dev.switchboard.inference.tokenizer;

import dev.switchboard.inference.gguf.GgufException;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.gguf.GgufWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GGUF "gpt2" loader: the Llama 3 vocabulary converted from Meta's tokenizer.model into GGUF form (GPT-2
 * byte-mapped token strings, merges derived from the ranks as Hugging Face's converter derives them) must give the
 * same ids as the tiktoken loader; and unusable metadata must be refused with the file and key named.
 */
class GgufBpeTokenizerTest {
    @TempDir
    static Path dir;

    private static Tokenizer fromGguf(Path p) {
        try (GgufFile gguf = GgufFile.open(p)) {
            return Tokenizers.fromGguf(gguf);
        }
    }

    /** Meta's vocabulary in GGUF form, as {@link Tokenizers#ggufVocabulary} writes it. */
    private static Path convertedLlama3;

    @BeforeAll
    static void convert() throws IOException {
        if (!java.nio.file.Files.exists(TestModels.LLAMA3_TOKENIZER)) {
            return; // the tests that need it skip, saying why
        }
        GgufWriter w = new GgufWriter().put("general.architecture", "llama");
        Tokenizers.ggufVocabulary(TestModels.LLAMA3_TOKENIZER).forEach(w::put);
        convertedLlama3 = dir.resolve("llama3-vocab.gguf");
        w.write(convertedLlama3);
    }

    @Test
    void convertedVocabularyGivesTheSameIdsAsTheTiktokenLoader() throws IOException {
        Tokenizer meta = TestModels.llama3();
        Tokenizer gguf = fromGguf(convertedLlama3);
        assertEquals(meta.vocabSize(), gguf.vocabSize());
        // Meta's published ids, independent of the parse both loaders share
        assertEquals(128000, gguf.bos());
        assertEquals(128001, gguf.eos());
        assertEquals(meta.bos(), gguf.bos());
        assertEquals(meta.eos(), gguf.eos());
        // the end-of-turn tokens are found by name, as this GGUF has no eot_token_id
        assertEquals(meta.stopTokens(), gguf.stopTokens());
        assertEquals(meta.specialToken("<|eot_id|>"), gguf.specialToken("<|eot_id|>"));
        List<String> texts = new ArrayList<>();
        TestModels.llamaCppCases().forEach(c -> texts.add(c.text()));
        for (Object[] c : Llama3TokenizerTest.UNICODE_REFERENCE) {
            texts.add((String) c[0]);
        }
        Random random = new Random(7);
        for (int i = 0; i < 3000; i++) {
            texts.add(TestModels.randomText(random, 40));
        }
        for (String text : texts) {
            for (boolean special : new boolean[]{false, true}) {
                int[] expected = meta.encode(text, special);
                int[] actual = gguf.encode(text, special);
                assertArrayEquals(expected, actual, () -> "text '" + text + "'");
                assertEquals(meta.decode(expected), gguf.decode(actual));
            }
        }
    }

    // ---- refusals, on small synthetic vocabularies ----

    /** A minimal valid gpt2 vocabulary: the 256 byte tokens, "ab" and its merge. */
    private static GgufWriter tinyVocab() {
        String[] tokens = new String[259];
        int[] types = new int[259];
        for (int b = 0; b < 256; b++) {
            tokens[b] = Gpt2Bytes.encode(new byte[]{(byte) b});
            types[b] = 1;
        }
        tokens[256] = "ab";
        types[256] = 1;
        tokens[257] = "<|eot_id|>";
        types[257] = 3;
        tokens[258] = "<|begin_of_text|>";
        types[258] = 3;
        return new GgufWriter()
                .put("tokenizer.ggml.model", "gpt2")
                .put("tokenizer.ggml.pre", "llama-bpe")
                .put("tokenizer.ggml.tokens", tokens)
                .put("tokenizer.ggml.token_type", types)
                .put("tokenizer.ggml.merges", new String[]{"a b"})
                .put("tokenizer.ggml.bos_token_id", 258)
                .put("tokenizer.ggml.eos_token_id", 257);
    }

    private static Path write(String name, Consumer<GgufWriter> change) throws IOException {
        GgufWriter w = tinyVocab();
        change.accept(w);
        Path p = dir.resolve(name);
        w.write(p);
        return p;
    }

    private static void assertRefused(Path p, String... fragments) {
        var e = assertThrows(GgufException.class, () -> fromGguf(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), e.getMessage());
        }
    }

    @Test
    void tinyVocabularyWorks() throws IOException {
        Tokenizer tk = fromGguf(write("tiny.gguf", w -> {}));
        assertArrayEquals(new int[]{256, 32, 99}, tk.encode("ab c", false));
        assertArrayEquals(new int[]{256, 257}, tk.encode("ab<|eot_id|>", true));
        assertEquals("ab c", tk.decode(new int[]{256, 32, 99}));
        assertEquals(258, tk.bos());
        assertTrue(tk.addBos(), "add_bos_token defaults to true for llama-bpe, as in llama.cpp");
        // llama.cpp's other names for the same pre-tokenizer
        Tokenizer alias = fromGguf(write("alias.gguf", w -> w.put("tokenizer.ggml.pre", "llama3")));
        assertArrayEquals(tk.encode("ab c", false), alias.encode("ab c", false));
    }

    @Test
    void refusesUnknownPreTokenizerNamingFileAndValue() throws IOException {
        assertRefused(write("qwen.gguf", w -> w.put("tokenizer.ggml.pre", "qwen2")), "tokenizer.ggml.pre", "'qwen2'");
    }

    @Test
    void refusesMissingPreTokenizer() throws IOException {
        GgufWriter w = new GgufWriter().put("tokenizer.ggml.model", "gpt2")
                .put("tokenizer.ggml.tokens", new String[]{"a"});
        Path p = dir.resolve("nopre.gguf");
        w.write(p);
        assertRefused(p, "tokenizer.ggml.pre is missing");
    }

    @Test
    void refusesUnsupportedModel() throws IOException {
        assertRefused(write("bert.gguf", w -> w.put("tokenizer.ggml.model", "bert")), "tokenizer.ggml.model", "'bert'");
    }

    @Test
    void refusesMergeThatIsNotTwoTokens() throws IOException {
        assertRefused(write("merge.gguf", w -> w.put("tokenizer.ggml.merges", new String[]{"a b", "b c"})),
                "tokenizer.ggml.merges[1]", "'b c'");
    }

    @Test
    void refusesTokenTypesOfTheWrongLength() throws IOException {
        assertRefused(write("types.gguf", w -> w.put("tokenizer.ggml.token_type", new int[]{1, 1})),
                "tokenizer.ggml.token_type has 2 entries");
    }

    @Test
    void refusesUnknownTokenType() throws IOException {
        int[] types = new int[259];
        Arrays.fill(types, 1);
        types[7] = 9;
        assertRefused(write("type9.gguf", w -> w.put("tokenizer.ggml.token_type", types)), "tokenizer.ggml.token_type[7]");
    }

    @Test
    void refusesTokenOutsideTheByteMapping() throws IOException {
        GgufWriter w = tinyVocab();
        Path p = dir.resolve("unmapped.gguf");
        String[] tokens = new String[259];
        for (int b = 0; b < 256; b++) {
            tokens[b] = Gpt2Bytes.encode(new byte[]{(byte) b});
        }
        tokens[256] = "a€";
        tokens[257] = "<|eot_id|>";
        tokens[258] = "<|begin_of_text|>";
        w.put("tokenizer.ggml.tokens", tokens).put("tokenizer.ggml.merges", new String[0]).write(p);
        assertRefused(p, "tokenizer.ggml.tokens[256]");
    }

    @Test
    void refusesVocabularyWithoutEveryByte() throws IOException {
        int[] types = new int[259];
        Arrays.fill(types, 1);
        types[65] = 3; // 'A' as a control token leaves byte 0x41 without a normal token
        types[257] = 3;
        types[258] = 3;
        assertRefused(write("bytes.gguf", w -> w.put("tokenizer.ggml.token_type", types)), "byte 0x41");
    }

    @Test
    void refusesSpecialTokenIdOutsideTheVocabulary() throws IOException {
        assertRefused(write("bos.gguf", w -> w.put("tokenizer.ggml.bos_token_id", 5000)),
                "tokenizer.ggml.bos_token_id is 5000");
    }
}
