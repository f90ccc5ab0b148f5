package dev.switchboard.inference.tokenizer;

/**
 * Character classes exactly as the references define them. Java's own predicates differ: {@link Character#isWhitespace}
 * excludes U+00A0 and U+202F and includes U+001C..U+001F, which neither Rust's {@code \s} nor Python agree with.
 */
final class CharClasses {
    static final byte OTHER = 0;
    static final byte LETTER = 1;
    static final byte NUMBER = 2;
    /** Unicode White_Space other than CR and LF. */
    static final byte SPACE = 3;
    /** CR or LF (also White_Space; the Llama 3 pattern treats them apart). */
    static final byte NEWLINE = 4;

    /** Classes of the Basic Multilingual Plane, precomputed because the pre-tokenizer asks for every character. */
    private static final byte[] BMP = new byte[0x10000];

    static {
        for (int c = 0; c < BMP.length; c++) {
            BMP[c] = compute(c);
        }
    }

    private CharClasses() {
    }

    /** The class of a code point; lone surrogates are OTHER, like the U+FFFD that tiktoken substitutes for them. */
    static byte of(int cp) {
        return cp < 0x10000 ? BMP[cp] : compute(cp);
    }

    private static byte compute(int cp) {
        if (cp == '\r' || cp == '\n') {
            return NEWLINE;
        }
        if (isUnicodeWhiteSpace(cp)) {
            return SPACE;
        }
        if (Character.isLetter(cp)) {
            return LETTER;
        }
        return switch (Character.getType(cp)) {
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            default -> OTHER;
        };
    }

    /** The Unicode White_Space property: Rust regex's (and so tiktoken's) {@code \s}. */
    static boolean isUnicodeWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** Python's {@code str.isspace()}, which Meta's reference uses to strip chat content and to chunk long runs. */
    static boolean isPythonSpace(int cp) {
        return isUnicodeWhiteSpace(cp) || (cp >= 0x1C && cp <= 0x1F);
    }

    /** Python's {@code str.strip()}: removes leading and trailing {@link #isPythonSpace} characters. */
    static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPythonSpace(s.codePointAt(start))) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (end > start && isPythonSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }
}
