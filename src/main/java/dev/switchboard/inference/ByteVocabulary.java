package dev.switchboard.inference;

import dev.switchboard.inference.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The vocabulary of synthetic (random-weight) models, whose GGUF files carry none: token {@code b} is the byte
 * {@code b}, text is its UTF-8 bytes. No BOS, EOS or stop tokens, so a benchmark generation runs to its limit.
 * Only ids 0..255 exist; the model's further outputs are never sampled.
 */
final class ByteVocabulary implements Tokenizer {
    static final ByteVocabulary INSTANCE = new ByteVocabulary();

    private ByteVocabulary() {
    }

    @Override
    public int[] encode(String text, boolean allowSpecial) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xFF;
        }
        return ids;
    }

    @Override
    public byte[] tokenBytes(int token) {
        if (token < 0 || token > 255) {
            throw new IllegalArgumentException("token " + token + " is outside the byte vocabulary (0..255)");
        }
        return new byte[] {(byte) token};
    }

    @Override
    public String decode(int[] tokens) {
        byte[] bytes = new byte[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            bytes[i] = tokenBytes(tokens[i])[0];
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return 256;
    }

    @Override
    public int bos() {
        return -1;
    }

    @Override
    public boolean addBos() {
        return false;
    }

    @Override
    public int eos() {
        return -1;
    }

    @Override
    public Set<Integer> stopTokens() {
        return Set.of();
    }

    @Override
    public int specialToken(String text) {
        return -1;
    }

    @Override
    public boolean isSpecial(int token) {
        return false;
    }
}
