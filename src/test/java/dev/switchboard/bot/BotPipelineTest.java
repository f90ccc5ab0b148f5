package dev.switchboard.bot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.CustomerMessagePosted;
import dev.switchboard.faq.FaqVerifier;
import dev.switchboard.faq.SmallTalkReplies;
import dev.switchboard.llm.ChatModelProvider;
import dev.switchboard.llm.ChatOptions;
import dev.switchboard.llm.FakeOpenAiResource;
import dev.switchboard.llm.FakeOpenAiServer;
import dev.switchboard.llm.OpenAiChatModel;
import dev.switchboard.support.Await;
import dev.switchboard.support.SseClient;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.microprofile.reactive.messaging.Message;
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
    ConversationService conversations;

    @Inject
    CustomerMessageConsumer consumer;

    @Inject
    BotPipeline pipeline;

    @Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    @TestHTTPResource("/api/v1/conversations/")
    URI conversationsUri;

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestWorkspace workspace;
    private String apiKey;
    private String faqId;

    @BeforeEach
    void setUp() {
        model.reset();
        workspace = TestWorkspaces.create();
        apiKey = workspace.apiKey();
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
    void outsideBusinessHoursTheBotStillAnswersFromTheFaq() {
        // Hours without any opening: the team is never in.
        given().header("Authorization", "Bearer " + TestWorkspaces.ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("timeZone", "Europe/Berlin", "weekly", Map.of()))
                .put("/api/v1/workspaces/{id}/hours", workspace.id()).then().statusCode(200);
        String conversation = startConversation();
        post(conversation, FAQ_QUESTION);

        Map<String, Object> answer = awaitMessages(conversation, 2).get(1);
        assertEquals("bot", answer.get("role"));
        assertEquals(FAQ_ANSWER, answer.get("content"));
    }

    @Test
    void aRedeliveredMessageIsNotAnsweredTwice() {
        String conversation = startConversation();
        post(conversation, FAQ_QUESTION);
        List<Map<String, Object>> before = awaitMessages(conversation, 2);

        consumer.onCustomerMessage(Message.of(new CustomerMessagePosted(UUID.fromString(workspace.id()),
                UUID.fromString(conversation),
                UUID.fromString((String) before.get(0).get("id")))));
        awaitIdle();

        assertEquals(2, messages(conversation).size());
        assertEquals(1, faqHits(faqId));
    }

    @Test
    void aMessageIsAcknowledgedOnlyOnceItsAnswerIsStored() throws Exception {
        // Over Kafka the acknowledgement commits the offset: before the answer is stored, a crash must redeliver.
        // The same message delivered again while its answer streams: it queues behind, and is acknowledged after.
        model.enqueue(FakeOpenAiServer.answer("We ship", " to Canada.").slow(Duration.ZERO, Duration.ofMillis(300)));
        String conversation = startConversation();
        post(conversation, OTHER_QUESTION);
        model.takeRequest();
        UUID messageId = UUID.fromString((String) messages(conversation).get(0).get("id"));
        CompletableFuture<List<Map<String, Object>>> atAck = new CompletableFuture<>();

        consumer.onCustomerMessage(Message.of(new CustomerMessagePosted(UUID.fromString(workspace.id()),
                UUID.fromString(conversation), messageId), () -> {
                    atAck.complete(messages(conversation));
                    return CompletableFuture.completedFuture(null);
                }));

        List<Map<String, Object>> messages = atAck.get(20, TimeUnit.SECONDS);
        assertEquals(List.of("customer", "bot"), messages.stream().map(m -> m.get("role")).toList());
    }

    @Test
    void twoWorkersWithTheSameMessageStoreOneAnswerAndNoHandoff() throws Exception {
        // Worker 1 (the consumer) answers; worker 2 (a redelivery elsewhere, played here) started on the same message
        // meanwhile and fails later: its handoff must not follow the stored answer.
        model.enqueue(FakeOpenAiServer.answer("We ship", " to Canada", " in 7 days.")
                .slow(Duration.ZERO, Duration.ofMillis(200)));
        model.enqueue(FakeOpenAiServer.answer("a", "b", "c", "d").slow(Duration.ZERO, Duration.ofMillis(400))
                .disconnectAfter(3));
        String conversation = startConversation();
        post(conversation, OTHER_QUESTION);
        model.takeRequest();
        UUID messageId = UUID.fromString((String) messages(conversation).get(0).get("id"));

        pipeline.answer(new CustomerMessagePosted(UUID.fromString(workspace.id()), UUID.fromString(conversation),
                messageId), System.nanoTime());
        model.takeRequest(); // worker 2 really was answering too

        List<Map<String, Object>> messages = awaitMessages(conversation, 2);
        assertEquals(List.of("customer", "bot"), messages.stream().map(m -> m.get("role")).toList(),
                messages.toString());
        assertEquals("We ship to Canada in 7 days.", messages.get(1).get("content"));
        assertEquals("bot", conversation(conversation).get("status"));
    }

    @Test
    void anotherQuestionIsAnsweredByTheModelStreamedThenStored() throws Exception {
        model.enqueue(FakeOpenAiServer.answer("We ship", " to Canada", " in 7 days."));
        String conversation = startConversation();
        try (SseClient stream = events(conversation)) {
            post(conversation, OTHER_QUESTION);
            List<SseClient.Event> events = eventsUntil(stream, e -> isMessage(e, "bot"));

            List<String> names = events.stream().map(SseClient.Event::name).toList();
            int firstDelta = names.indexOf("bot.delta");
            assertTrue(names.indexOf("typing") >= 0 && names.indexOf("typing") < firstDelta,
                    "typing comes before the first delta: " + names);
            assertEquals("We ship to Canada in 7 days.", deltaText(events));
            JsonNode answer = json(events.getLast().data());
            assertEquals("We ship to Canada in 7 days.", answer.path("content").asText());
            assertEquals("model", answer.path("source").path("type").asText());
            assertEquals(FakeOpenAiResource.MODEL, answer.path("source").path("model").asText());
        }
        JsonNode request = model.takeRequest();
        String system = request.path("messages").get(0).path("content").asText();
        assertTrue(system.contains(FAQ_ANSWER), "the prompt is grounded in the FAQ: " + system);
        assertTrue(system.contains(HandoffMarkerFilter.MARKER), system);
        assertFalse(request.has("draft") || request.has("draft_tokens") || request.has("draft_corpus"),
                "drafting is off by default: a plain OpenAI-compatible server gets no extension fields " + request);
    }

    @Test
    void theDraftCorpusHoldsTheWorkspacesFaqAndEarlierAnswersAndNothingOfAnotherWorkspace() throws Exception {
        QuarkusMock.installMockForType(new ChatModelProvider(Optional.of(new OpenAiChatModel(
                new OpenAiChatModel.Settings(model.baseUrl(), FakeOpenAiResource.MODEL, Optional.empty(),
                        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20)))),
                new ChatOptions.Drafting(ChatOptions.DraftingMode.SUFFIX, 6, List.of())), ChatModelProvider.class);
        TestWorkspace a = workspace;
        String otherFaqAnswer = "Workspace B ships only by pigeon, within 9 weeks.";
        String otherModelAnswer = "Workspace B answer: pigeons do not fly to Canada.";
        workspace = TestWorkspaces.create();
        apiKey = workspace.apiKey();
        createFaq("Can I pay with pigeons?", otherFaqAnswer);
        model.enqueue(FakeOpenAiServer.answer(otherModelAnswer));
        String inB = startConversation();
        post(inB, OTHER_QUESTION);
        assertEquals(otherModelAnswer, awaitMessages(inB, 2).get(1).get("content"));
        JsonNode first = model.takeRequest();
        assertEquals(List.of(otherFaqAnswer), texts(first.path("draft_corpus")), "B's corpus is B's FAQ alone");

        workspace = a;
        apiKey = a.apiKey();
        String greeting = startConversation();
        post(greeting, "hi");
        String smallTalk = (String) awaitMessages(greeting, 2).get(1).get("content"); // written by no model
        String earlierAnswer = "Yes, we ship to Canada within 10 days.";
        model.enqueue(FakeOpenAiServer.answer(earlierAnswer));
        String earlier = startConversation();
        post(earlier, OTHER_QUESTION);
        awaitMessages(earlier, 2);
        model.takeRequest();
        model.enqueue(FakeOpenAiServer.answer("Yes, we take credit cards."));
        String later = startConversation();
        post(later, "Can I pay by credit card?");
        awaitMessages(later, 2);

        JsonNode request = model.takeRequest();
        assertEquals("suffix", request.path("draft").asText());
        assertEquals(6, request.path("draft_tokens").asInt());
        List<String> corpus = texts(request.path("draft_corpus"));
        assertTrue(corpus.containsAll(List.of(FAQ_ANSWER, "Orders arrive within 3 to 5 business days.",
                earlierAnswer)), "A's FAQ answers and its earlier answer: " + corpus);
        assertFalse(corpus.stream().anyMatch(t -> t.contains("pigeon") || t.contains("Workspace B")),
                "nothing of workspace B: " + corpus);
        assertFalse(corpus.contains(smallTalk), "no small-talk reply: " + corpus);
    }

    private static List<String> texts(JsonNode array) {
        assertTrue(array.isArray(), "an array of texts: " + array);
        List<String> texts = new ArrayList<>();
        array.forEach(t -> texts.add(t.asText()));
        return texts;
    }

    @Test
    void aMessageSentDuringAnAnswerIsAnsweredOnceWithBothInContext() throws Exception {
        String[] words = new String[10];
        Arrays.fill(words, " word");
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
    void greetingsAndThanksGetTheWorkspacesReplyWithoutAHandoffOrAModelCall() {
        String conversation = startConversation();
        post(conversation, "Hello!");
        Map<String, Object> greeting = awaitMessages(conversation, 2).get(1);
        assertEquals("bot", greeting.get("role"));
        assertEquals(SmallTalkReplies.DEFAULT_GREETING, greeting.get("content"));
        assertEquals(Map.of("type", "bot", "kind", "small-talk"), greeting.get("source"), "written by no model");
        given().auth().oauth2(apiKey).contentType(ContentType.JSON).body(Map.of("thanks", "Anytime!"))
                .put("/api/v1/faqs/small-talk").then().statusCode(200);
        post(conversation, "thanks a lot");
        assertEquals("Anytime!", awaitMessages(conversation, 4).get(3).get("content"));
        assertEquals("bot", conversation(conversation).get("status"), "small talk handed off");
        assertTrue(model.requests().isEmpty(), "small talk needs no model call");
    }

    @Test
    void aBorderlineMatchIsAnsweredFromTheEntryTheModelPicks() throws Exception {
        String message = borderlineMessage();
        List<String> nearest = dryRun(message).getList("nearest");
        // the runner-up, not the matcher's favourite: the answer must follow the model
        model.enqueue(FakeOpenAiServer.answer("2"));
        String conversation = startConversation();
        post(conversation, message);

        Map<String, Object> answer = awaitMessages(conversation, 2).get(1);
        assertEquals(Map.of("type", "faq", "faqId", nearest.get(1)), answer.get("source"));
        assertEquals(1, model.requests().size(), "one classification request, no generation");
        JsonNode request = model.takeRequest();
        assertEquals(FaqVerifier.OPTIONS.maxTokens(), request.path("max_tokens").asInt(), request.toString());
        assertTrue(request.path("messages").get(0).path("content").asText().contains(FAQ_QUESTION));
    }

    @Test
    void whenTheModelPicksNoEntryNoFaqAnswerIsSent() throws Exception {
        String message = borderlineMessage();
        model.enqueue(FakeOpenAiServer.answer("0"));
        model.enqueue(FakeOpenAiServer.answer("Let me explain in my own words."));
        String conversation = startConversation();
        post(conversation, message);

        Map<String, Object> answer = awaitMessages(conversation, 2).get(1);
        assertEquals("Let me explain in my own words.", answer.get("content"));
        assertEquals("model", ((Map<?, ?>) answer.get("source")).get("type"));
        assertEquals(2, model.requests().size(), "the classification, then the grounded answer");
    }

    @Test
    void theDryRunPutsABorderlineMatchToTheModelOnlyWhenAskedTo() throws Exception {
        String message = borderlineMessage();
        io.restassured.path.json.JsonPath alone = dryRun(message);
        List<String> nearest = alone.getList("nearest");
        assertNull(alone.getString("answerId"), "the matcher alone is not sure");
        assertEquals(false, alone.getBoolean("modelAsked"));
        assertTrue(model.requests().isEmpty(), "no model call without verify");

        long botCalls = verifications("bot");
        long dryRunCalls = verifications("dry_run");
        model.enqueue(FakeOpenAiServer.answer("2"));
        io.restassured.path.json.JsonPath verified = dryRun(Map.of("message", message, "verify", true));
        assertEquals(true, verified.getBoolean("modelAsked"));
        assertEquals(nearest.get(1), verified.getString("modelPickId"), "the model's choice, not the matcher's");
        assertEquals(nearest.get(1), verified.getString("answerId"), "what the bot would send");
        assertTrue(verified.getLong("verifyMicros") > 0);
        JsonNode request = model.takeRequest();
        assertEquals(FaqVerifier.OPTIONS.maxTokens(), request.path("max_tokens").asInt(), request.toString());

        model.enqueue(FakeOpenAiServer.answer("0"));
        io.restassured.path.json.JsonPath none = dryRun(Map.of("message", message, "verify", true));
        assertNull(none.getString("answerId"), "the model picked none: no FAQ answer");
        assertNull(none.getString("modelPickId"));
        assertEquals(true, none.getBoolean("modelAsked"));
        assertEquals(dryRunCalls + 2, verifications("dry_run"));
        assertEquals(botCalls, verifications("bot"), "a bench's requests are not the customers' wait");
    }

    private long verifications(String caller) {
        io.micrometer.core.instrument.Timer t = meters.find("switchboard.bot.faq.verify.latency").tag("caller", caller)
                .timer();
        return t == null ? 0 : t.count();
    }

    @Test
    void aSureMatchIsNotPutToTheModelEvenWithVerify() {
        io.restassured.path.json.JsonPath sure = dryRun(Map.of("message", FAQ_QUESTION, "verify", true));
        assertEquals(faqId, sure.getString("answerId"));
        assertEquals(false, sure.getBoolean("modelAsked"));
        assertEquals(0, sure.getLong("verifyMicros"));
        assertTrue(model.requests().isEmpty(), "the bot asks the model only about borderline matches");
        assertNull(sure.getString("refusal"));
        assertEquals("own-account", dryRun("What is the return policy for my order 58213?").getString("refusal"));
    }

    @Test
    void verifyWithoutAConfiguredModelIsAConflict() {
        QuarkusMock.installMockForType(new ChatModelProvider(Optional.empty()), ChatModelProvider.class);
        given().auth().oauth2(apiKey).contentType(ContentType.JSON)
                .body(Map.of("message", FAQ_QUESTION, "verify", true))
                .post("/api/v1/faqs/match").then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("verify needs a model"));
    }

    /** A message the matcher finds borderline for this test's FAQ (checked, not assumed). */
    private String borderlineMessage() {
        for (String m : List.of("returns policy for delivery", "when can I return a delivery")) {
            if (dryRun(m).getBoolean("borderline")) {
                return m;
            }
        }
        throw new AssertionError("none of the messages is borderline for this FAQ");
    }

    private String offeringMessage() {
        return TestWorkspaces.messageWithOffers(workspace);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> offers(Map<String, Object> message) {
        return (List<Map<String, Object>>) message.get("offers");
    }

    private double offerCount(String outcome) {
        var counter = meters.find("switchboard.bot.offers").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private io.restassured.path.json.JsonPath dryRun(String message) {
        return dryRun(Map.of("message", message));
    }

    private io.restassured.path.json.JsonPath dryRun(Map<String, Object> body) {
        return given().auth().oauth2(apiKey).contentType(ContentType.JSON).body(body)
                .post("/api/v1/faqs/match").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void withoutAnyFaqEntryTheBotHandsOffWithoutAskingTheModel() {
        workspace = TestWorkspaces.create();
        apiKey = workspace.apiKey();
        String conversation = startConversation();
        post(conversation, OTHER_QUESTION);

        assertHandedOff(conversation, "missing_knowledge");
        assertTrue(model.requests().isEmpty());
    }

    @Test
    void theModelsHandoffMarkerHandsOffAndIsNeverShown() throws Exception {
        model.enqueue(FakeOpenAiServer.answer("[[HAND", "OFF]]"));
        String conversation = startConversation();
        try (SseClient stream = events(conversation)) {
            post(conversation, OTHER_QUESTION);
            List<SseClient.Event> events = eventsUntil(stream, e -> e.name().equals("conversation.status_changed"));
            assertEquals("", deltaText(events), "no part of the marker is shown");
        }
        assertHandedOff(conversation, "missing_knowledge");
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
    void withoutAModelAnUnsureMatchOffersEntriesAndThePickedOneIsAnswered() {
        QuarkusMock.installMockForType(new ChatModelProvider(Optional.empty()), ChatModelProvider.class);
        String message = offeringMessage();
        List<String> offered = dryRun(message).getList("offers");
        double picksBefore = offerCount("picked");
        String conversation = startConversation();
        post(conversation, message);

        Map<String, Object> offer = awaitMessages(conversation, 2).get(1);
        assertEquals("bot", offer.get("role"));
        assertEquals(BotPipeline.OFFER_TEXT, offer.get("content"));
        assertEquals(Map.of("type", "bot", "kind", "faq-offer"), offer.get("source"));
        List<Map<String, Object>> offers = offers(offer);
        assertEquals(offered, offers.stream().map(o -> o.get("faqId")).toList(), "what the dry run said");
        assertEquals("bot", conversation(conversation).get("status"), "not handed off while the customer picks");

        String pickedId = (String) offers.getFirst().get("faqId");
        post(conversation, (String) offers.getFirst().get("question"));
        Map<String, Object> answer = awaitMessages(conversation, 4).get(3);
        assertEquals(Map.of("type", "faq", "faqId", pickedId), answer.get("source"));
        assertEquals(1, faqHits(pickedId));
        assertEquals(picksBefore + 1, offerCount("picked"));
        assertEquals("bot", conversation(conversation).get("status"));
    }

    @Test
    void aCustomerWhoWantsNoneOfTheOfferedEntriesGetsAPerson() {
        QuarkusMock.installMockForType(new ChatModelProvider(Optional.empty()), ChatModelProvider.class);
        String conversation = startConversation();
        post(conversation, offeringMessage());
        assertEquals(2, awaitMessages(conversation, 2).size());

        post(conversation, "I would like to talk to a person.");
        Await.until("handed off", () -> "pending".equals(conversation(conversation).get("status")));
        assertEquals("customer_request", conversation(conversation).get("handoffReason"));
    }

    @Test
    void anotherUnsureMessageRightAfterAnOfferGoesToAPersonInsteadOfASecondOffer() {
        QuarkusMock.installMockForType(new ChatModelProvider(Optional.empty()), ChatModelProvider.class);
        String message = offeringMessage();
        String conversation = startConversation();
        post(conversation, message);
        assertEquals(2, awaitMessages(conversation, 2).size());

        post(conversation, message);
        Await.until("handed off", () -> "pending".equals(conversation(conversation).get("status")));
        List<Map<String, Object>> messages = messages(conversation);
        assertEquals(List.of("customer", "bot", "customer", "system"),
                messages.stream().map(m -> m.get("role")).toList());
        assertEquals("inference_unavailable", conversation(conversation).get("handoffReason"));
    }

    @Test
    void whenTheModelFailsAnUnsureMatchStillGetsEntriesOffered() {
        String message = offeringMessage();
        // the classification, if the match is borderline, and the answer: both fail
        model.enqueue(new FakeOpenAiServer.Status(500, "{\"error\":{\"message\":\"engine crashed\"}}"));
        model.enqueue(new FakeOpenAiServer.Status(500, "{\"error\":{\"message\":\"engine crashed\"}}"));
        String conversation = startConversation();
        post(conversation, message);

        Map<String, Object> offer = awaitMessages(conversation, 2).get(1);
        assertEquals(BotPipeline.OFFER_TEXT, offer.get("content"));
        assertFalse(offers(offer).isEmpty());
        assertEquals("bot", conversation(conversation).get("status"));
    }

    @Test
    void withAModelNothingIsOffered() throws Exception {
        String message = offeringMessage();
        assertTrue(dryRun(Map.of("message", message, "verify", true)).getList("offers").isEmpty());
        model.enqueue(FakeOpenAiServer.answer("0"));
        model.enqueue(FakeOpenAiServer.answer("Here is what I know."));
        String conversation = startConversation();
        post(conversation, message);

        List<Map<String, Object>> messages = awaitMessages(conversation, 2);
        assertEquals("Here is what I know.", messages.get(1).get("content"));
        assertNull(messages.get(1).get("offers"));
    }

    @Test
    void aTakeoverMidAnswerStopsGenerationAndStoresNothing() throws Exception {
        String[] words = new String[50];
        Arrays.fill(words, " word");
        model.enqueue(FakeOpenAiServer.answer(words).slow(Duration.ZERO, Duration.ofMillis(100)));
        String conversation = startConversation();
        try (SseClient stream = events(conversation)) {
            post(conversation, OTHER_QUESTION);
            eventsUntil(stream, e -> e.name().equals("bot.delta"));

            conversations.takeOver(UUID.fromString(conversation), "Ada");

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
        return TestWorkspaces.startWithApiKey(workspace);
    }

    private void post(String conversation, String content) {
        TestWorkspaces.postAsCustomer(workspace, conversation, content);
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
        Await.until(count + " messages in " + conversation, () -> messages(conversation).size() >= count);
        awaitIdle();
        return messages(conversation);
    }

    private void awaitIdle() {
        Await.until("the bot is done", consumer::idle);
    }

    /** The conversation's event stream from its start: nothing is missed while connecting. */
    private SseClient events(String conversation) {
        return SseClient.connect(conversationsUri.resolve(conversation + "/events"),
                Map.of("Authorization", workspace.bearer(), "Last-Event-ID", "0"));
    }

    /** The events up to and including the first that matches. */
    private static List<SseClient.Event> eventsUntil(SseClient stream, Predicate<SseClient.Event> last) {
        List<SseClient.Event> events = new ArrayList<>();
        SseClient.Event e;
        do {
            e = stream.next();
            events.add(e);
        } while (!last.test(e));
        return events;
    }

    private static boolean isMessage(SseClient.Event e, String role) {
        return e.name().equals("message.created") && json(e.data()).path("role").asText().equals(role);
    }

    /** All text the bot streamed, in order. */
    private static String deltaText(List<SseClient.Event> events) {
        StringBuilder text = new StringBuilder();
        events.stream().filter(e -> e.name().equals("bot.delta"))
                .forEach(e -> text.append(json(e.data()).path("text").asText()));
        return text.toString();
    }

    private static JsonNode json(String data) {
        try {
            return JSON.readTree(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
