package dev.switchboard.inference.server;

import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.EngineStats;
import dev.switchboard.inference.TinyChatModel;
import dev.switchboard.inference.TokenListener;
import dev.switchboard.inference.json.Json;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.tokenizer.ChatMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OpenAI-compatible API over real HTTP, on a random-weight model with a Llama 3-style chat vocabulary. */
class OpenAiServerTest {
    static Engine engine;
    static OpenAiServer server;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start(@TempDir Path dir) {
        // A long context, so that a generation outlives the client that disconnects from it.
        engine = Engine.load(EngineOptions.of(TinyChatModel.write(dir).toString()).withThreads(1)
                .withContextLength(8192));
        server = OpenAiServer.start(engine, "127.0.0.1", 0, null);
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    record Reply(int status, String body) {
        Map<?, ?> json() {
            return (Map<?, ?>) Json.parse(body);
        }
    }

    static Reply post(OpenAiServer s, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (headers.length > 0) {
            b.headers(headers);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    static Reply get(OpenAiServer s, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    /** The JSON payloads of an event stream, in order; the final "[DONE]" kept as a string. */
    static List<Object> events(String body) {
        List<Object> out = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            assertTrue(event.startsWith("data: "), "not an SSE data event: " + event);
            String data = event.substring(6);
            out.add(data.equals("[DONE]") ? data : Json.parse(data));
        }
        return out;
    }

    static String chatBody(String extra) {
        return "{\"model\":\"" + TinyChatModel.NAME + "\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hello there\"}]" + extra + "}";
    }

    static final List<ChatMessage> MESSAGES = List.of(new ChatMessage("system", "Be brief."),
            new ChatMessage("user", "Hello there"));

    static String expectedChat(int maxTokens) {
        return engine.chat(MESSAGES, SamplingParams.greedy(maxTokens), TokenListener.IGNORE).text();
    }

    static Map<?, ?> choice(Map<?, ?> body) {
        return (Map<?, ?>) ((List<?>) body.get("choices")).getFirst();
    }

    @Test
    void chatCompletion() throws Exception {
        Reply r = post(server, "/v1/chat/completions", chatBody(",\"max_tokens\":12,\"temperature\":0"));
        assertEquals(200, r.status(), r.body());
        Map<?, ?> body = r.json();
        assertEquals("chat.completion", body.get("object"));
        assertTrue(((String) body.get("id")).startsWith("chatcmpl-"));
        assertEquals(TinyChatModel.NAME, body.get("model"));
        Map<?, ?> choice = choice(body);
        assertEquals(0L, choice.get("index"));
        assertEquals(Map.of("role", "assistant", "content", expectedChat(12)), choice.get("message"));
        assertEquals("length", choice.get("finish_reason"));
        long promptTokens = engine.encodeChat(MESSAGES).length;
        Map<?, ?> usage = (Map<?, ?>) body.get("usage");
        assertEquals(List.of(promptTokens, 12L, promptTokens + 12), List.of(usage.get("prompt_tokens"),
                usage.get("completion_tokens"), usage.get("total_tokens")));
    }

    @Test
    void usageCountsThePromptTokensThePrefixCacheHeld() throws Exception {
        // A prompt no other test sends, so that the first request finds nothing cached.
        String body = "{\"model\":\"" + TinyChatModel.NAME + "\",\"prompt\":\"" + System.nanoTime()
                + " cached tokens".repeat(12) + "\",\"max_tokens\":3}";
        Map<?, ?> first = usage(post(server, "/v1/completions", body));
        assertEquals(Map.of("cached_tokens", 0L), first.get("prompt_tokens_details"));
        long promptTokens = (Long) first.get("prompt_tokens");
        assertTrue(promptTokens > 32, "the prompt spans full blocks: " + promptTokens);
        // The second time, every full block before the prompt's last token comes from the cache.
        Map<?, ?> second = usage(post(server, "/v1/completions", body));
        assertEquals(Map.of("cached_tokens", (promptTokens - 1) / 16 * 16), second.get("prompt_tokens_details"));
        assertEquals(promptTokens, second.get("prompt_tokens"));
    }

    private static Map<?, ?> usage(Reply r) {
        assertEquals(200, r.status(), r.body());
        return (Map<?, ?>) r.json().get("usage");
    }

    @Test
    void streamedChatCompletion() throws Exception {
        Reply r = post(server, "/v1/chat/completions",
                chatBody(",\"max_completion_tokens\":9,\"temperature\":0,\"stream\":true,"
                        + "\"stream_options\":{\"include_usage\":true}"));
        assertEquals(200, r.status(), r.body());
        List<Object> events = events(r.body());
        assertEquals("[DONE]", events.getLast());
        List<Map<?, ?>> chunks = events.subList(0, events.size() - 1).stream().<Map<?, ?>>map(e -> (Map<?, ?>) e).toList();
        Object id = chunks.getFirst().get("id");
        StringBuilder text = new StringBuilder();
        for (Map<?, ?> c : chunks) {
            assertEquals("chat.completion.chunk", c.get("object"));
            assertEquals(id, c.get("id"), "one id for the whole stream");
            assertTrue(c.containsKey("usage"), "with include_usage every chunk has a usage field");
        }
        assertEquals(Map.of("role", "assistant", "content", ""), choice(chunks.getFirst()).get("delta"));
        for (Map<?, ?> c : chunks.subList(1, chunks.size() - 2)) {
            assertNull(choice(c).get("finish_reason"));
            assertNull(c.get("usage"));
            text.append(((Map<?, ?>) choice(c).get("delta")).get("content"));
        }
        assertEquals(expectedChat(9), text.toString());
        Map<?, ?> last = choice(chunks.get(chunks.size() - 2));
        assertEquals("length", last.get("finish_reason"));
        assertEquals(Map.of(), last.get("delta"));
        Map<?, ?> usage = chunks.getLast();
        assertEquals(List.of(), usage.get("choices"));
        assertEquals(9L, ((Map<?, ?>) usage.get("usage")).get("completion_tokens"));
    }

    /** What choice i of a request with this seed gives: a generation of its own with seed + i. */
    static String expectedChat(int maxTokens, long seed) {
        return engine.chat(MESSAGES, new SamplingParams(1f, 0, 1f, seed, maxTokens, List.of()), TokenListener.IGNORE)
                .text();
    }

    @Test
    void nChoicesEachSampleWithTheirOwnSeedWholeAndStreamed() throws Exception {
        Map<?, ?> body = post(server, "/v1/chat/completions", chatBody(",\"max_tokens\":8,\"n\":3,\"seed\":40"))
                .json();
        List<?> choices = (List<?>) body.get("choices");
        assertEquals(3, choices.size());
        for (int i = 0; i < 3; i++) {
            Map<?, ?> c = (Map<?, ?>) choices.get(i);
            assertEquals((long) i, c.get("index"));
            assertEquals(expectedChat(8, 40 + i), ((Map<?, ?>) c.get("message")).get("content"), "choice " + i);
        }
        Map<?, ?> usage = (Map<?, ?>) body.get("usage");
        long promptTokens = engine.encodeChat(MESSAGES).length;
        assertEquals(List.of(promptTokens, 24L, promptTokens + 24), List.of(usage.get("prompt_tokens"),
                usage.get("completion_tokens"), usage.get("total_tokens")), "the prompt counts once");

        Reply r = post(server, "/v1/completions", "{\"model\":\"" + TinyChatModel.NAME + "\",\"prompt\":\"Once upon\","
                + "\"max_tokens\":6,\"n\":2,\"seed\":9,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertEquals(200, r.status(), r.body());
        List<Object> events = events(r.body());
        StringBuilder[] texts = {new StringBuilder(), new StringBuilder()};
        int finished = 0;
        for (Object e : events.subList(0, events.size() - 2)) {
            Map<?, ?> c = choice((Map<?, ?>) e);
            texts[((Long) c.get("index")).intValue()].append(c.get("text"));
            finished += c.get("finish_reason") == null ? 0 : 1;
        }
        assertEquals(2, finished, "one finish chunk per choice");
        int[] prompt = engine.encodePrompt("Once upon");
        for (int i = 0; i < 2; i++) {
            assertEquals(engine.generate(prompt, new SamplingParams(1f, 0, 1f, 9L + i, 6, List.of()),
                    TokenListener.IGNORE).text(), texts[i].toString(), "choice " + i);
        }
        Map<?, ?> streamedUsage = (Map<?, ?>) ((Map<?, ?>) events.get(events.size() - 2)).get("usage");
        assertEquals(12L, streamedUsage.get("completion_tokens"));
    }

    @Test
    void streamWithoutUsageHasNoUsageChunk() throws Exception {
        Reply r = post(server, "/v1/chat/completions", chatBody(",\"max_tokens\":3,\"stream\":true,\"seed\":5"));
        List<Object> events = events(r.body());
        Map<?, ?> finish = (Map<?, ?>) events.get(events.size() - 2);
        assertEquals("length", choice(finish).get("finish_reason"));
        assertTrue(events.stream().noneMatch(e -> e instanceof Map<?, ?> m && m.containsKey("usage")));
    }

    @Test
    void textCompletionWholeAndStreamed() throws Exception {
        String expected = engine.generate(engine.encodePrompt("Once upon"), SamplingParams.greedy(10),
                TokenListener.IGNORE).text();
        String request = "{\"model\":\"" + TinyChatModel.NAME + "\",\"prompt\":\"Once upon\",\"max_tokens\":10,"
                + "\"temperature\":0";
        Reply whole = post(server, "/v1/completions", request + "}");
        assertEquals(200, whole.status(), whole.body());
        Map<?, ?> body = whole.json();
        assertEquals("text_completion", body.get("object"));
        assertTrue(((String) body.get("id")).startsWith("cmpl-"));
        assertEquals(expected, choice(body).get("text"));
        assertEquals("length", choice(body).get("finish_reason"));
        assertEquals((long) engine.encodePrompt("Once upon").length, ((Map<?, ?>) body.get("usage")).get("prompt_tokens"));

        Reply streamed = post(server, "/v1/completions", request + ",\"stream\":true}");
        List<Object> events = events(streamed.body());
        assertEquals("[DONE]", events.getLast());
        StringBuilder text = new StringBuilder();
        for (Object e : events.subList(0, events.size() - 2)) {
            assertEquals("text_completion", ((Map<?, ?>) e).get("object"));
            text.append(choice((Map<?, ?>) e).get("text"));
        }
        assertEquals(expected, text.toString());
        assertEquals("length", choice((Map<?, ?>) events.get(events.size() - 2)).get("finish_reason"));
    }

    @Test
    void aRequestCanAskForDraftingAndGetsTheSameText() throws Exception {
        String prompt = "Once upon a time, once upon a time, once upon";
        String expected = engine.generate(engine.encodePrompt(prompt), SamplingParams.greedy(16),
                TokenListener.IGNORE).text();
        String request = "{\"model\":\"" + TinyChatModel.NAME + "\",\"prompt\":\"" + prompt
                + "\",\"max_tokens\":16,\"temperature\":0,\"draft\":\"prompt\",\"draft_tokens\":4";
        long drafted = engine.stats().draftedTokens();
        Reply whole = post(server, "/v1/completions", request + "}");
        assertEquals(200, whole.status(), whole.body());
        assertEquals(expected, choice(whole.json()).get("text"));
        Reply streamed = post(server, "/v1/completions", request + ",\"stream\":true}");
        StringBuilder text = new StringBuilder();
        List<Object> events = events(streamed.body());
        for (Object e : events.subList(0, events.size() - 2)) {
            text.append(choice((Map<?, ?>) e).get("text"));
        }
        assertEquals(expected, text.toString());
        assertTrue(engine.stats().draftedTokens() > drafted, "the repeated prompt gives the drafter matches");

        assertError(post(server, "/v1/completions", request.replace("\"prompt\",\"draft_tokens", "\"model\",\"draft_tokens") + "}"),
                400, "draft", null);
        assertError(post(server, "/v1/completions", request.replace(":4", ":99") + "}"), 400, "draft_tokens", null);
    }

    @Test
    void aDraftCorpusThatHoldsTheAnswerIsDraftedFromAndChangesNothing() throws Exception {
        String prompt = "A question nobody asked before";
        String expected = engine.generate(engine.encodePrompt(prompt), SamplingParams.greedy(24),
                TokenListener.IGNORE).text();
        String request = "{\"model\":\"" + TinyChatModel.NAME + "\",\"prompt\":\"" + prompt
                + "\",\"max_tokens\":24,\"temperature\":0,\"draft\":\"suffix\",\"draft_corpus\":";
        long accepted = engine.stats().acceptedTokens();
        Reply reply = post(server, "/v1/completions", request + Json.write(List.of("unrelated words",
                prompt + expected)) + "}");
        assertEquals(200, reply.status(), reply.body());
        assertEquals(expected, choice(reply.json()).get("text"));
        assertTrue(engine.stats().acceptedTokens() > accepted, "the corpus holds the answer: drafts are accepted");

        assertError(post(server, "/v1/completions", request + "\"one string\"}"), 400, "draft_corpus", null);
        assertError(post(server, "/v1/completions", request + "[\"a\", 7]}"), 400, "draft_corpus", null);
        List<String> many = new ArrayList<>();
        for (int i = 0; i <= GenerationRequest.MAX_CORPUS_TEXTS; i++) {
            many.add("x");
        }
        assertError(post(server, "/v1/completions", request + Json.write(many) + "}"), 400, "draft_corpus", null);
        assertError(post(server, "/v1/completions", request + Json.write(List.of("y".repeat(
                GenerationRequest.MAX_CORPUS_CHARS + 1))) + "}"), 400, "draft_corpus", null);
    }

    @Test
    void stopStringsCutTheTextWholeAndStreamed() throws Exception {
        String free = expectedChat(24);
        String stop = free.substring(6, 9);
        String expected = free.substring(0, free.indexOf(stop));
        String stopJson = Json.write(List.of("never appears \u00e9", stop));
        Reply whole = post(server, "/v1/chat/completions", chatBody(",\"max_tokens\":24,\"temperature\":0,\"stop\":"
                + stopJson));
        Map<?, ?> choice = choice(whole.json());
        assertEquals(expected, ((Map<?, ?>) choice.get("message")).get("content"));
        assertEquals("stop", choice.get("finish_reason"));

        Reply streamed = post(server, "/v1/chat/completions", chatBody(",\"max_tokens\":24,\"temperature\":0,"
                + "\"stream\":true,\"stop\":" + Json.write(stop)));
        List<Object> events = events(streamed.body());
        StringBuilder text = new StringBuilder();
        for (Object e : events.subList(1, events.size() - 2)) {
            text.append(((Map<?, ?>) choice((Map<?, ?>) e).get("delta")).get("content"));
        }
        assertEquals(expected, text.toString());
        assertEquals("stop", choice((Map<?, ?>) events.get(events.size() - 2)).get("finish_reason"));
    }

    static void assertError(Reply r, int status, String param, String code) {
        assertEquals(status, r.status(), r.body());
        Map<?, ?> error = (Map<?, ?>) r.json().get("error");
        assertEquals(List.of("message", "type", "param", "code"), List.copyOf(error.keySet()));
        assertTrue(error.get("message") instanceof String m && !m.isBlank());
        assertEquals(param, error.get("param"), r.body());
        if (code != null) {
            assertEquals(code, error.get("code"), r.body());
        }
    }

    @Test
    void badRequestsGetOpenAiErrors() throws Exception {
        String messages = ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
        assertError(post(server, "/v1/chat/completions", "{\"model\":\"gpt-4\"" + messages + "}"),
                404, "model", "model_not_found");
        assertError(post(server, "/v1/chat/completions", chatBody(",\"max_tokens\":-3")), 400, "max_tokens", null);
        assertError(post(server, "/v1/chat/completions", chatBody(",\"max_completion_tokens\":0")),
                400, "max_completion_tokens", null);
        assertError(post(server, "/v1/chat/completions", chatBody(",\"temperature\":2.5")), 400, "temperature", null);
        assertError(post(server, "/v1/chat/completions", chatBody(",\"temperature\":\"hot\"")), 400, "temperature",
                null);
        assertError(post(server, "/v1/chat/completions", chatBody(",\"top_p\":0")), 400, "top_p", null);
        assertError(post(server, "/v1/chat/completions", chatBody(",\"n\":0")), 400, "n", null);
        assertError(post(server, "/v1/chat/completions", chatBody(",\"n\":129")), 400, "n", null);
        assertError(post(server, "/v1/chat/completions", chatBody(",\"stop\":[1]")), 400, "stop", null);
        assertError(post(server, "/v1/chat/completions", "{\"model\":\"" + TinyChatModel.NAME + "\"}"),
                400, "messages", null);
        assertError(post(server, "/v1/chat/completions", "{\"model\":\"" + TinyChatModel.NAME
                + "\",\"messages\":[{\"role\":\"function\",\"content\":\"x\"}]}"), 400, "messages[0].role", null);
        assertError(post(server, "/v1/chat/completions", "{\"messages\":[]"), 400, null, "invalid_json");
        assertError(post(server, "/v1/chat/completions", "[1,2]"), 400, null, null);
        assertError(post(server, "/v1/completions", "{\"model\":\"" + TinyChatModel.NAME + "\"}"), 400, "prompt", null);
        assertError(post(server, "/v1/completions", "{\"model\":\"" + TinyChatModel.NAME + "\",\"prompt\":\""
                + "x".repeat(9000) + "\"}"), 400, "prompt", "context_length_exceeded");
        assertError(post(server, "/v1/embeddings", "{}"), 404, null, "not_found");
        assertError(get(server, "/v1/chat/completions"), 405, null, "method_not_allowed");
    }

    @Test
    void concurrentStreamsAreBatchedAndEachGetsItsOwnText() throws Exception {
        List<String> prompts = List.of("Alpha", "Bravo charlie", "Delta echo foxtrot", "Golf", "Hotel india");
        List<String> expected = new ArrayList<>();
        for (String p : prompts) {
            expected.add(engine.generate(engine.encodePrompt(p), SamplingParams.greedy(24), TokenListener.IGNORE)
                    .text());
        }
        long steps = engine.stats().steps();
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (String p : prompts) {
            String body = Json.write(Map.of("model", TinyChatModel.NAME, "prompt", p, "max_tokens", 24,
                    "temperature", 0, "stream", true));
            replies.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/v1/completions")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < prompts.size(); i++) {
            HttpResponse<String> r = replies.get(i).get();
            assertEquals(200, r.statusCode(), r.body());
            StringBuilder text = new StringBuilder();
            for (Object e : events(r.body())) {
                if (e instanceof Map<?, ?> chunk) {
                    text.append(choice(chunk).get("text"));
                }
            }
            assertEquals(expected.get(i), text.toString(), prompts.get(i));
        }
        assertTrue(engine.stats().steps() > steps);
    }

    @Test
    void metricsAreServedInPrometheusTextFormat() throws Exception {
        assertEquals(200, post(server, "/v1/completions", "{\"model\":\"" + TinyChatModel.NAME
                + "\",\"prompt\":\"Count\",\"max_tokens\":5,\"temperature\":0}").status());
        EngineStats s = engine.stats();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        String label = "{model=\"" + TinyChatModel.NAME + "\"";
        List<String> lines = r.body().lines().toList();
        // Other tests may run generations in between: counters only grow.
        long generations = Long.parseLong(value(lines, "switchboard_engine_generations_total" + label + "}"));
        assertTrue(generations >= s.generations() && s.generations() > 0, r.body());
        assertTrue(lines.contains("# TYPE switchboard_engine_time_to_first_token_seconds histogram"), r.body());
        long ttftCount = Long.parseLong(value(lines, "switchboard_engine_time_to_first_token_seconds_count" + label
                + "}"));
        assertEquals(value(lines, "switchboard_engine_time_to_first_token_seconds_bucket" + label + ",le=\"+Inf\"}"),
                Long.toString(ttftCount));
        assertTrue(ttftCount >= s.generations() - s.cancelled() - 1, "a first token per finished generation");
        assertEquals(Integer.toString(s.kvBlocksTotal()), value(lines, "switchboard_engine_kv_blocks_total" + label
                + "}"));
    }

    private static String value(List<String> lines, String series) {
        return lines.stream().filter(l -> l.startsWith(series + " ")).findFirst()
                .orElseThrow(() -> new AssertionError(series + " missing in " + lines))
                .substring(series.length() + 1);
    }

    @Test
    void aClientThatDisconnectsStopsItsGeneration() throws Exception {
        assertDisconnectCancels("Tell me everything", ",\"stream\":true", in -> {
            int events = 0;
            for (String line = in.readLine(); line != null && events < 3; line = in.readLine()) {
                if (line.startsWith("data: {")) {
                    events++;
                }
            }
            assertEquals(3, events, "the stream started");
        });
    }

    @Test
    void aNonStreamingClientThatDisconnectsStopsItsGeneration() throws Exception {
        assertDisconnectCancels("Tell me all of it", "",
                in -> assertEquals("HTTP/1.1 200 OK", in.readLine(), "the response started with heartbeat spaces"));
    }

    private interface ResponseStart {
        void await(BufferedReader in) throws Exception;
    }

    /**
     * Posts a completion on a raw socket, waits until {@code started} saw the response begin, closes the socket (the
     * disconnect), and asserts the generation ended as cancelled before it used its room.
     */
    private static void assertDisconnectCancels(String prompt, String extraFields, ResponseStart started)
            throws Exception {
        EngineStats before = engine.stats();
        String body = "{\"model\":\"" + TinyChatModel.NAME + "\",\"prompt\":\"" + prompt + "\"" + extraFields + "}";
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            started.await(new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)));
        } // closing the socket is the disconnect
        EngineStats after = awaitGenerations(before.generations() + 1);
        assertEquals(before.cancelled() + 1, after.cancelled(), "the generation ended as cancelled");
        long generated = after.completionTokens() - before.completionTokens();
        int room = engine.config().contextLength() - engine.encodePrompt(prompt).length;
        assertTrue(generated < room, "generated " + generated + " of the " + room + " tokens it had room for");
    }

    @Test
    void aSlowNonStreamedAnswerIsStillOneJsonDocument() throws Exception {
        // 600 tokens outlast the heartbeat delay on this model: the body is spaces, then the completion.
        Reply r = post(server, "/v1/completions", "{\"model\":\"" + TinyChatModel.NAME
                + "\",\"prompt\":\"Go on\",\"max_tokens\":600,\"temperature\":0}");
        assertEquals(200, r.status(), r.body());
        assertEquals(engine.generate(engine.encodePrompt("Go on"), SamplingParams.greedy(600), TokenListener.IGNORE)
                .text(), choice(r.json()).get("text"));
    }

    @Test
    void parametersThatAreNotHonouredAreRefusedByName() throws Exception {
        assertError(post(server, "/v1/chat/completions", chatBody(",\"functions\":[]")), 400, "functions",
                "unsupported_parameter");
        assertError(post(server, "/v1/chat/completions", chatBody(",\"echo\":true")), 400, "echo",
                "unsupported_parameter");
        String completion = "{\"model\":\"" + TinyChatModel.NAME + "\",\"prompt\":\"x\"";
        assertError(post(server, "/v1/completions", completion + ",\"best_of\":3}"), 400, "best_of", null);
        assertError(post(server, "/v1/completions", completion + ",\"suffix\":\"end\"}"), 400, "suffix", null);
        assertError(post(server, "/v1/completions", completion + ",\"messages\":[]}"), 400, "messages",
                "unsupported_parameter");
        // Defaults are honoured by doing nothing: a client that spells them out is served.
        assertEquals(200, post(server, "/v1/completions", completion + ",\"best_of\":1,\"echo\":false,"
                + "\"max_tokens\":2,\"user\":\"u-1\"}").status());
    }

    @Test
    void maxTokensBeyondTheContextIsRefusedByName() throws Exception {
        int context = engine.config().contextLength();
        assertError(post(server, "/v1/chat/completions", chatBody(",\"max_tokens\":" + context)), 400, "max_tokens",
                "context_length_exceeded");
        assertError(post(server, "/v1/chat/completions", chatBody(",\"max_completion_tokens\":" + context)), 400,
                "max_completion_tokens", "context_length_exceeded");
        int room = context - engine.encodeChat(MESSAGES).length;
        assertEquals(200, post(server, "/v1/chat/completions", chatBody(",\"max_tokens\":" + room
                + ",\"stop\":\"e\",\"temperature\":0")).status(), "exactly the room left is fine");
    }

    /** Waits (without any timing assertion) until the engine has finished {@code n} generations. */
    static EngineStats awaitGenerations(long n) throws InterruptedException {
        for (int i = 0; i < 6000; i++) {
            EngineStats s = engine.stats();
            if (s.generations() >= n) {
                return s;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the generation did not end within a minute");
    }

    @Test
    void tokenizeAndDetokenizeRoundTrip() throws Exception {
        String text = "Hello world \u00e9\uD83D\uDE00 <|eot_id|>";
        Reply plain = post(server, "/tokenize", Json.write(Map.of("content", text, "add_special", true,
                "parse_special", false)));
        assertEquals(200, plain.status(), plain.body());
        List<?> tokens = (List<?>) plain.json().get("tokens");
        assertEquals((long) TinyChatModel.BOS, tokens.getFirst());
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length + 1, tokens.size(), "byte tokens plus BOS");
        Reply back = post(server, "/detokenize", Json.write(Map.of("tokens", tokens.subList(1, tokens.size()))));
        assertEquals(Map.of("content", text), back.json());

        Reply special = post(server, "/tokenize", Json.write(Map.of("content", "<|eot_id|>")));
        assertEquals(List.of((long) engine.tokenizer().specialToken("<|eot_id|>")), special.json().get("tokens"),
                "special tokens are parsed by default (as llama.cpp does); no BOS without add_special");
        assertError(post(server, "/detokenize", "{\"tokens\":[1,99999]}"), 400, "tokens", null);
    }

    @Test
    void modelsAndHealth() throws Exception {
        Reply models = get(server, "/v1/models");
        assertEquals(200, models.status());
        assertEquals("list", models.json().get("object"));
        Map<?, ?> model = (Map<?, ?>) ((List<?>) models.json().get("data")).getFirst();
        assertEquals(TinyChatModel.NAME, model.get("id"));
        assertEquals("model", model.get("object"));
        assertEquals(TinyChatModel.NAME, get(server, "/v1/models/" + TinyChatModel.NAME).json().get("id"));
        assertError(get(server, "/v1/models/other"), 404, "model", "model_not_found");
        assertEquals(Map.of("status", "ok"), get(server, "/health").json());
    }

    @Test
    void anApiKeyIsRequiredWhenConfigured() throws Exception {
        try (OpenAiServer secured = OpenAiServer.start(engine, "127.0.0.1", 0, "s3cret")) {
            assertError(get(secured, "/v1/models"), 401, null, "invalid_api_key");
            assertError(get(secured, "/v1/models", "Authorization", "Bearer wrong"), 401, null, "invalid_api_key");
            assertEquals(200, get(secured, "/v1/models", "Authorization", "Bearer s3cret").status());
            assertEquals(200, get(secured, "/health").status(), "health checks need no key");
        }
    }

    @Test
    void chatOnAModelWithoutChatVocabularyIsABadRequest() throws Exception {
        try (Engine bytes = Engine.load(EngineOptions.of("synthetic:tiny").withContextLength(64).withThreads(1));
             OpenAiServer s = OpenAiServer.start(bytes, "127.0.0.1", 0, null)) {
            Reply r = post(s, "/v1/chat/completions", "{\"model\":\"" + bytes.modelName()
                    + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertError(r, 400, "messages", null);
            assertTrue(r.body().contains("no chat vocabulary"), r.body());
        }
    }
}
