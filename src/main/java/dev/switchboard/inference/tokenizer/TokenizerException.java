package dev.switchboard.inference.tokenizer;

import java.nio.file.Path;

/** A tokenizer file that cannot be used; the message names the file and what is wrong with it. */
public class TokenizerException extends RuntimeException {
    public TokenizerException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public TokenizerException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
