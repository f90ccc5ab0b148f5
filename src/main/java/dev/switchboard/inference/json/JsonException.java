package dev.switchboard.inference.json;

/** Malformed JSON (with the position of the problem) or a value that cannot be written as JSON. */
public final class JsonException extends RuntimeException {
    private final int offset;

    JsonException(String message, int offset) {
        super(message);
        this.offset = offset;
    }

    /** Character offset of the problem in the parsed text, or -1 for write errors. */
    public int offset() {
        return offset;
    }
}
