package dev.switchboard.inference.json;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON codec (RFC 8259) for the engine's HTTP API, which must not depend on anything but the JDK.
 *
 * <p>Parsing gives {@link Map} (insertion-ordered; a repeated key keeps its last value), {@link List},
 * {@link String}, {@link Long} (integers that fit), {@link BigInteger} (larger integers), {@link Double} (numbers
 * with a fraction or exponent), {@link Boolean} and {@code null}. Errors give the line, column and offset.
 *
 * <p>Writing accepts those types plus any {@link Number}, {@link Collection}, arrays of objects and of ints,
 * longs, floats and doubles, and records nothing else: anything unknown is an error, not a {@code toString()}.
 */
public final class Json {
    /** Nesting limit: deeper input is rejected rather than risking a stack overflow on hostile requests. */
    public static final int MAX_DEPTH = 256;

    private Json() {
    }

    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos < text.length()) {
            throw p.error("unexpected '" + printable(text.charAt(p.pos)) + "' after the JSON value");
        }
        return value;
    }

    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    public static void write(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case String s -> writeString(s, out);
            case Boolean b -> out.append(b);
            case Double d -> writeFloating(d, out);
            case Float f -> writeFloating(f, out);
            case BigDecimal d -> out.append(d.toString());
            case Integer i -> out.append(i);
            case Long l -> out.append(l);
            case Short sh -> out.append(sh);
            case Byte b -> out.append(b);
            case BigInteger b -> out.append(b);
            case Number n -> writeFloating(n.doubleValue(), out);
            case Map<?, ?> m -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new JsonException("object keys must be strings, got " + e.getKey(), -1);
                    }
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    writeString(key, out);
                    out.append(':');
                    write(e.getValue(), out);
                }
                out.append('}');
            }
            case Collection<?> c -> writeArray(c, out);
            default -> {
                if (!value.getClass().isArray()) {
                    throw new JsonException("cannot write a " + value.getClass().getName() + " as JSON", -1);
                }
                // Arrays of objects and of primitives alike (int[] token lists are common)
                List<Object> items = new ArrayList<>();
                for (int i = 0, n = Array.getLength(value); i < n; i++) {
                    items.add(Array.get(value, i));
                }
                writeArray(items, out);
            }
        }
    }

    private static void writeArray(Collection<?> c, StringBuilder out) {
        out.append('[');
        boolean first = true;
        for (Object o : c) {
            if (!first) {
                out.append(',');
            }
            first = false;
            write(o, out);
        }
        out.append(']');
    }

    private static void writeFloating(double d, StringBuilder out) {
        if (!Double.isFinite(d)) {
            throw new JsonException("JSON has no representation for " + d, -1);
        }
        out.append(d); // Double.toString's forms (2.0, 1.0E-5) are all valid JSON numbers
    }

    private static void writeFloating(float f, StringBuilder out) {
        if (!Float.isFinite(f)) {
            throw new JsonException("JSON has no representation for " + f, -1);
        }
        out.append(f); // Float.toString: the shortest text that reads back as this float (0.7, not 0.699999988)
    }

    /**
     * Escapes quote, backslash and all control characters; keeps other text as is (the output is UTF-8, which
     * carries every code point). A lone surrogate cannot be encoded as UTF-8, so it is written as a \\u escape.
     */
    public static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        unicodeEscape(c, out);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        unicodeEscape(c, out);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void unicodeEscape(char c, StringBuilder out) {
        out.append("\\u");
        String hex = Integer.toHexString(c);
        out.append("0".repeat(4 - hex.length())).append(hex);
    }

    private static String printable(char c) {
        return c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Object value(int depth) {
            if (pos >= text.length()) {
                throw error("unexpected end of input, expected a value");
            }
            char c = text.charAt(pos);
            return switch (c) {
                case '{' -> object(depth + 1);
                case '[' -> array(depth + 1);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("unexpected '" + printable(c) + "', expected a value");
                }
            };
        }

        private Map<String, Object> object(int depth) {
            checkDepth(depth);
            pos++; // '{'
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw error("expected a string key");
                }
                String key = string();
                skipWhitespace();
                expect(':');
                skipWhitespace();
                map.put(key, value(depth));
                skipWhitespace();
                char c = peek();
                pos++;
                if (c == '}') {
                    return map;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or '}' in an object");
                }
            }
        }

        private List<Object> array(int depth) {
            checkDepth(depth);
            pos++; // '['
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                skipWhitespace();
                list.add(value(depth));
                skipWhitespace();
                char c = peek();
                pos++;
                if (c == ']') {
                    return list;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or ']' in an array");
                }
            }
        }

        private String string() {
            int start = ++pos; // after '"'
            StringBuilder sb = null;
            while (true) {
                if (pos >= text.length()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(pos);
                if (c == '"') {
                    String s = sb == null ? text.substring(start, pos) : sb.toString();
                    pos++;
                    return s;
                }
                if (c < 0x20) {
                    throw error("control character " + printable(c) + " must be escaped in a string");
                }
                if (c == '\\') {
                    if (sb == null) {
                        sb = new StringBuilder().append(text, start, pos);
                    }
                    pos++;
                    if (pos >= text.length()) {
                        throw error("unterminated string");
                    }
                    char e = text.charAt(pos);
                    switch (e) {
                        case '"', '\\', '/' -> sb.append(e);
                        case 'n' -> sb.append('\n');
                        case 'r' -> sb.append('\r');
                        case 't' -> sb.append('\t');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'u' -> {
                            if (pos + 4 >= text.length()) {
                                throw error("incomplete \\u escape");
                            }
                            int v = 0;
                            for (int i = 1; i <= 4; i++) {
                                int d = Character.digit(text.charAt(pos + i), 16);
                                if (d < 0) {
                                    throw error("invalid hex digit in \\u escape");
                                }
                                v = v * 16 + d;
                            }
                            sb.append((char) v); // surrogate pairs arrive as two escapes and combine in the string
                            pos += 4;
                        }
                        default -> throw error("invalid escape '\\" + printable(e) + "'");
                    }
                    pos++;
                } else {
                    if (sb != null) {
                        sb.append(c);
                    }
                    pos++;
                }
            }
        }

        private Object number() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            if (peek() == '0') {
                pos++;
            } else if (isDigit(peek())) {
                digits();
            } else {
                throw error("expected a digit");
            }
            boolean integral = true;
            if (peek() == '.') {
                integral = false;
                pos++;
                if (!isDigit(peek())) {
                    throw error("expected a digit after the decimal point");
                }
                digits();
            }
            if (peek() == 'e' || peek() == 'E') {
                integral = false;
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                if (!isDigit(peek())) {
                    throw error("expected a digit in the exponent");
                }
                digits();
            }
            String s = text.substring(start, pos);
            if (integral) {
                BigInteger big = new BigInteger(s);
                return big.bitLength() < 64 ? (Object) big.longValue() : big;
            }
            double d = Double.parseDouble(s);
            if (Double.isInfinite(d)) {
                pos = start;
                throw error("number " + s + " is out of range");
            }
            return d;
        }

        private void digits() {
            while (isDigit(peek())) {
                pos++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, pos)) {
                throw error("unexpected '" + printable(text.charAt(pos)) + "', expected a value");
            }
            pos += word.length();
            return value;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        /** The current character, or NUL at the end (never valid where a structural character is expected). */
        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        void skipWhitespace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        private void checkDepth(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH + " levels");
            }
        }

        JsonException error(String problem) {
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < pos && i < text.length(); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            String where = pos >= text.length() ? "at the end" : "at line " + line + ", column " + (pos - lineStart + 1);
            return new JsonException("malformed JSON " + where + " (offset " + pos + "): " + problem, pos);
        }
    }
}
