package dev.switchboard.inference.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class StreamingDecoderTest {
    /** A vocabulary whose tokens are the given byte strings: lets tests split characters anywhere. */
    private record BytesVocab(byte[][] pieces) implements Tokenizer {
        public int[] encode(String text, boolean allowSpecial) { throw new UnsupportedOperationException(); }
        public byte[] tokenBytes(int token) { return pieces[token].clone(); }
        public String decode(int[] tokens) { throw new UnsupportedOperationException(); }
        public int vocabSize() { return pieces.length; }
        public int bos() { return -1; }
        public boolean addBos() { return false; }
        public int eos() { return -1; }
        public Set<Integer> stopTokens() { return Set.of(); }
        public int specialToken(String text) { return -1; }
        public boolean isSpecial(int token) { return false; }
    }

    private static List<String> stream(Tokenizer tk, int... tokens) {
        StreamingDecoder d = new StreamingDecoder(tk);
        List<String> out = new ArrayList<>();
        for (int t : tokens) {
            out.add(d.accept(t));
        }
        out.add(d.flush());
        return out;
    }

    @Test
    void holdsBackEmojiSplitAcrossLlama3ByteTokens() {
        Tokenizer tk = TestModels.llama3();
        // " 🦙" is three tokens in Llama 3: " \xF0\x9F", "\xA6", "\x99"
        int[] ids = tk.encode(" this is 🦙.cpp", false);
        assertEquals(List.of(" this", " is", " ", "", "🦙", ".", "cpp", ""), stream(tk, ids));
        // CJK split across tokens, then ASCII: each character appears whole, once complete
        String cjk = "中文字符测试，标点。";
        int[] cjkIds = tk.encode(cjk, false);
        assertEquals(cjk, String.join("", stream(tk, cjkIds)));
        assertFalse(String.join("", stream(tk, cjkIds)).contains("\uFFFD"));
    }

    @Test
    void everyPieceIsWholeAndTheyAddUpToTheDecodedText() {
        Tokenizer tk = TestModels.llama3();
        Random random = new Random(11);
        for (int i = 0; i < 2000; i++) {
            String text = TestModels.randomText(random, 40);
            List<String> pieces = stream(tk, tk.encode(text, false));
            assertEquals(text, String.join("", pieces));
            for (String p : pieces) {
                assertFalse(p.contains("\uFFFD"), () -> "a piece of '" + text + "' split a character");
            }
        }
    }

    @Test
    void splitsAtEveryByteHoldBackUntilTheCharacterIsComplete() {
        byte[] smile = "😀".getBytes(StandardCharsets.UTF_8);
        Tokenizer tk = new BytesVocab(new byte[][]{{smile[0]}, {smile[1]}, {smile[2]}, {smile[3]}, "a".getBytes()});
        assertEquals(List.of("a", "", "", "", "😀", "a", ""), stream(tk, 4, 0, 1, 2, 3, 4));
    }

    @Test
    void invalidBytesComeOutAtOnceAndUnfinishedOnesAtFlush() {
        Tokenizer tk = new BytesVocab(new byte[][]{{(byte) 0x80}, {(byte) 0xE4}, {(byte) 0xB8}, {'x'}, {(byte) 0xE0},
                {(byte) 0x80}});
        // an orphan continuation byte is invalid whatever follows
        assertEquals(List.of("\uFFFD", ""), stream(tk, 0));
        // a lead byte then a non-continuation: both decoded as soon as the second arrives
        assertEquals(List.of("", "\uFFFDx", ""), stream(tk, 1, 3));
        // E0 80 can never start a character (E0 needs A0..BF next), so it is decoded when the 80 arrives
        assertEquals(List.of("", "\uFFFD\uFFFD", ""), stream(tk, 4, 5));
        // an unfinished character at the end becomes U+FFFD when flushed
        assertEquals(List.of("", "", "\uFFFD"), stream(tk, 1, 2));
    }
}
