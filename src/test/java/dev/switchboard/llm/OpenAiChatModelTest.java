package dev.switchboard.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.llm.ChatResult.FinishReason;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiChatModelTest {

    private static final List<ChatMessage> MESSAGES =
            List.of(ChatMessage.system("Be brief."), ChatMessage.user("Where is my parcel?"));
    private static final ChatOptions OPTIONS = new ChatOptions(64, 0.2);

    private static FakeOpenAiServer server;
    private OpenAiChatModel model;
    private final List<String> deltas = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServer() {
        server = FakeOpenAiServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void setUp() {
        server.reset();
        model = model(server.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown() {
        model.close();
    }

    private static OpenAiChatModel model(URI url, Duration firstToken, Duration total) {
        return new OpenAiChatModel(new OpenAiChatModel.Settings(url, "llama-test", Optional.of("sk-test"),
                Duration.ofSeconds(2), firstToken, total));
    }

    private ChatResult run() {
        return model.stream(MESSAGES, OPTIONS, deltas::add).await();
    }

    @Test
    void streamsDeltasInOrderAndReturnsTheWholeAnswerWithUsage() throws Exception {
        server.enqueue(FakeOpenAiServer.answer("Your parcel", " ships", " today."));

        ChatResult result = run();

        assertEquals(List.of("Your parcel", " ships", " today."), deltas);
        assertEquals("Your parcel ships today.", result.text());
        assertEquals(FinishReason.STOP, result.finishReason());
        assertEquals(new ChatResult.Usage(11, 3), result.usage());
        assertEquals("llama-test", model.modelName());
    }

    @Test
    void sendsAStreamingRequestInOpenAisShapeWithTheApiKey() throws Exception {
        run();

        JsonNode request = server.takeRequest();
        assertEquals("llama-test", request.path("model").asText());
        assertTrue(request.path("stream").asBoolean());
        assertTrue(request.path("stream_options").path("include_usage").asBoolean());
        assertEquals(64, request.path("max_tokens").asInt());
        assertEquals(0.2, request.path("temperature").asDouble());
        assertEquals("system", request.path("messages").get(0).path("role").asText());
        assertEquals("Be brief.", request.path("messages").get(0).path("content").asText());
        assertEquals("user", request.path("messages").get(1).path("role").asText());
        assertEquals(List.of("Bearer sk-test"), server.authorizations());
    }

    @Test
    void deliversEachDeltaAsItArrivesAndCancelDropsTheConnection() throws Exception {
        server.enqueue(FakeOpenAiServer.answer("first", " second", " third")
                .slow(Duration.ZERO, Duration.ofSeconds(30)));
        CountDownLatch first = new CountDownLatch(1);

        ChatStream stream = model.stream(MESSAGES, OPTIONS, d -> {
            deltas.add(d);
            first.countDown();
        });
        // The server holds the second chunk for 30 s: the first delta can only come from incremental reading.
        assertTrue(first.await(10, TimeUnit.SECONDS), "first delta not delivered while the stream was open");
        stream.cancel();
        ChatResult result = stream.await();

        assertEquals(FinishReason.CANCELLED, result.finishReason());
        assertEquals("first", result.text());
        assertEquals(1, server.awaitAbortedStream(), "the server should see the dropped connection");
        assertEquals(List.of("first"), deltas);
    }

    @Test
    void parsesCommentsMultiLineDataEventTypesCrLfAndAMissingFinalBlankLine() {
        String chunkStart = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",";
        server.enqueue(new FakeOpenAiServer.Raw(": keep-alive\r\n\r\n"
                + "event: message\r\ndata: " + chunkStart + "\r\n"
                + "data: \"choices\":[{\"index\":0,\"delta\":{\"content\":\"multi\"},\"finish_reason\":null}]}\r\n\r\n"
                + "data:" + chunkStart + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"-line\"},"
                + "\"finish_reason\":\"length\"}]}\n\n"
                + "data: [DONE]"));

        ChatResult result = run();

        assertEquals(List.of("multi", "-line"), deltas);
        assertEquals("multi-line", result.text());
        assertEquals(FinishReason.LENGTH, result.finishReason());
        assertEquals(ChatResult.Usage.UNKNOWN, result.usage());
    }

    @Test
    void aServerErrorStatusFailsWithItsMessage() {
        server.enqueue(new FakeOpenAiServer.Status(500,
                "{\"error\":{\"message\":\"CUDA out of memory\",\"type\":\"server_error\",\"code\":null}}"));

        ChatModelException e = assertThrows(ChatModelException.class, this::run);

        assertTrue(e.getMessage().contains("HTTP 500: CUDA out of memory"), e.getMessage());
    }

    @Test
    void aRejectedApiKeyFailsNamingTheSetting() {
        server.enqueue(new FakeOpenAiServer.Status(401, "{\"error\":{\"message\":\"Incorrect API key provided\","
                + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"));

        ChatModelException e = assertThrows(ChatModelException.class, this::run);

        assertTrue(e.getMessage().contains("HTTP 401: Incorrect API key provided"), e.getMessage());
        assertTrue(e.getMessage().contains("switchboard.inference.api-key"), e.getMessage());
    }

    @Test
    void aMalformedChunkFailsQuotingIt() {
        server.enqueue(new FakeOpenAiServer.Raw("data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\n"
                + "data: {not json\n\n"));

        ChatModelException e = assertThrows(ChatModelException.class, this::run);

        assertTrue(e.getMessage().contains("malformed chunk") && e.getMessage().contains("{not json"),
                e.getMessage());
        assertEquals(List.of("ok"), deltas);
    }

    @Test
    void anErrorObjectInsideTheStreamFails() {
        server.enqueue(new FakeOpenAiServer.Raw("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
                + "data: {\"error\":{\"message\":\"engine stopped\"}}\n\n"));

        ChatModelException e = assertThrows(ChatModelException.class, this::run);

        assertTrue(e.getMessage().contains("failed mid-answer: engine stopped"), e.getMessage());
    }

    @Test
    void aStreamThatEndsMidAnswerFailsAfterDeliveringWhatCame() {
        server.enqueue(FakeOpenAiServer.answer("one", " two", " three").disconnectAfter(2));

        ChatModelException e = assertThrows(ChatModelException.class, this::run);

        assertTrue(e.getMessage().contains("ended before the answer was complete"), e.getMessage());
        assertEquals(List.of("one", " two"), deltas);
    }

    @Test
    void noFirstTokenWithinTheTimeoutFailsAndDropsTheConnection() throws Exception {
        model.close();
        model = model(server.baseUrl(), Duration.ofMillis(300), Duration.ofSeconds(10));
        server.enqueue(FakeOpenAiServer.answer("late").slow(Duration.ofSeconds(3), Duration.ZERO));

        ChatModelException e = assertThrows(ChatModelException.class, this::run);

        assertTrue(e.getMessage().contains("first-token timeout"), e.getMessage());
        assertEquals(0, server.awaitAbortedStream());
        assertTrue(deltas.isEmpty());
    }

    @Test
    void anAnswerOutlastingTheTotalTimeoutFails() {
        model.close();
        model = model(server.baseUrl(), Duration.ofSeconds(5), Duration.ofMillis(500));
        server.enqueue(FakeOpenAiServer.answer("a", "b", "c").slow(Duration.ZERO, Duration.ofSeconds(3)));

        ChatModelException e = assertThrows(ChatModelException.class, this::run);

        assertTrue(e.getMessage().contains("total timeout"), e.getMessage());
        assertEquals(List.of("a"), deltas);
    }

    @Test
    void anUnreachableServerFails() throws IOException {
        int freePort;
        try (ServerSocket s = new ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        model.close();
        model = model(URI.create("http://127.0.0.1:" + freePort + "/v1"), Duration.ofSeconds(5),
                Duration.ofSeconds(10));

        ChatModelException e = assertThrows(ChatModelException.class, this::run);

        assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
    }

    @Test
    void settingsRejectAnUnusableUrlOrModel() {
        Duration s = Duration.ofSeconds(1);
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class, () ->
                new OpenAiChatModel.Settings(URI.create("ftp://x/v1"), "m", Optional.empty(), s, s, s));
        assertTrue(scheme.getMessage().contains("ftp://x/v1"), scheme.getMessage());
        assertThrows(IllegalArgumentException.class, () ->
                new OpenAiChatModel.Settings(URI.create("http://x/v1"), " ", Optional.empty(), s, s, s));
    }
}
