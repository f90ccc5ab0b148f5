package dev.switchboard.inference.structured;

import dev.switchboard.inference.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The automaton accepts exactly the compact texts of a schema: checked byte by byte on hand-picked texts. */
class JsonAutomatonTest {
    static final JsonSchema PERSON = JsonSchema.parse(Json.parse("""
            {"type":"object","properties":{
              "name":{"type":"string","minLength":1,"maxLength":5},
              "age":{"type":"integer"},
              "score":{"type":"number"},
              "tags":{"type":"array","items":{"type":"string","enum":["a","bc"]},"maxItems":2},
              "ok":{"type":["boolean","null"]},
              "size":{"enum":[1,12,"x"]},
              "meta":{"type":"object"}},
             "required":["name","age"],"additionalProperties":false}"""));

    /** Whether the whole text is accepted and complete. */
    static boolean accepts(JsonSchema schema, String text) {
        JsonAutomaton.State s = JsonAutomaton.step(JsonAutomaton.start(schema), text.getBytes(StandardCharsets.UTF_8));
        return s != null && JsonAutomaton.complete(s);
    }

    @Test
    void acceptsValidCompactTexts() {
        for (String ok : new String[] {
                "{\"name\":\"Ann\",\"age\":31}",
                "{\"age\":-0,\"name\":\"\\u00e9\\n\"}",
                "{\"name\":\"B\",\"age\":7,\"score\":-1.5e+3,\"tags\":[\"bc\",\"a\"],\"ok\":null,\"size\":12}",
                "{\"name\":\"B\",\"age\":7,\"size\":1,\"meta\":{\"k\":[1,{\"x\":true}],\"\":\"\"}}",
                "{\"name\":\"\u00e9\u00e9\u00e9\u00e9\u00e9\",\"age\":0,\"tags\":[],\"size\":\"x\"}"}) {
            assertTrue(accepts(PERSON, ok), ok);
            assertNull(PERSON.validate(Json.parse(ok)), ok);
        }
    }

    @Test
    void rejectsWhatTheSchemaOrJsonForbids() {
        for (String bad : new String[] {
                "{\"age\":31}", // name missing
                "{\"name\":\"Ann\",\"age\":31,\"x\":1}", // not a property
                "{\"name\":\"Ann\",\"name\":\"Bo\",\"age\":1}", // a key twice
                "{\"name\":\"\",\"age\":1}", // too short
                "{\"name\":\"Annabel\",\"age\":1}", // too long
                "{\"name\":\"A\",\"age\":1.5}", // not an integer
                "{\"name\":\"A\",\"age\":01}", // leading zero
                "{\"name\":\"A\",\"age\":1,\"tags\":[\"a\",\"a\",\"a\"]}", // maxItems
                "{\"name\":\"A\",\"age\":1,\"tags\":[\"b\"]}", // not in the enum
                "{\"name\":\"A\",\"age\":1,\"size\":2}",
                "{\"name\":\"A\", \"age\":1}", // whitespace: compact only
                "{\"name\":\"A\",\"age\":1}x",
                "{\"name\":\"A\nB\",\"age\":1}", // raw control character
                "{\"name\":\"A\\x\",\"age\":1}"}) { // bad escape
            assertFalse(accepts(PERSON, bad), bad);
        }
        assertFalse(accepts(PERSON, "{\"name\":\"A\",\"age\":1"), "incomplete");
    }

    @Test
    void aNumberIsCompleteButMayGoOn() {
        JsonSchema number = JsonSchema.parse(Json.parse("{\"type\":\"number\"}"));
        assertTrue(accepts(number, "12"));
        assertTrue(accepts(number, "12.5"));
        assertFalse(accepts(number, "12."));
        assertFalse(accepts(number, "-"));
        assertFalse(accepts(number, "1".repeat(JsonAutomaton.MAX_NUMBER + 1)), "numbers are bounded");
    }

    @Test
    void anyObjectTakesAnyMembersButNotOtherValues() {
        assertTrue(accepts(JsonSchema.ANY_OBJECT, "{\"a\":[1,2.5,\"x\",null,true,{}],\"b\":{\"c\":false}}"));
        assertFalse(accepts(JsonSchema.ANY_OBJECT, "[1]"));
        assertFalse(accepts(JsonSchema.ANY_OBJECT, "{\"a\":1,}"));
        assertFalse(accepts(JsonSchema.ANY_OBJECT, "{\"a\"}"));
    }

    @Test
    void unsupportedKeywordsAreRefusedByPath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonSchema.parse(Json.parse(
                "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":3}},"
                        + "\"additionalProperties\":false}")));
        assertTrue(e.getMessage().startsWith("schema.properties.n: keyword 'minimum'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> JsonSchema.parse(Json.parse(
                "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}")));
        assertTrue(e.getMessage().contains("additionalProperties"), e.getMessage());
        assertEquals("$.b: property 'b' is not allowed", PERSON.validate(Json.parse(
                "{\"name\":\"A\",\"age\":1,\"b\":2}")).replace("$: property", "$.b: property"));
    }

    @Test
    void aToolCallEnvelopeTakesOnlyKnownNamesWithTheirOwnArguments() {
        JsonSchema empty = JsonSchema.parse(Json.parse("{\"type\":\"object\",\"additionalProperties\":false}"));
        JsonAutomaton.State start = JsonAutomaton.startPrefixed(
                java.util.List.of("{\"name\":\"get\",\"parameters\":", "{\"name\":\"got_it\",\"parameters\":"),
                java.util.List.of(PERSON, empty));
        java.util.function.Predicate<String> ok = text -> {
            JsonAutomaton.State s = JsonAutomaton.step(start, text.getBytes(StandardCharsets.UTF_8));
            return s != null && JsonAutomaton.complete(s);
        };
        assertTrue(ok.test("{\"name\":\"get\",\"parameters\":{\"name\":\"A\",\"age\":1}}"));
        assertTrue(ok.test("{\"name\":\"got_it\",\"parameters\":{}}"));
        assertFalse(ok.test("{\"name\":\"got_it\",\"parameters\":{\"name\":\"A\",\"age\":1}}"));
        assertFalse(ok.test("{\"name\":\"gat\",\"parameters\":{}}"), "not a name");
        assertFalse(ok.test("{\"name\":\"got\",\"parameters\":{\"name\":\"A\",\"age\":1}}"), "a mix of two names");
        assertFalse(ok.test("{\"name\":\"get\",\"parameters\":{}}"), "get's required arguments are missing");
    }
}
