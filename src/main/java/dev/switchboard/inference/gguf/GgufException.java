package dev.switchboard.inference.gguf;

import java.nio.file.Path;

/** A GGUF file that cannot be used; the message names the file and what is wrong with it. */
public class GgufException extends RuntimeException {
    public GgufException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public GgufException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
