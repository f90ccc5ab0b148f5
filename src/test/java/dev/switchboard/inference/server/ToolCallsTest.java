package dev.switchboard.inference.server;

import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.TinyChatModel;
import dev.switchboard.inference.json.Json;
import dev.switchboard.inference.structured.JsonSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.switchboard.inference.server.OpenAiServerTest.assertError;
import static dev.switchboard.inference.server.OpenAiServerTest.choice;
import static dev.switchboard.inference.server.OpenAiServerTest.events;
import static dev.switchboard.inference.server.OpenAiServerTest.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Function calling over HTTP on the random-weight chat model: constrained calls are always valid calls. */
class ToolCallsTest {
    static Engine engine;
    static OpenAiServer server;
    static final String WEATHER = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":10},"
            + "\"unit\":{\"enum\":[\"C\",\"F\"]}},\"required\":[\"city\",\"unit\"],\"additionalProperties\":false}";
    static final String TOOLS = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"description\":\"Weather now\",\"parameters\":" + WEATHER + "}},{\"type\":\"function\",\"function\":"
            + "{\"name\":\"get_time\",\"parameters\":{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}}}]";

    @BeforeAll
    static void start(@TempDir Path dir) {
        // Tool descriptions are long in a byte-level vocabulary: a context that holds them.
        engine = Engine.load(EngineOptions.of(TinyChatModel.write(dir).toString()).withThreads(1)
                .withContextLength(4096));
        server = OpenAiServer.start(engine, "127.0.0.1", 0, null);
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    static Map<?, ?> call(String extra) throws Exception {
        OpenAiServerTest.Reply r = post(server, "/v1/chat/completions", OpenAiServerTest.chatBody(
                ",\"max_tokens\":120,\"temperature\":1" + TOOLS + extra));
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    @Test
    void aRequiredCallIsAlwaysAValidCallOfAKnownTool() throws Exception {
        JsonSchema weather = JsonSchema.parse(Json.parse(WEATHER));
        for (int seed = 1; seed <= 8; seed++) {
            Map<?, ?> choice = choice(call(",\"seed\":" + seed + ",\"tool_choice\":\"required\""));
            assertEquals("tool_calls", choice.get("finish_reason"), choice.toString());
            Map<?, ?> message = (Map<?, ?>) choice.get("message");
            assertNull(message.get("content"));
            Map<?, ?> call = (Map<?, ?>) ((List<?>) message.get("tool_calls")).getFirst();
            assertTrue(((String) call.get("id")).startsWith("call_"));
            assertEquals("function", call.get("type"));
            Map<?, ?> function = (Map<?, ?>) call.get("function");
            Object arguments = Json.parse((String) function.get("arguments"));
            if (function.get("name").equals("get_weather")) {
                assertNull(weather.validate(arguments), function.toString());
            } else {
                assertEquals("get_time", function.get("name"));
                assertEquals(Map.of(), arguments);
            }
        }
    }

    @Test
    void aNamedCallCallsThatFunctionAndStreamsAsOpenAiDoes() throws Exception {
        OpenAiServerTest.Reply r = post(server, "/v1/chat/completions", OpenAiServerTest.chatBody(
                ",\"max_tokens\":120,\"temperature\":1,\"seed\":4,\"stream\":true" + TOOLS
                        + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}"));
        List<Object> events = events(r.body());
        assertEquals("[DONE]", events.getLast());
        Map<?, ?> head = (Map<?, ?>) ((List<?>) ((Map<?, ?>) choice((Map<?, ?>) events.get(1)).get("delta"))
                .get("tool_calls")).getFirst();
        assertEquals(0L, head.get("index"));
        assertEquals("get_weather", ((Map<?, ?>) head.get("function")).get("name"));
        assertEquals("", ((Map<?, ?>) head.get("function")).get("arguments"));
        Map<?, ?> args = (Map<?, ?>) ((List<?>) ((Map<?, ?>) choice((Map<?, ?>) events.get(2)).get("delta"))
                .get("tool_calls")).getFirst();
        assertNull(JsonSchema.parse(Json.parse(WEATHER)).validate(Json.parse(
                (String) ((Map<?, ?>) args.get("function")).get("arguments"))));
        assertEquals("tool_calls", choice((Map<?, ?>) events.get(3)).get("finish_reason"));
    }

    @Test
    void aConversationWithCallsAndResultsIsRenderedAndAutoGivesText() throws Exception {
        String history = ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Oslo?\"},{\"role\":\"assistant\","
                + "\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":"
                + "\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\",\\\"unit\\\":\\\"C\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"4 degrees\"}]";
        OpenAiServerTest.Reply r = post(server, "/v1/chat/completions", "{\"model\":\"" + TinyChatModel.NAME + "\""
                + history + TOOLS + ",\"max_tokens\":6,\"temperature\":0}");
        assertEquals(200, r.status(), r.body());
        // The random model writes printable noise: with tool_choice auto that is text, not a call.
        Map<?, ?> choice = choice(r.json());
        assertEquals("length", choice.get("finish_reason"));
        assertTrue(((Map<?, ?>) choice.get("message")).get("content") instanceof String);
        assertTrue(((Number) ((Map<?, ?>) r.json().get("usage")).get("prompt_tokens")).intValue()
                > engine.encodeChat(List.of(new dev.switchboard.inference.tokenizer.ChatMessage("user",
                "Weather in Oslo?"))).length + 100, "the tool descriptions and the call are in the prompt");
    }

    @Test
    void autoTurnsAnAnswerThatIsACallIntoOne() {
        ToolCalls tools = new ToolCalls(Map.of("f", Map.of("name", "f")), ToolCalls.AUTO, true);
        List<ToolCalls.Call> calls = tools.parse(" {\"name\": \"f\", \"parameters\": {\"a\": 1}}\n{\"name\":\"f\","
                + "\"parameters\":{}}");
        assertEquals(2, calls.size());
        assertEquals("{\"a\":1}", calls.getFirst().arguments());
        assertEquals(List.of(), tools.parse("{\"name\":\"g\",\"parameters\":{}}"), "unknown function: text");
        assertEquals(List.of(), tools.parse("Sunny"));
        assertEquals(1, new ToolCalls(Map.of("f", Map.of()), ToolCalls.AUTO, false).parse(
                "{\"name\":\"f\",\"parameters\":{}};{\"name\":\"f\",\"parameters\":{}}").size());
    }

    @Test
    void badToolRequestsAreRefusedByName() throws Exception {
        assertError(post(server, "/v1/chat/completions", OpenAiServerTest.chatBody(TOOLS
                + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"nope\"}}")), 400, "tool_choice", null);
        assertError(post(server, "/v1/chat/completions", OpenAiServerTest.chatBody(",\"tools\":[{\"type\":\"x\"}]")),
                400, "tools[0]", null);
        assertError(post(server, "/v1/chat/completions", OpenAiServerTest.chatBody(",\"tool_choice\":\"required\"")),
                400, "tool_choice", null);
        assertError(post(server, "/v1/chat/completions", OpenAiServerTest.chatBody(",\"tools\":[{\"type\":\"function\","
                + "\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":"
                + "\"string\"}}}}}],\"tool_choice\":\"required\"")), 400, "tools", null);
    }
}
