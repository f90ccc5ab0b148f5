package dev.switchboard.inference.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.switchboard.inference.tokenizer.CharClasses.LETTER;
import static dev.switchboard.inference.tokenizer.CharClasses.NEWLINE;
import static dev.switchboard.inference.tokenizer.CharClasses.NUMBER;
import static dev.switchboard.inference.tokenizer.CharClasses.OTHER;
import static dev.switchboard.inference.tokenizer.CharClasses.SPACE;

/**
 * The Llama 3 pre-tokenizer: splits text into the pieces that tiktoken's regex
 * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}
 * finds, with Rust regex semantics (Unicode {@code \s}, general categories, simple case folding). A hand-written
 * scanner rather than {@link java.util.regex}: it is linear, allocation-free, and cannot silently change meaning
 * with a missing flag. Each branch below is one alternative of the pattern, tried in the pattern's order.
 */
final class Llama3Pretokenizer {
    /** The values of {@code tokenizer.ggml.pre} that name this pre-tokenizer (llama.cpp's aliases). */
    static final Set<String> GGUF_NAMES = Set.of("llama-bpe", "llama3", "llama-v3");

    private Llama3Pretokenizer() {
    }

    /** The end (exclusive) of the piece that starts at {@code i}; the text is {@code s[i, end)}, {@code i < end}. */
    static int next(String s, int i, int end) {
        int c = s.codePointAt(i);
        int n = i + Character.charCount(c);
        byte cls = CharClasses.of(c);

        // (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if (c == '\'' && n < end) {
            int contraction = contraction(s, n, end);
            if (contraction > 0) {
                return contraction;
            }
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (cls == LETTER) {
            return skip(s, n, end, LETTER);
        }
        if (cls != NUMBER && cls != NEWLINE && n < end && CharClasses.of(s.codePointAt(n)) == LETTER) {
            return skip(s, n, end, LETTER);
        }
        // \p{N}{1,3}
        if (cls == NUMBER) {
            int j = n;
            for (int k = 1; k < 3 && j < end; k++) {
                int d = s.codePointAt(j);
                if (CharClasses.of(d) != NUMBER) {
                    break;
                }
                j += Character.charCount(d);
            }
            return j;
        }
        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        if (c == ' ' && n < end && CharClasses.of(s.codePointAt(n)) == OTHER) {
            return skip(s, skip(s, n, end, OTHER), end, NEWLINE);
        }
        if (cls == OTHER) {
            return skip(s, skip(s, i, end, OTHER), end, NEWLINE);
        }
        // What is left starts with whitespace. \s*[\r\n]+ ends after the run's last CR/LF, if it has one.
        int runEnd = i;
        int lastNewlineEnd = -1;
        int lastStart = i;
        while (runEnd < end) {
            int d = s.codePointAt(runEnd);
            byte k = CharClasses.of(d);
            if (k != SPACE && k != NEWLINE) {
                break;
            }
            lastStart = runEnd;
            runEnd += Character.charCount(d);
            if (k == NEWLINE) {
                lastNewlineEnd = runEnd;
            }
        }
        if (lastNewlineEnd > 0) {
            return lastNewlineEnd;
        }
        // \s+(?!\S): the whole run at the end of the text; else all but the last whitespace, which then joins the
        // next word (if at least one character remains). Otherwise \s+ takes the single whitespace character.
        if (runEnd == end || lastStart == i) {
            return runEnd;
        }
        return lastStart;
    }

    /** Splits a whole text (for tests and diagnostics; encoding calls {@link #next} directly). */
    static List<String> split(String s) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < s.length(); ) {
            int j = next(s, i, s.length());
            pieces.add(s.substring(i, j));
            i = j;
        }
        return pieces;
    }

    private static int skip(String s, int i, int end, byte cls) {
        while (i < end) {
            int d = s.codePointAt(i);
            if (CharClasses.of(d) != cls) {
                break;
            }
            i += Character.charCount(d);
        }
        return i;
    }

    /** End of a contraction after the apostrophe at {@code n - 1}, or -1. Case folding as Rust's regex does it. */
    private static int contraction(String s, int n, int end) {
        char a = s.charAt(n);
        switch (a) {
            // U+017F LATIN SMALL LETTER LONG S folds to 's', so (?i)'s matches it too
            case 's', 'S', '\u017F', 't', 'T', 'm', 'M', 'd', 'D' -> {
                return n + 1;
            }
            default -> {
            }
        }
        if (n + 1 >= end) {
            return -1;
        }
        char b = s.charAt(n + 1);
        boolean match = switch (a) {
            case 'r', 'R', 'v', 'V' -> b == 'e' || b == 'E';
            case 'l', 'L' -> b == 'l' || b == 'L';
            default -> false;
        };
        return match ? n + 2 : -1;
    }
}
