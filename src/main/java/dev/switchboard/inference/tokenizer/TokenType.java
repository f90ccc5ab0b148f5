package dev.switchboard.inference.tokenizer;

/** Token types as numbered in GGUF's {@code tokenizer.ggml.token_type} (and llama.cpp). */
final class TokenType {
    static final byte NORMAL = 1;
    static final byte UNKNOWN = 2;
    static final byte CONTROL = 3;
    static final byte USER_DEFINED = 4;
    static final byte UNUSED = 5;
    static final byte BYTE = 6;

    private TokenType() {
    }

    static boolean isValid(int type) {
        return type >= NORMAL && type <= BYTE;
    }

    /** Control and unknown tokens are the ones plain text must never produce unless special parsing is asked for. */
    static boolean isSpecial(byte type) {
        return type == CONTROL || type == UNKNOWN;
    }
}
