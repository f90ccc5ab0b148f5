package dev.switchboard.inference.tokenizer;

import java.util.Set;

/** Text to token ids and back, for one vocabulary. Implementations are immutable and thread-safe. */
public interface Tokenizer {

    /**
     * Encodes text without adding BOS/EOS. With {@code allowSpecial}, spelled-out special tokens in the text
     * (e.g. {@code <|eot_id|>}) become their ids; without it they are encoded as ordinary text, which is what
     * untrusted content (a customer's message) must get.
     */
    int[] encode(String text, boolean allowSpecial);

    /** The raw bytes of one token (a token may hold part of a UTF-8 character). Special tokens give their text. */
    byte[] tokenBytes(int token);

    /**
     * Decodes whole sequences; invalid UTF-8 at the edges becomes U+FFFD. A SentencePiece vocabulary that puts a
     * space in front of encoded text drops it again from the first token (generated continuations keep it: use
     * {@link StreamingDecoder}).
     */
    String decode(int[] tokens);

    int vocabSize();

    /** Beginning-of-text token id, or -1. */
    int bos();

    /** Whether the vocabulary asks for BOS at the start of every prompt (GGUF {@code tokenizer.ggml.add_bos_token}). */
    boolean addBos();

    /** End-of-text token id, or -1. */
    int eos();

    /** Tokens that end generation (EOS and, for chat models, end-of-turn tokens). */
    Set<Integer> stopTokens();

    /** The id of a special token by its text, or -1. */
    int specialToken(String text);

    boolean isSpecial(int token);
}
