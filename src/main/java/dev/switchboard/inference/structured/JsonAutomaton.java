package dev.switchboard.inference.structured;

import dev.switchboard.inference.json.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A byte-level pushdown automaton that accepts exactly the compact JSON texts (no whitespace between tokens) of
 * one {@link JsonSchema}. States are immutable stacks of immutable frames, so a mask can try a byte from a state and
 * keep both; {@link #step} answers the next state or null for a byte that no valid text can have here.
 *
 * <p>Compact text, a nesting limit and a length limit for numbers keep every path short enough to finish: a model
 * sampled at random under the mask closes what it opens well within a few hundred tokens.
 */
public final class JsonAutomaton {
    /** Deeper nesting is not offered: '{' and '[' are masked at this depth. */
    static final int MAX_DEPTH = 32;
    /** Characters of one number at most (JSON puts no limit; a model that writes 24 digits means something else). */
    static final int MAX_NUMBER = 24;

    private JsonAutomaton() {
    }

    /** A state: the frame on top and the frames below it. */
    public record State(Frame top, State rest, int depth) {
    }

    /** The start: one value of the schema, then the end. */
    public static State start(JsonSchema schema) {
        State end = new State(End.INSTANCE, null, 0);
        return new State(new Value(schema), end, 1);
    }

    /** The state after one more byte, or null if no text of the schema continues so. */
    public static State step(State s, int b) {
        return s.top.step(b & 0xFF, s.rest, s.depth);
    }

    /** Feeds several bytes; null as soon as one is rejected. */
    public static State step(State s, byte[] bytes) {
        for (int i = 0; i < bytes.length && s != null; i++) {
            s = step(s, bytes[i]);
        }
        return s;
    }

    /** Whether the text so far is a complete value (a number may still go on: it is complete too). */
    public static boolean complete(State s) {
        while (true) {
            if (s.top instanceof End) {
                return true;
            }
            if (!s.top.canEnd()) {
                return false;
            }
            s = s.rest;
        }
    }

    private static State push(Frame f, State rest, int depth) {
        return new State(f, rest, depth);
    }

    /** Re-feeds a byte to the frames below a frame that ended without consuming it (a number, an enum number). */
    private static State pop(int b, State rest) {
        return rest.top.step(b, rest.rest, rest.depth);
    }

    /** One level of the automaton. */
    public sealed interface Frame permits End, Value, Literals, Str, Num, Obj, Arr, Prefixed {
        State step(int b, State rest, int depth);

        /** Whether the frame may end without another byte (then the bytes below decide). */
        default boolean canEnd() {
            return false;
        }
    }

    /** After the top value: nothing more. */
    enum End implements Frame {
        INSTANCE;

        @Override
        public State step(int b, State rest, int depth) {
            return null;
        }
    }

    /** A value of a schema starts with this byte. */
    record Value(JsonSchema schema) implements Frame {
        @Override
        public State step(int b, State rest, int depth) {
            return start(schema, b, rest, depth);
        }
    }

    /** The state after the first byte of a value of {@code schema}, with {@code rest} below (at {@code depth}). */
    static State start(JsonSchema schema, int b, State rest, int depth) {
        if (schema.enumValues != null) {
            return new Literals(bytesOf(schema.enumValues), 0, null).step(b, rest, depth);
        }
        return switch (b) {
            case '{' -> schema.allows(JsonSchema.OBJECT) && depth < MAX_DEPTH
                    ? push(new Obj(schema, 0L, Obj.START, null), rest, depth + 1) : null;
            case '[' -> schema.allows(JsonSchema.ARRAY) && depth < MAX_DEPTH
                    ? push(new Arr(schema, Arr.START, 0), rest, depth + 1) : null;
            case '"' -> schema.allows(JsonSchema.STRING)
                    ? push(new Str(schema.minLength, schema.maxLength), rest, depth + 1) : null;
            case 't', 'f' -> schema.allows(JsonSchema.BOOLEAN) ? BOOLEANS.step(b, rest, depth) : null;
            case 'n' -> schema.allows(JsonSchema.NULL) ? NULL_LITERAL.step(b, rest, depth) : null;
            default -> {
                if ((b == '-' || (b >= '0' && b <= '9')) && schema.allows(JsonSchema.NUMBER | JsonSchema.INTEGER)) {
                    yield new Num(!schema.allows(JsonSchema.NUMBER), Num.START, 0).step(b, rest, depth);
                }
                yield null;
            }
        };
    }

    private static final Literals BOOLEANS = new Literals(bytesOf(List.of("true", "false")), 0, null);
    private static final Literals NULL_LITERAL = new Literals(bytesOf(List.of("null")), 0, null);

    private static byte[][] bytesOf(List<String> texts) {
        byte[][] out = new byte[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = texts.get(i).getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    /**
     * One of several fixed texts (literals, enum values, the unused keys of a closed object), {@code pos} bytes of
     * which are matched. A key's match goes on in its object ({@code owner}) with the key known.
     */
    record Literals(byte[][] candidates, int pos, Obj owner) implements Frame {
        @Override
        public State step(int b, State rest, int depth) {
            List<byte[]> next = null;
            boolean ends = false;
            for (byte[] c : candidates) {
                if (c.length > pos && (c[pos] & 0xFF) == b) {
                    if (c.length == pos + 1) {
                        ends = true;
                        if (owner != null) {
                            return push(owner.afterKey(c), rest, depth);
                        }
                    } else {
                        if (next == null) {
                            next = new ArrayList<>(candidates.length);
                        }
                        next.add(c);
                    }
                }
            }
            if (next == null) {
                if (ends) {
                    return rest;
                }
                return canEnd() ? pop(b, rest) : null;
            }
            // One candidate ended here and others go on (enum numbers 1 and 12): the next byte decides.
            byte[][] left = next.toArray(new byte[0][]);
            return push(ends ? new Literals(withEnded(left, pos + 1), pos + 1, null)
                    : new Literals(left, pos + 1, owner), rest, depth);
        }

        /** Adds a marker candidate of length {@code length} so that this frame can end here. */
        private static byte[][] withEnded(byte[][] left, int length) {
            byte[][] out = Arrays.copyOf(left, left.length + 1);
            out[left.length] = new byte[length];
            return out;
        }

        @Override
        public boolean canEnd() {
            for (byte[] c : candidates) {
                if (c.length == pos) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Inside a string: {@code chars} characters so far; {@code escape} 0 outside an escape, -1 after a backslash,
     * 1..4 hex digits still due in a \\u escape; {@code lead} the lead byte of a UTF-8 character whose
     * {@code pending} continuation bytes are still due. Only valid UTF-8 gets through (RFC 3629), so the text decodes
     * to what the automaton counted.
     */
    record Str(int minLength, int maxLength, int chars, int escape, int lead, int pending) implements Frame {
        Str(int minLength, int maxLength) {
            this(minLength, maxLength, 0, 0, 0, 0);
        }

        @Override
        public State step(int b, State rest, int depth) {
            if (pending > 0) {
                int lo = 0x80;
                int hi = 0xBF;
                if (lead != 0) { // the first continuation byte: some leads narrow its range
                    if (lead == 0xE0) lo = 0xA0;
                    else if (lead == 0xED) hi = 0x9F;
                    else if (lead == 0xF0) lo = 0x90;
                    else if (lead == 0xF4) hi = 0x8F;
                }
                return b >= lo && b <= hi ? push(new Str(minLength, maxLength, chars, 0, 0, pending - 1), rest, depth)
                        : null;
            }
            if (escape == -1) {
                if (b == 'u') {
                    return push(new Str(minLength, maxLength, chars, 4, 0, 0), rest, depth);
                }
                return "\"\\/bfnrt".indexOf(b) >= 0 ? push(new Str(minLength, maxLength, chars, 0, 0, 0), rest, depth)
                        : null;
            }
            if (escape > 0) {
                boolean hex = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
                return hex ? push(new Str(minLength, maxLength, chars, escape - 1, 0, 0), rest, depth) : null;
            }
            if (b == '"') {
                return chars >= minLength ? rest : null;
            }
            if (b < 0x20 || chars + 1 > maxLength) {
                return null; // control characters must be escaped
            }
            if (b < 0x80) {
                return push(new Str(minLength, maxLength, chars + 1, b == '\\' ? -1 : 0, 0, 0), rest, depth);
            }
            int need = b >= 0xC2 && b <= 0xDF ? 1 : b >= 0xE0 && b <= 0xEF ? 2 : b >= 0xF0 && b <= 0xF4 ? 3 : 0;
            return need == 0 ? null : push(new Str(minLength, maxLength, chars + 1, 0, b, need), rest, depth);
        }
    }

    /** A number, by JSON's grammar; {@code integer} forbids fraction and exponent. */
    record Num(boolean integer, int phase, int length) implements Frame {
        static final int START = 0;
        static final int MINUS = 1;
        static final int ZERO = 2;
        static final int DIGITS = 3;
        static final int POINT = 4;
        static final int FRACTION = 5;
        static final int E = 6;
        static final int E_SIGN = 7;
        static final int EXPONENT = 8;
        /** Two exponent digits: more could overflow a double (|x| < 10^24 * 10^99 stays finite). */
        static final int EXPONENT_FULL = 9;
        /** An integer stays within a long: 18 characters, sign included. */
        static final int MAX_INTEGER_DIGITS = 18;

        @Override
        public State step(int b, State rest, int depth) {
            boolean digit = b >= '0' && b <= '9';
            int next = switch (phase) {
                case START -> b == '-' ? MINUS : b == '0' ? ZERO : digit ? DIGITS : -1;
                case MINUS -> b == '0' ? ZERO : digit ? DIGITS : -1;
                case ZERO, DIGITS -> digit && phase == DIGITS ? DIGITS : b == '.' && !integer ? POINT
                        : (b == 'e' || b == 'E') && !integer ? E : -1;
                case POINT, FRACTION -> digit ? FRACTION : phase == FRACTION && (b == 'e' || b == 'E') ? E : -1;
                case E -> b == '+' || b == '-' ? E_SIGN : digit ? EXPONENT : -1;
                case E_SIGN -> digit ? EXPONENT : -1;
                case EXPONENT -> digit ? EXPONENT_FULL : -1;
                default -> -1;
            };
            int limit = integer ? MAX_INTEGER_DIGITS : MAX_NUMBER;
            // A phase that cannot end needs one more byte: enter it only with room for that byte.
            if (next >= 0 && (accepting(next) ? length + 1 <= limit : length + 2 <= limit)) {
                return push(new Num(integer, next, length + 1), rest, depth);
            }
            return canEnd() ? pop(b, rest) : null;
        }

        @Override
        public boolean canEnd() {
            return accepting(phase);
        }

        private static boolean accepting(int phase) {
            return phase == ZERO || phase == DIGITS || phase == FRACTION || phase == EXPONENT
                    || phase == EXPONENT_FULL;
        }
    }

    /**
     * An object. Closed ones (properties given) offer only their unused keys, '}' only once every required key is
     * in, ',' only while a key is left; open ones take any keys with any values.
     */
    record Obj(JsonSchema schema, long used, int phase, JsonSchema valueSchema) implements Frame {
        static final int START = 0;
        static final int AFTER_KEY = 1;
        static final int AFTER_VALUE = 2;
        static final int AFTER_COMMA = 3;

        @Override
        public State step(int b, State rest, int depth) {
            Map<String, JsonSchema> props = schema.properties;
            switch (phase) {
                case START, AFTER_COMMA -> {
                    if (b == '}' && phase == START) {
                        return requiredDone() ? rest : null;
                    }
                    if (b != '"') {
                        return null;
                    }
                    if (props == null) {
                        // Any key: a string, then this object after a key whose value may be anything.
                        State after = push(new Obj(schema, used, AFTER_KEY, JsonSchema.ANY), rest, depth);
                        return push(new Str(0, Integer.MAX_VALUE), after, depth + 1);
                    }
                    return new Literals(unusedKeys(), 0, this).step(b, rest, depth);
                }
                case AFTER_KEY -> {
                    if (b != ':') {
                        return null;
                    }
                    State after = push(new Obj(schema, used, AFTER_VALUE, null), rest, depth);
                    return push(new Value(valueSchema), after, depth);
                }
                default -> {
                    if (b == '}') {
                        return requiredDone() ? rest : null;
                    }
                    if (b == ',' && (props == null || Long.bitCount(used) < props.size())) {
                        return push(new Obj(schema, used, AFTER_COMMA, null), rest, depth);
                    }
                    return null;
                }
            }
        }

        private boolean requiredDone() {
            if (schema.properties == null) {
                return true;
            }
            int i = 0;
            for (String name : schema.properties.keySet()) {
                if (schema.required.contains(name) && (used & (1L << i)) == 0) {
                    return false;
                }
                i++;
            }
            return true;
        }

        private byte[][] unusedKeys() {
            List<String> keys = new ArrayList<>();
            int i = 0;
            for (String name : schema.properties.keySet()) {
                if ((used & (1L << i)) == 0) {
                    keys.add(Json.write(name));
                }
                i++;
            }
            return bytesOf(keys);
        }

        /** This object after the key written as {@code key} (JSON, quotes included). */
        Obj afterKey(byte[] key) {
            int i = 0;
            for (Map.Entry<String, JsonSchema> e : schema.properties.entrySet()) {
                if (Arrays.equals(key, Json.write(e.getKey())
                        .getBytes(StandardCharsets.UTF_8))) {
                    return new Obj(schema, used | (1L << i), AFTER_KEY, e.getValue());
                }
                i++;
            }
            throw new IllegalStateException("matched a key the object does not have");
        }
    }

    /**
     * The start of an object whose first member picks the schema of the rest: one of several fixed prefixes
     * (e.g. {@code {"name":"get_weather","parameters":}), then a value of that prefix's schema, then '}'. This is a
     * tool call: its arguments' schema depends on the function named.
     */
    record Prefixed(byte[][] prefixes, JsonSchema[] then, int pos) implements Frame {
        private static final Literals CLOSE = new Literals(bytesOf(List.of("}")), 0, null);

        @Override
        public State step(int b, State rest, int depth) {
            List<byte[]> alive = new ArrayList<>();
            List<JsonSchema> schemas = new ArrayList<>();
            for (int i = 0; i < prefixes.length; i++) {
                byte[] p = prefixes[i];
                if (p.length > pos && (p[pos] & 0xFF) == b) {
                    if (p.length == pos + 1) {
                        State close = push(CLOSE, rest, depth);
                        return push(new Value(then[i]), close, depth + 1);
                    }
                    alive.add(p);
                    schemas.add(then[i]);
                }
            }
            return alive.isEmpty() ? null : push(new Prefixed(alive.toArray(new byte[0][]),
                    schemas.toArray(new JsonSchema[0]), pos + 1), rest, depth);
        }
    }

    /** A state for one object that starts with one of {@code prefixes} and goes on with the matching schema. */
    public static State startPrefixed(List<String> prefixes, List<JsonSchema> then) {
        State end = new State(End.INSTANCE, null, 0);
        return new State(new Prefixed(bytesOf(prefixes), then.toArray(new JsonSchema[0]), 0), end, 1);
    }

    /** An array of {@code count} items so far. */
    record Arr(JsonSchema schema, int phase, int count) implements Frame {
        static final int START = 0;
        static final int AFTER_VALUE = 1;
        static final int AFTER_COMMA = 2;

        @Override
        public State step(int b, State rest, int depth) {
            if (phase != AFTER_COMMA && b == ']') {
                return count >= schema.minItems ? rest : null;
            }
            if (phase == AFTER_VALUE) {
                return b == ',' && count < schema.maxItems ? push(new Arr(schema, AFTER_COMMA, count), rest, depth)
                        : null;
            }
            if (count >= schema.maxItems) {
                return null;
            }
            State after = push(new Arr(schema, AFTER_VALUE, count + 1), rest, depth);
            return JsonAutomaton.start(schema.items(), b, after, depth);
        }
    }
}
