package dev.switchboard.inference.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Meta's Llama 3 tokenizer loaded from {@code tokenizer.model}, against reference vectors. */
class Llama3TokenizerTest {
    @TempDir
    Path dir;

    /**
     * Texts that stress Unicode handling, with the ids that the reference (tiktoken 0.14.0 with Meta's
     * tokenizer.model and split pattern, special tokens disallowed) gives for them.
     */
    static final Object[][] UNICODE_REFERENCE = {
            {"a\u00A0b", new int[]{64, 115648}},
            {"x\u2009y", new int[]{87, 105584, 88}},
            {"東京\u3000タワー", new int[]{111344, 23249, 47307, 124049}},
            {"line\u0085next", new int[]{1074, 116360, 3684}},
            {"He's HERE'S 'S 'ſ it'LL we'Re I'M 'd", new int[]{1548, 596, 19804, 13575, 364, 50, 364, 129, 123, 433, 6,
                    4178, 584, 50527, 358, 28703, 364, 67}},
            {"’s curly", new int[]{753, 69203}},
            {"٣٤٥٦ ५५५५ 12345", new int[]{117413, 124079, 124043, 149, 99, 220, 115337, 115337, 115337, 115337, 220, 4513,
                    1774}},
            {"½ Ⅻ 〇", new int[]{27154, 220, 71567, 104, 220, 115412}},
            {"👍🏽🇫🇷😀", new int[]{9468, 239, 235, 9468, 237, 121, 9468, 229, 104, 9468, 229, 115, 76460, 222}},
            {"中文字符测试，标点。", new int[]{108891, 49491, 82805, 3922, 31944, 28542, 1811}},
            {"한국어 텍스트", new int[]{112699, 32179, 10997, 45204, 54289}},
            {"word   \n\n  \r\n\r\n  word", new int[]{1178, 35033, 73845, 220, 3492}},
            {"trailing   ", new int[]{376, 14612, 262}},
            {"  \tleading", new int[]{256, 197, 21307}},
            {"a\r\n\r\nb", new int[]{64, 881, 65}},
            {"end\n", new int[]{408, 198}},
            {"tabs\t\t\tx", new int[]{32093, 298, 10436}},
            {"naïve café résumé", new int[]{3458, 38672, 588, 53050, 9517, 1264, 978}},
            {"Ελληνικά και русский", new int[]{100477, 109164, 102434, 100429, 110950, 101591}},
            {"עברית العربية", new int[]{87171, 76625, 51326, 43336, 103, 110356}},
            {"हिन्दी", new int[]{95048, 100556, 101102, 44747}},
            {"e\u0301\u0301", new int[]{68, 54939, 54939}},
            {"zero\u200Bwidth", new int[]{14486, 16067, 3175}},
            {"\uFEFFbom", new int[]{3305, 65, 316}},
            {"<|eot_id|>", new int[]{27, 91, 68, 354, 851, 91, 29}},
            {"x<|begin_of_text|>y", new int[]{87, 27, 91, 7413, 3659, 4424, 91, 29, 88}},
    };

    @Test
    void readmeVectors() {
        Tokenizer tk = TestModels.llama3();
        assertArrayEquals(new int[]{2028, 374, 264, 1296, 11914, 13}, tk.encode("This is a test sentence.", false));
        assertArrayEquals(new int[]{128006, 882, 128007, 271, 2028, 374, 264, 1296, 11914, 13, 128009},
                tk.encode("<|start_header_id|>user<|end_header_id|>\n\nThis is a test sentence.<|eot_id|>", true));
        assertArrayEquals(new int[]{9125}, tk.encode("system", false));
        assertArrayEquals(new int[]{271}, tk.encode("\n\n", false));
    }

    @Test
    void allLlamaCppCases() throws IOException {
        Tokenizer tk = TestModels.llama3();
        var cases = TestModels.llamaCppCases();
        assertEquals(47, cases.size());
        for (TestModels.Case c : cases) {
            assertArrayEquals(c.ids(), tk.encode(c.text(), false), () -> "text '" + c.text() + "'");
            assertEquals(c.text(), tk.decode(c.ids()));
        }
    }

    @Test
    void unicodeReferenceVectors() {
        Tokenizer tk = TestModels.llama3();
        for (Object[] c : UNICODE_REFERENCE) {
            assertArrayEquals((int[]) c[1], tk.encode((String) c[0], false), () -> "text '" + c[0] + "'");
        }
    }

    @Test
    void specialTokensHaveMetasLlama31NamesAndIds() {
        Tokenizer tk = TestModels.llama3();
        assertEquals(128256, tk.vocabSize());
        assertEquals(128000, tk.bos());
        assertEquals(128001, tk.eos());
        assertTrue(tk.addBos());
        String[] named = {"<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
                "<|reserved_special_token_1|>", "<|finetune_right_pad_id|>", "<|step_id|>", "<|start_header_id|>",
                "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>", "<|python_tag|>", "<|reserved_special_token_2|>"};
        for (int i = 0; i < named.length; i++) {
            assertEquals(128000 + i, tk.specialToken(named[i]), named[i]);
            assertEquals(named[i], new String(tk.tokenBytes(128000 + i), StandardCharsets.UTF_8));
        }
        assertEquals(128255, tk.specialToken("<|reserved_special_token_246|>"));
        assertEquals(-1, tk.specialToken("<|reserved_special_token_247|>"));
        assertEquals(-1, tk.specialToken("hello"));
        assertEquals(Set.of(128001, 128008, 128009), tk.stopTokens());
        assertTrue(IntStream.range(128000, 128256).allMatch(tk::isSpecial));
        assertFalse(tk.isSpecial(127999));
    }

    @Test
    void specialTokensAreParsedOnlyWhenAllowed() {
        Tokenizer tk = TestModels.llama3();
        String text = "a<|eot_id|>b<|begin_of_text|>";
        int[] plain = tk.encode(text, false);
        assertTrue(IntStream.of(plain).noneMatch(tk::isSpecial));
        assertEquals(text, tk.decode(plain));
        int[] special = tk.encode(text, true);
        assertArrayEquals(new int[]{64, 128009, 65, 128000}, special);
        assertEquals(text, tk.decode(special));
        // the regex restarts after a special token: " x" after it is one piece, as at the start of a text
        assertArrayEquals(new int[]{128009, 865}, tk.encode("<|eot_id|> x", true));
    }

    @Test
    void longRunsAreCutWhereMetasReferenceCutsThem() {
        Tokenizer tk = TestModels.llama3();
        // Meta's wrapper encodes runs of more than 25,000 non-space (or space) characters in separate slices
        String a = "a".repeat(ByteLevelBpe.MAX_RUN_CHARS);
        int[] whole = tk.encode(a + "aaaa", false);
        int[] first = tk.encode(a, false);
        int[] rest = tk.encode("aaaa", false);
        assertArrayEquals(IntStream.concat(IntStream.of(first), IntStream.of(rest)).toArray(), whole);
        assertEquals(a + "aaaa", tk.decode(whole));
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        Tokenizer tk = TestModels.llama3();
        var e = assertThrows(IllegalArgumentException.class, () -> tk.decode(new int[]{1, 128256}));
        assertTrue(e.getMessage().contains("128256"), e.getMessage());
    }

    @Test
    void malformedModelFileNamesTheFileAndLine() throws IOException {
        Path bad = dir.resolve("tokenizer.model");
        Files.writeString(bad, "IQ== 0\nnot-base64! 1\n");
        var e = assertThrows(TokenizerException.class, () -> Tokenizers.fromTiktoken(bad));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("line 2"), e.getMessage());

        Files.writeString(bad, "IQ== 0\nIg== 2\n");
        e = assertThrows(TokenizerException.class, () -> Tokenizers.fromTiktoken(bad));
        assertTrue(e.getMessage().contains("rank 1 is missing"), e.getMessage());

        Files.writeString(bad, "IQ== 0\nIg== 1\n");
        e = assertThrows(TokenizerException.class, () -> Tokenizers.fromTiktoken(bad));
        assertTrue(e.getMessage().contains("byte 0x00 has none"), e.getMessage());

        Path missing = dir.resolve("absent.model");
        e = assertThrows(TokenizerException.class, () -> Tokenizers.fromTiktoken(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
