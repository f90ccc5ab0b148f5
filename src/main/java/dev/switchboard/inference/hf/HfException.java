package dev.switchboard.inference.hf;

import java.nio.file.Path;

/** A Hugging Face checkpoint that cannot be used; the message names the file (and key) and what is wrong. */
public final class HfException extends RuntimeException {
    public HfException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public HfException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
