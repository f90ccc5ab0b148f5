package dev.switchboard.inference.json;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    @Test
    void parsesAllValueTypes() {
        Object v = Json.parse(" {\"s\":\"x\",\"i\":-12,\"big\":123456789012345678901234,\"d\":1.5e2,"
                + "\"t\":true,\"f\":false,\"n\":null,\"a\":[1,[],{}]} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals("x", m.get("s"));
        assertEquals(-12L, m.get("i"));
        assertEquals(new BigInteger("123456789012345678901234"), m.get("big"));
        assertEquals(150.0, m.get("d"));
        assertEquals(true, m.get("t"));
        assertEquals(false, m.get("f"));
        assertTrue(m.containsKey("n"));
        assertNull(m.get("n"));
        assertEquals(List.of(1L, List.of(), Map.of()), m.get("a"));
        assertEquals(List.of("s", "i", "big", "d", "t", "f", "n", "a"), List.copyOf(m.keySet()), "order kept");
    }

    @Test
    void roundTripsNestedValues() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", "line1\nline2\t\"quoted\" \\ back");
        m.put("emoji", "smile \uD83D\uDE00 and \u00e9\u4e2d");
        m.put("list", List.of(1L, 2.25, "three", false));
        m.put("nested", Map.of("k", List.of(Map.of("z", -0.5))));
        m.put("none", null);
        String written = Json.write(m);
        assertEquals(m, Json.parse(written));
        assertEquals(written, Json.write(Json.parse(written)));
    }

    @Test
    void escapesControlCharactersAndLoneSurrogates() {
        assertEquals("\"a\\u0000b\\u001fc\\u007f\"", Json.write("a\u0000b\u001fc\u007f"));
        assertEquals("\"\\b\\f\\n\\r\\t\\\"\\\\/\"", Json.write("\b\f\n\r\t\"\\/"));
        // A valid pair stays as is (UTF-8 carries it); a lone surrogate has no UTF-8 form, so it is escaped.
        assertEquals("\"\uD83D\uDE00\"", Json.write("\uD83D\uDE00"));
        assertEquals("\"x\\ud83dy\"", Json.write("x\uD83Dy"));
        assertEquals("\"\\ude00\"", Json.write("\uDE00"));
    }

    @Test
    void decodesEscapesIncludingSurrogatePairs() {
        assertEquals("\uD83D\uDE00 \u00e9/\n", Json.parse("\"\\ud83d\\ude00 \\u00E9\\/\\n\""));
    }

    @Test
    void writesNumbersAndArrays() {
        assertEquals("[1,2,3]", Json.write(new int[] {1, 2, 3}));
        assertEquals("[0.7,2.0]", Json.write(new float[] {0.7f, 2f}));
        assertEquals("{\"a\":[7,\"x\"]}", Json.write(Map.of("a", new Object[] {7, "x"})));
        assertEquals("1.0E-7", Json.write(1e-7));
        assertEquals(1e-7, Json.parse(Json.write(1e-7)));
    }

    @Test
    void refusesWhatJsonCannotRepresent() {
        assertThrows(JsonException.class, () -> Json.write(Double.NaN));
        assertThrows(JsonException.class, () -> Json.write(Float.POSITIVE_INFINITY));
        assertThrows(JsonException.class, () -> Json.write(new Object()));
        assertThrows(JsonException.class, () -> Json.write(Map.of(1, "x")));
    }

    @Test
    void errorsGiveLineColumnAndOffset() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("{\n  \"a\": 1,\n  \"b\" 2\n}"));
        assertEquals(18, e.offset());
        assertTrue(e.getMessage().contains("line 3, column 7"), e.getMessage());
        assertTrue(e.getMessage().contains("expected ':'"), e.getMessage());
    }

    @Test
    void rejectsMalformedInput() {
        for (String bad : List.of("", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "1e", "tru", "\"abc",
                "\"a\nb\"", "\"\\x\"", "\"\\u12\"", "[1 2]", "{} x", "{'a':1}", "NaN", "1e999")) {
            JsonException e = assertThrows(JsonException.class, () -> Json.parse(bad), "should reject: " + bad);
            assertTrue(e.getMessage().startsWith("malformed JSON"), e.getMessage());
        }
    }

    @Test
    void rejectsNestingBeyondTheLimitWithoutStackOverflow() {
        char[] deep = new char[100_000];
        Arrays.fill(deep, '[');
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(new String(deep)));
        assertTrue(e.getMessage().contains("nesting"), e.getMessage());
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertEquals(ok, Json.write(Json.parse(ok)));
    }
}
