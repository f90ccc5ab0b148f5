package dev.switchboard.inference.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * What every vocabulary-backed tokenizer shares once its pieces are built: id checks, piece lookup, decoding and the
 * BOS/EOS/stop/special-token queries. Subclasses only differ in how they encode.
 */
abstract sealed class VocabularyTokenizer implements Tokenizer permits ByteLevelBpe, SentencePieceTokenizer {
    /** Per id, the bytes the token decodes to. */
    final byte[][] pieces;
    /** Per id, a {@link TokenType}. */
    final byte[] types;
    final SpecialTokens specials;
    private final int bos;
    private final int eos;
    private final Set<Integer> stopTokens;
    private final boolean addBos;

    VocabularyTokenizer(byte[][] pieces, byte[] types, SpecialTokens specials, int bos, int eos,
                        Set<Integer> stopTokens, boolean addBos) {
        this.pieces = pieces;
        this.types = types;
        this.specials = specials;
        this.bos = bos;
        this.eos = eos;
        this.stopTokens = Set.copyOf(stopTokens);
        this.addBos = addBos;
    }

    /** Whether decoding drops one leading space from the first token (SentencePiece's {@code add_space_prefix}). */
    boolean stripsLeadingSpace() {
        return false;
    }

    @Override
    public byte[] tokenBytes(int token) {
        checkToken(token);
        return pieces[token].clone();
    }

    /** Concatenates the pieces, less the leading space {@link #stripsLeadingSpace()} asks to drop (llama.cpp's detokenize). */
    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < tokens.length; i++) {
            checkToken(tokens[i]);
            byte[] p = pieces[tokens[i]];
            int skip = i == 0 && stripsLeadingSpace() && p.length > 0 && p[0] == ' ' ? 1 : 0;
            out.write(p, skip, p.length - skip);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    final void checkToken(int token) {
        if (token < 0 || token >= pieces.length) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary of " + pieces.length);
        }
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public int bos() {
        return bos;
    }

    @Override
    public int eos() {
        return eos;
    }

    @Override
    public boolean addBos() {
        return addBos;
    }

    @Override
    public Set<Integer> stopTokens() {
        return stopTokens;
    }

    @Override
    public int specialToken(String text) {
        int id = specials.id(text);
        return id >= 0 && TokenType.isSpecial(types[id]) ? id : -1;
    }

    @Override
    public boolean isSpecial(int token) {
        checkToken(token);
        return TokenType.isSpecial(types[token]);
    }
}
