package dev.switchboard.bot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.CustomerMessagePosted;
import dev.switchboard.llm.ChatModelProvider;
import dev.switchboard.llm.FakeOpenAiResource;
import dev.switchboard.llm.FakeOpenAiServer;
import dev.switchboard.llm.OpenAiChatModel;
import dev.switchboard.llm.SseEventReader;
import dev.switchboard.workspace.WorkspaceService;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bot pipeline end to end: REST in, real PostgreSQL, the local OpenAI-protocol server as the model. */
@QuarkusTest
@QuarkusTestResource(FakeOpenAiResource.class)
class BotPipelineTest {

    private static final String FAQ_QUESTION = "What is your return policy?";
    private static final String FAQ_ANSWER = "You can return any item within 30 days for a full refund.";
    private static final String OTHER_QUESTION = "Do you ship to Canada?";

    @FakeOpenAiResource.Inject
    FakeOpenAiServer model;

    @Inject
    WorkspaceService workspaces;

    @Inject
    ConversationService conversations;

    @Inject
    CustomerMessageConsumer consumer;

    @TestHTTPResource("/")
    URI baseUri;

    private String apiKey;
    private UUID workspaceId;
    private String faqId;

    @BeforeEach
    void setUp() {
        model.reset();
        WorkspaceService.Created created = workspaces.create("Bot test " + UUID.randomUUID(), List.of());
        apiKey = created.apiKey();
        workspaceId = created.workspace().id;
        faqId = createFaq(FAQ_QUESTION, FAQ_ANSWER);
        createFaq("How long does delivery take?", "Orders arrive within 3 to 5 business days.");
    }

    @Test
    void anFaqQuestionGetsTheFaqAnswerAtOnceAndCountsTheHit() {
        String conversation = startConversation();
        post(conversation, FAQ_QUESTION);

        Map<String, Object> answer = awaitMessages(conversation, 2).get(1);

        assertEquals("bot", answer.get("role"));
        assertEquals(FAQ_ANSWER, answer.get("content"));
        assertEquals(Map.of("type", "faq", "faqId", faqId), answer.get("source"));
        assertEquals(1, faqHits(faqId));
        assertTrue(model.requests().isEmpty(), "an FAQ answer needs no model call");
    }

    @Test
    void aRedeliveredMessageIsNotAnsweredTwice() {
        String conversation = startConversation();
        post(conversation, FAQ_QUESTION);
        List<Map<String, Object>> before = awaitMessages(conversation, 2);

        consumer.onCustomerMessage(new CustomerMessagePosted(workspaceId, UUID.fromString(conversation),
                UUID.fromString((String) before.get(0).get("id"))));
        awaitIdle();

        assertEquals(2, messages(conversation).size());
        assertEquals(1, faqHits(faqId));
    }

    @Test
    void anotherQuestionIsAnsweredByTheModelStreamedThenStored() throws Exception {
        model.enqueue(FakeOpenAiServer.answer("We ship", " to Canada", " in 7 days."));
        String conversation = startConversation();
        try (EventRecorder events = EventRecorder.open(baseUri, conversation, apiKey)) {
            post(conversation, OTHER_QUESTION);
            Map<String, Object> answer = awaitMessages(conversation, 2).get(1);
            await(() -> events.names().contains("message.created:bot"), "the message.created event of the answer");

            assertEquals("We ship to Canada in 7 days.", answer.get("content"));
            assertEquals(Map.of("type", "model", "model", FakeOpenAiResource.MODEL), answer.get("source"));
            List<String> names = events.names();
            int firstDelta = names.indexOf("bot.delta");
            assertTrue(firstDelta > names.indexOf("typing"), "typing comes before the first delta: " + names);
            assertTrue(firstDelta < names.indexOf("message.created:bot"), "deltas come first: " + names);
            assertEquals("We ship to Canada in 7 days.", events.deltaText());
        }
        String system = model.takeRequest().path("messages").get(0).path("content").asText();
        assertTrue(system.contains(FAQ_ANSWER), "the prompt is grounded in the FAQ: " + system);
        assertTrue(system.contains(HandoffMarkerFilter.MARKER), system);
    }

    @Test
    void aMessageSentDuringAnAnswerIsAnsweredOnceWithBothInContext() throws Exception {
        String[] words = new String[10];
        java.util.Arrays.fill(words, " word");
        model.enqueue(FakeOpenAiServer.answer(words).slow(Duration.ZERO, Duration.ofMillis(100)));
        model.enqueue(FakeOpenAiServer.answer("We ship to both."));
        String conversation = startConversation();
        post(conversation, OTHER_QUESTION);
        model.takeRequest(); // the first answer is being generated

        post(conversation, "And to Mexico?");
        List<Map<String, Object>> messages = awaitMessages(conversation, 3);

        assertEquals(3, messages.size(), "one answer, after both questions: " + messages);
        assertEquals("We ship to both.", messages.get(2).get("content"));
        var prompt = model.takeRequest().path("messages");
        assertEquals(OTHER_QUESTION, prompt.get(prompt.size() - 2).path("content").asText());
        assertEquals("And to Mexico?", prompt.get(prompt.size() - 1).path("content").asText());
    }

    @Test
    void aRepeatedQuestionGetsTheCachedAnswerUntilTheFaqChanges() {
        model.enqueue(FakeOpenAiServer.answer("Yes, we ship to Canada."));
        String first = startConversation();
        post(first, OTHER_QUESTION);
        awaitMessages(first, 2);
        assertEquals(1, model.requests().size());

        String second = startConversation();
        post(second, OTHER_QUESTION);
        Map<String, Object> cached = awaitMessages(second, 2).get(1);

        assertEquals("Yes, we ship to Canada.", cached.get("content"));
        assertEquals(Map.of("type", "model", "model", FakeOpenAiResource.MODEL), cached.get("source"));
        assertEquals(1, model.requests().size(), "the cached answer needs no model call");

        given().auth().oauth2(apiKey).contentType(ContentType.JSON)
                .body(Map.of("question", FAQ_QUESTION, "answer", "Returns are free within 60 days."))
                .put("/api/v1/faqs/" + faqId).then().statusCode(200);
        model.enqueue(FakeOpenAiServer.answer("We ship to Canada again."));
        String third = startConversation();
        post(third, OTHER_QUESTION);

        assertEquals("We ship to Canada again.", awaitMessages(third, 2).get(1).get("content"));
        assertEquals(2, model.requests().size(), "an FAQ edit drops the cached answers");
    }

    @Test
    void askingForAHumanHandsOffWithANotice() {
        String conversation = startConversation();
        post(conversation, "I want to talk to a human");

        assertHandedOff(conversation, "customer_request");
        assertTrue(model.requests().isEmpty());
    }

    @Test
    void theModelsHandoffMarkerHandsOffAndIsNeverShown() throws Exception {
        model.enqueue(FakeOpenAiServer.answer("[[HAND", "OFF]]"));
        String conversation = startConversation();
        try (EventRecorder events = EventRecorder.open(baseUri, conversation, apiKey)) {
            post(conversation, OTHER_QUESTION);
            assertHandedOff(conversation, "missing_knowledge");
            assertEquals("", events.deltaText());
        }
    }

    @Test
    void aFailingModelHandsOffAndKeepsTheCustomerMessage() {
        model.enqueue(new FakeOpenAiServer.Status(500, "{\"error\":{\"message\":\"engine crashed\"}}"));
        String conversation = startConversation();
        post(conversation, OTHER_QUESTION);

        assertHandedOff(conversation, "inference_unavailable");
    }

    @Test
    void aModelSlowerThanTheFirstTokenTimeoutHandsOff() {
        model.enqueue(FakeOpenAiServer.answer("too late").slow(Duration.ofSeconds(5), Duration.ZERO));
        String conversation = startConversation();
        post(conversation, OTHER_QUESTION);

        assertHandedOff(conversation, "inference_unavailable");
    }

    @Test
    void anUnreachableModelHandsOff() throws Exception {
        int freePort;
        try (ServerSocket s = new ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        Duration d = Duration.ofSeconds(2);
        QuarkusMock.installMockForType(new ChatModelProvider(Optional.of(new OpenAiChatModel(
                new OpenAiChatModel.Settings(URI.create("http://127.0.0.1:" + freePort + "/v1"),
                        FakeOpenAiResource.MODEL, Optional.empty(), d, d, d)))), ChatModelProvider.class);
        String conversation = startConversation();
        post(conversation, OTHER_QUESTION);

        assertHandedOff(conversation, "inference_unavailable");
    }

    @Test
    void withoutAConfiguredModelTheBotHandsOff() {
        QuarkusMock.installMockForType(new ChatModelProvider(Optional.empty()), ChatModelProvider.class);
        String conversation = startConversation();
        post(conversation, OTHER_QUESTION);

        assertHandedOff(conversation, "inference_unavailable");
        assertTrue(model.requests().isEmpty());
    }

    @Test
    void aTakeoverMidAnswerStopsGenerationAndStoresNothing() throws Exception {
        String[] words = new String[50];
        java.util.Arrays.fill(words, " word");
        model.enqueue(FakeOpenAiServer.answer(words).slow(Duration.ZERO, Duration.ofMillis(100)));
        String conversation = startConversation();
        try (EventRecorder events = EventRecorder.open(baseUri, conversation, apiKey)) {
            post(conversation, OTHER_QUESTION);
            await(() -> events.names().contains("bot.delta"), "the first streamed delta");

            conversations.takeOver(UUID.fromString(conversation));

            int sent = model.awaitAbortedStream();
            assertTrue(sent < words.length, "generation stopped early, after " + sent + " chunks");
        }
        awaitIdle();
        List<Map<String, Object>> messages = messages(conversation);
        assertEquals(1, messages.size(), "only the customer's message: " + messages);
        assertEquals("open", conversation(conversation).get("status"));
    }

    // --- helpers ---

    private void assertHandedOff(String conversation, String reason) {
        List<Map<String, Object>> messages = awaitMessages(conversation, 2);
        assertEquals(2, messages.size(), "no answer besides the notice: " + messages);
        assertEquals("customer", messages.get(0).get("role"), "the customer's message is kept");
        assertEquals("system", messages.get(1).get("role"));
        assertTrue(((String) messages.get(1).get("content")).contains("human agent"), messages.toString());
        Map<String, Object> c = conversation(conversation);
        assertEquals("pending", c.get("status"));
        assertEquals(reason, c.get("handoffReason"));
    }

    private String createFaq(String question, String answer) {
        return given().auth().oauth2(apiKey).contentType(ContentType.JSON)
                .body(Map.of("question", question, "answer", answer))
                .post("/api/v1/faqs").then().statusCode(201).extract().path("id");
    }

    private long faqHits(String id) {
        return given().auth().oauth2(apiKey).get("/api/v1/faqs/" + id).then().statusCode(200)
                .extract().<Number>path("hitCount").longValue();
    }

    private String startConversation() {
        return given().auth().oauth2(apiKey).contentType(ContentType.JSON).body(Map.of("visitorId", "visitor-1"))
                .post("/api/v1/conversations").then().statusCode(201).extract().path("id");
    }

    private void post(String conversation, String content) {
        given().auth().oauth2(apiKey).contentType(ContentType.JSON).body(Map.of("content", content))
                .post("/api/v1/conversations/" + conversation + "/messages").then().statusCode(201);
    }

    private List<Map<String, Object>> messages(String conversation) {
        return given().auth().oauth2(apiKey).get("/api/v1/conversations/" + conversation + "/messages")
                .then().statusCode(200).extract().path("items");
    }

    private Map<String, Object> conversation(String conversation) {
        return given().auth().oauth2(apiKey).get("/api/v1/conversations/" + conversation)
                .then().statusCode(200).extract().path("");
    }

    /** Waits until the conversation has {@code count} messages and the bot is done with it. */
    private List<Map<String, Object>> awaitMessages(String conversation, int count) {
        await(() -> messages(conversation).size() >= count, count + " messages in " + conversation);
        awaitIdle();
        return messages(conversation);
    }

    private void awaitIdle() {
        await(consumer::idle, "the bot to finish");
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** Reads a conversation's SSE stream in the background, from its first event. */
    private static final class EventRecorder implements AutoCloseable {
        private final List<SseEventReader.Event> events = new CopyOnWriteArrayList<>();
        private final InputStream body;

        private EventRecorder(InputStream body) {
            this.body = body;
            Thread.ofVirtual().start(() -> {
                SseEventReader reader = new SseEventReader(
                        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8)));
                try {
                    for (SseEventReader.Event e; (e = reader.next()) != null; ) {
                        events.add(e);
                    }
                } catch (java.io.IOException closed) {
                    // the test is done with the stream
                }
            });
        }

        static EventRecorder open(URI base, String conversation, String apiKey) throws Exception {
            HttpRequest request = HttpRequest.newBuilder(
                            base.resolve("/api/v1/conversations/" + conversation + "/events"))
                    .header("Authorization", "Bearer " + apiKey)
                    .header("Last-Event-ID", "0") // replay from the start: nothing is missed while connecting
                    .build();
            HttpResponse<InputStream> response = HttpClient.newHttpClient()
                    .send(request, HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            return new EventRecorder(response.body());
        }

        /** Event names; message.created is suffixed with the message's role. */
        List<String> names() {
            return events.stream().map(e -> {
                if (!"message.created".equals(e.type())) {
                    return e.type();
                }
                String role = e.data().replaceAll("(?s).*\"role\":\"([a-z]+)\".*", "$1");
                return e.type() + ":" + role;
            }).toList();
        }

        /** All streamed text, in order. */
        String deltaText() {
            StringBuilder text = new StringBuilder();
            events.stream().filter(e -> "bot.delta".equals(e.type()))
                    .forEach(e -> text.append(e.data().replaceAll("(?s)^\\{\"text\":\"(.*)\"}$", "$1")));
            return text.toString();
        }

        @Override
        public void close() throws Exception {
            body.close();
        }
    }
}
