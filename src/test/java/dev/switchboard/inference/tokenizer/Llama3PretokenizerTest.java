package dev.switchboard.inference.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Llama3PretokenizerTest {
    /**
     * The Llama 3 pattern in java.util.regex with the flags that give it Rust's Unicode meaning: an independent
     * (slower) oracle for the hand-written scanner.
     */
    private static final Pattern ORACLE = Pattern.compile("(?iu:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private static List<String> oracle(String s) {
        List<String> pieces = new ArrayList<>();
        Matcher m = ORACLE.matcher(s);
        int end = 0;
        while (m.find()) {
            assertEquals(end, m.start(), "the pattern must tile the text");
            pieces.add(m.group());
            end = m.end();
        }
        assertEquals(s.length(), end);
        return pieces;
    }

    @Test
    void contractionsAreCaseInsensitiveWithRustCaseFolding() {
        assertEquals(List.of("He", "'s", " HERE", "'S", " it", "'LL", " we", "'Re", " I", "'M"),
                Llama3Pretokenizer.split("He's HERE'S it'LL we'Re I'M"));
        // U+017F LONG S folds to 's' (tiktoken splits "'ſa" as "'ſ" + "a"); a contraction only starts a match
        assertEquals(List.of("it", "'ſ", "a"), Llama3Pretokenizer.split("it'ſa"));
        assertEquals(List.of("x", "'K"), Llama3Pretokenizer.split("x'K"));
        assertEquals(List.of("'S", "and"), Llama3Pretokenizer.split("'Sand"));
        assertEquals(List.of("x", "'r"), Llama3Pretokenizer.split("x'r"));
    }

    @Test
    void unicodeWhitespaceIsWhitespaceAndJoinsTheNextWord() {
        assertEquals(List.of("a", "\u00A0b"), Llama3Pretokenizer.split("a\u00A0b"));
        assertEquals(List.of("x", "\u2009y"), Llama3Pretokenizer.split("x\u2009y"));
        assertEquals(List.of("東京", "\u3000タワー"), Llama3Pretokenizer.split("東京\u3000タワー"));
        // NEL is whitespace but not CR/LF: it leads the next word like a space does
        assertEquals(List.of("line", "\u0085next"), Llama3Pretokenizer.split("line\u0085next"));
        // U+200B is not White_Space: like punctuation, it is the optional character in front of a word
        assertEquals(List.of("zero", "\u200Bwidth"), Llama3Pretokenizer.split("zero\u200Bwidth"));
    }

    @Test
    void whitespaceRunsLeaveTheirLastCharacterToTheNextWord() {
        assertEquals(List.of("word", "  ", " word"), Llama3Pretokenizer.split("word   word"));
        assertEquals(List.of("trailing", "   "), Llama3Pretokenizer.split("trailing   "));
        assertEquals(List.of("  ", "\tleading"), Llama3Pretokenizer.split("  \tleading"));
        assertEquals(List.of("a", "\r\n\r\n", "b"), Llama3Pretokenizer.split("a\r\n\r\nb"));
        assertEquals(List.of("word", "   \n\n  \r\n\r\n", " ", " word"),
                Llama3Pretokenizer.split("word   \n\n  \r\n\r\n  word"));
        assertEquals(List.of("x", " ", "1"), Llama3Pretokenizer.split("x 1"));
    }

    @Test
    void numbersOfAnyScriptGoInThrees() {
        assertEquals(List.of("123", "45"), Llama3Pretokenizer.split("12345"));
        assertEquals(List.of("٣٤٥", "٦", " ", "५५५", "५"), Llama3Pretokenizer.split("٣٤٥٦ ५५५५"));
        assertEquals(List.of("½", " ", "Ⅻ"), Llama3Pretokenizer.split("½ Ⅻ"));
    }

    @Test
    void punctuationTakesOneLeadingSpaceAndTrailingNewlines() {
        assertEquals(List.of("Hello", ",", " world", "!\n\n"), Llama3Pretokenizer.split("Hello, world!\n\n"));
        assertEquals(List.of(" (", "x", ")"), Llama3Pretokenizer.split(" (x)"));
        assertEquals(List.of(" 🦙.", "cpp"), Llama3Pretokenizer.split(" 🦙.cpp"));
        assertEquals(List.of("👍🏽🇫🇷😀"), Llama3Pretokenizer.split("👍🏽🇫🇷😀"));
    }

    @Test
    void agreesWithTheUnicodeRegexOnRandomText() {
        Random random = new Random(20261123);
        for (int i = 0; i < 20_000; i++) {
            String s = TestModels.randomText(random, 30);
            assertEquals(oracle(s), Llama3Pretokenizer.split(s), () -> "text " + s.codePoints()
                    .mapToObj(c -> String.format("U+%04X", c)).toList());
        }
    }
}
