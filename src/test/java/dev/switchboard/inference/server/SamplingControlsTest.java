package dev.switchboard.inference.server;

import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.TinyChatModel;
import dev.switchboard.inference.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.switchboard.inference.server.OpenAiServerTest.assertError;
import static dev.switchboard.inference.server.OpenAiServerTest.choice;
import static dev.switchboard.inference.server.OpenAiServerTest.events;
import static dev.switchboard.inference.server.OpenAiServerTest.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Penalties, logit bias, min_p and log-probabilities over HTTP, on the random-weight chat model. */
class SamplingControlsTest {
    static Engine engine;
    static OpenAiServer server;

    @BeforeAll
    static void start(@TempDir Path dir) {
        engine = Engine.load(EngineOptions.of(TinyChatModel.write(dir).toString()).withThreads(1));
        server = OpenAiServer.start(engine, "127.0.0.1", 0, null);
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    static String complete(String extra) throws Exception {
        OpenAiServerTest.Reply r = post(server, "/v1/completions", "{\"model\":\"" + TinyChatModel.NAME
                + "\",\"prompt\":\"Once upon\",\"max_tokens\":60,\"temperature\":0" + extra + "}");
        assertEquals(200, r.status(), r.body());
        return (String) choice(r.json()).get("text");
    }

    /** The most times any one character occurs. */
    static int maxRepeats(String text) {
        Map<Character, Integer> counts = new HashMap<>();
        text.chars().forEach(c -> counts.merge((char) c, 1, Integer::sum));
        return counts.values().stream().max(Integer::compare).orElse(0);
    }

    static long distinct(String text) {
        return text.chars().distinct().count();
    }

    @Test
    void penaltiesChangeGreedyOutputInTheExpectedDirection() throws Exception {
        String plain = complete("");
        String frequency = complete(",\"frequency_penalty\":2");
        String presence = complete(",\"presence_penalty\":2");
        String repetition = complete(",\"repetition_penalty\":1.8");
        String repeating = complete(",\"frequency_penalty\":-2");
        for (String penalised : List.of(frequency, presence, repetition)) {
            assertTrue(distinct(penalised) > distinct(plain), penalised + " vs " + plain);
        }
        // Penalties that grow with each occurrence also cut the longest run of one character; presence is a one-off
        // shift, so a loop over tokens that all have it may go on.
        for (String penalised : List.of(frequency, repetition)) {
            assertTrue(maxRepeats(penalised) < maxRepeats(plain), penalised + " vs " + plain);
        }
        assertTrue(maxRepeats(repeating) > maxRepeats(plain), repeating + " vs " + plain);
        assertTrue(distinct(repeating) < distinct(plain), repeating + " vs " + plain);
    }

    @Test
    void logitBiasForcesAndBansTokens() throws Exception {
        assertEquals("Z".repeat(60), complete(",\"logit_bias\":{\"90\":100}"));
        String plain = complete("");
        String banned = complete(",\"logit_bias\":{\"" + (int) plain.charAt(0) + "\":-100}");
        assertTrue(banned.indexOf(plain.charAt(0)) < 0, banned);
        String completion = "{\"model\":\"" + TinyChatModel.NAME + "\",\"prompt\":\"x\",\"logit_bias\":";
        assertError(post(server, "/v1/completions", completion + "{\"" + TinyChatModel.VOCAB + "\":1}}"), 400,
                "logit_bias", null);
        assertError(post(server, "/v1/completions", completion + "{\"a\":1}}"), 400, "logit_bias", null);
        assertError(post(server, "/v1/completions", completion + "{\"5\":101}}"), 400, "logit_bias", null);
    }

    @Test
    void aForcedBosCountsAsTokensButIsNoText() throws Exception {
        OpenAiServerTest.Reply r = post(server, "/v1/completions", "{\"model\":\"" + TinyChatModel.NAME
                + "\",\"prompt\":\"x\",\"max_tokens\":4,\"logit_bias\":{\"" + TinyChatModel.BOS + "\":100}}");
        assertEquals("", choice(r.json()).get("text"));
        assertEquals(4L, ((Map<?, ?>) r.json().get("usage")).get("completion_tokens"));
        r = post(server, "/v1/completions", "{\"model\":\"" + TinyChatModel.NAME + "\",\"prompt\":\"x\",\"max_tokens\":"
                + "2,\"skip_special_tokens\":false,\"logit_bias\":{\"" + TinyChatModel.BOS + "\":100}}");
        assertEquals("<|begin_of_text|><|begin_of_text|>", choice(r.json()).get("text"));
    }

    @Test
    void minPOfOneAtTemperatureOneIsGreedy() throws Exception {
        assertEquals(complete(""), complete(",\"temperature\":1,\"min_p\":1,\"seed\":3"));
        assertNotEquals(complete(""), complete(",\"temperature\":1,\"seed\":3"), "without min_p it samples");
    }

    @Test
    void penaltyRangesAreCheckedByName() throws Exception {
        String completion = "{\"model\":\"" + TinyChatModel.NAME + "\",\"prompt\":\"x\",";
        assertError(post(server, "/v1/completions", completion + "\"presence_penalty\":3}"), 400, "presence_penalty",
                null);
        assertError(post(server, "/v1/completions", completion + "\"frequency_penalty\":-2.5}"), 400,
                "frequency_penalty", null);
        assertError(post(server, "/v1/completions", completion + "\"repetition_penalty\":0}"), 400,
                "repetition_penalty", null);
        assertError(post(server, "/v1/completions", completion + "\"min_p\":1.5}"), 400, "min_p", null);
        assertError(post(server, "/v1/completions", completion + "\"logprobs\":21}"), 400, "logprobs", null);
        assertError(post(server, "/v1/chat/completions", OpenAiServerTest.chatBody(",\"top_logprobs\":2")), 400,
                "top_logprobs", null);
    }

    /** Checks chat's logprobs content: one entry per token, each <= 0, alternatives sorted, their mass <= 1. */
    static void checkChatLogprobs(List<?> content, int tokens, int top) {
        assertEquals(tokens, content.size());
        for (Object o : content) {
            Map<?, ?> entry = (Map<?, ?>) o;
            double logprob = ((Number) entry.get("logprob")).doubleValue();
            assertTrue(logprob <= 0, entry.toString());
            List<?> alternatives = (List<?>) entry.get("top_logprobs");
            assertEquals(top, alternatives.size());
            double previous = 0;
            double mass = 0;
            for (Object a : alternatives) {
                double lp = ((Number) ((Map<?, ?>) a).get("logprob")).doubleValue();
                assertTrue(lp <= previous, "sorted: " + alternatives);
                previous = lp;
                mass += Math.exp(lp);
            }
            assertTrue(mass <= 1 + 1e-6, "mass " + mass);
            // Greedy: the sampled token is the most likely one.
            assertEquals(((Map<?, ?>) alternatives.getFirst()).get("token"), entry.get("token"));
            assertEquals(logprob, ((Number) ((Map<?, ?>) alternatives.getFirst()).get("logprob")).doubleValue());
            List<?> bytes = (List<?>) entry.get("bytes");
            assertEquals(entry.get("token"), new String(toBytes(bytes)));
        }
    }

    private static byte[] toBytes(List<?> list) {
        byte[] b = new byte[list.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (long) (Long) list.get(i);
        }
        return b;
    }

    @Test
    void chatLogprobsWholeAndStreamed() throws Exception {
        OpenAiServerTest.Reply r = post(server, "/v1/chat/completions", OpenAiServerTest.chatBody(
                ",\"max_tokens\":8,\"temperature\":0,\"logprobs\":true,\"top_logprobs\":4"));
        assertEquals(200, r.status(), r.body());
        Map<?, ?> logprobs = (Map<?, ?>) choice(r.json()).get("logprobs");
        checkChatLogprobs((List<?>) logprobs.get("content"), 8, 4);
        StringBuilder text = new StringBuilder();
        for (Object e : (List<?>) logprobs.get("content")) {
            text.append(((Map<?, ?>) e).get("token"));
        }
        assertEquals(((Map<?, ?>) choice(r.json()).get("message")).get("content"), text.toString());

        OpenAiServerTest.Reply streamed = post(server, "/v1/chat/completions", OpenAiServerTest.chatBody(
                ",\"max_tokens\":8,\"temperature\":0,\"logprobs\":true,\"top_logprobs\":2,\"stream\":true"));
        List<Object> content = new java.util.ArrayList<>();
        for (Object e : events(streamed.body())) {
            if (e instanceof Map<?, ?> chunk && choice(chunk).get("logprobs") instanceof Map<?, ?> lp) {
                content.addAll((List<?>) lp.get("content"));
            }
        }
        checkChatLogprobs(content, 8, 2);

        OpenAiServerTest.Reply none = post(server, "/v1/chat/completions", OpenAiServerTest.chatBody(
                ",\"max_tokens\":2"));
        assertNull(choice(none.json()).get("logprobs"));
    }

    @Test
    void completionLogprobsHaveTheLegacyShape() throws Exception {
        OpenAiServerTest.Reply r = post(server, "/v1/completions", "{\"model\":\"" + TinyChatModel.NAME
                + "\",\"prompt\":\"Once\",\"max_tokens\":5,\"temperature\":0,\"logprobs\":3}");
        Map<?, ?> logprobs = (Map<?, ?>) choice(r.json()).get("logprobs");
        List<?> tokens = (List<?>) logprobs.get("tokens");
        assertEquals(choice(r.json()).get("text"), String.join("", tokens.stream().map(String.class::cast).toList()));
        assertEquals(5, ((List<?>) logprobs.get("token_logprobs")).size());
        List<?> tops = (List<?>) logprobs.get("top_logprobs");
        for (int i = 0; i < 5; i++) {
            Map<?, ?> top = (Map<?, ?>) tops.get(i);
            assertTrue(top.size() <= 3 && top.containsKey(tokens.get(i)), top.toString());
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), logprobs.get("text_offset"));
        assertTrue(Json.write(logprobs).contains("token_logprobs"));
    }

    @Test
    void logprobsEndWhereAStopStringEndedTheAnswer() throws Exception {
        // The loop picks a step ahead of the output side; the step after the stop string must not show up.
        String plain = (String) choice(post(server, "/v1/completions", "{\"model\":\"" + TinyChatModel.NAME
                + "\",\"prompt\":\"Once\",\"max_tokens\":8,\"temperature\":0}").json()).get("text");
        String stop = plain.substring(3, 4);
        OpenAiServerTest.Reply r = post(server, "/v1/completions", "{\"model\":\"" + TinyChatModel.NAME
                + "\",\"prompt\":\"Once\",\"max_tokens\":8,\"temperature\":0,\"logprobs\":1,\"stop\":"
                + Json.write(stop) + "}");
        assertEquals("stop", choice(r.json()).get("finish_reason"));
        long counted = (Long) ((Map<?, ?>) r.json().get("usage")).get("completion_tokens");
        assertTrue(counted < 8, "the stop string ended it early: " + counted);
        Map<?, ?> logprobs = (Map<?, ?>) choice(r.json()).get("logprobs");
        assertEquals(counted, ((List<?>) logprobs.get("token_logprobs")).size(), logprobs.toString());
    }

    @Test
    void responseFormatJsonSchemaConstrainsTheAnswer() throws Exception {
        String format = ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"w\",\"strict\":true,"
                + "\"schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":10},"
                + "\"days\":{\"type\":\"integer\"}},\"required\":[\"city\",\"days\"],\"additionalProperties\":false}}}";
        for (int seed = 1; seed <= 5; seed++) {
            OpenAiServerTest.Reply r = post(server, "/v1/chat/completions", OpenAiServerTest.chatBody(
                    ",\"max_tokens\":200,\"temperature\":1,\"seed\":" + seed + format));
            assertEquals(200, r.status(), r.body());
            String content = (String) ((Map<?, ?>) choice(r.json()).get("message")).get("content");
            Map<?, ?> value = (Map<?, ?>) Json.parse(content);
            assertEquals(List.of("city", "days"), value.keySet().stream().sorted().toList(), content);
            assertTrue(value.get("days") instanceof Long, content);
            assertEquals("stop", choice(r.json()).get("finish_reason"));
        }
        OpenAiServerTest.Reply object = post(server, "/v1/chat/completions", OpenAiServerTest.chatBody(
                ",\"max_tokens\":300,\"temperature\":1,\"seed\":9,\"response_format\":{\"type\":\"json_object\"}"));
        assertTrue(Json.parse((String) ((Map<?, ?>) choice(object.json()).get("message")).get("content"))
                instanceof Map<?, ?>);
        assertError(post(server, "/v1/chat/completions", OpenAiServerTest.chatBody(",\"response_format\":{\"type\":"
                + "\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"string\",\"pattern\":\"a+\"}}}")),
                400, "response_format", null);
        assertError(post(server, "/v1/chat/completions", OpenAiServerTest.chatBody(",\"response_format\":{\"type\":"
                + "\"yaml\"}")), 400, "response_format", null);
    }
}
