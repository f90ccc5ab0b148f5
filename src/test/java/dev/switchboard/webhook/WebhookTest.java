package dev.switchboard.webhook;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.common.SecretBox;
import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.HandoffReason;
import dev.switchboard.support.Await;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.support.WebhookReceiver;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class WebhookTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ConversationService conversations;

    @Inject
    SecretBox box;

    @BeforeEach
    void silenceBot() {
        NoBot.install();
    }

    @Test
    void createListRotateDelete() {
        TestWorkspace w = TestWorkspaces.create();
        Map<String, Object> created = createWebhook(w, "https://hooks.example/in", WebhookEvents.ALL);
        String id = (String) created.get("id");
        assertTrue(((String) created.get("secret")).startsWith("whsec_"));
        assertEquals(WebhookEvents.ALL, created.get("events"));
        String stored = QuarkusTransaction.requiringNew().call(() ->
                Webhook.<Webhook>findById(UUID.fromString(id)).secretEncrypted);
        assertFalse(stored.contains((String) created.get("secret")), "stored sealed, not in plain text");
        assertEquals(created.get("secret"), box.decrypt(stored, WebhookService.secretContext(UUID.fromString(id))),
                "the sealed secret opens for this webhook");

        given().header("Authorization", w.bearer()).get("/api/v1/webhooks").then().statusCode(200)
                .body("items.id", equalTo(List.of(id))).body("items[0]", not(hasKey("secret")));
        String rotated = given().header("Authorization", w.bearer()).post("/api/v1/webhooks/{id}/secret/rotate", id)
                .then().statusCode(200).extract().path("secret");
        assertNotEquals(created.get("secret"), rotated);

        // Another workspace sees nothing of it.
        TestWorkspace other = TestWorkspaces.create();
        given().header("Authorization", other.bearer()).delete("/api/v1/webhooks/{id}", id).then().statusCode(404);
        given().header("Authorization", other.bearer()).get("/api/v1/webhooks/{id}/deliveries", id).then()
                .statusCode(404);

        given().header("Authorization", w.bearer()).delete("/api/v1/webhooks/{id}", id).then().statusCode(204);
        given().header("Authorization", w.bearer()).get("/api/v1/webhooks").then().body("items", empty());
        given().get("/api/v1/webhooks").then().statusCode(401);
    }

    @Test
    void badSubscriptionsAreRejected() {
        TestWorkspace w = TestWorkspaces.create();
        post(w, Map.of("url", "ftp://hooks.example/in", "events", List.of("message.created"))).statusCode(400)
                .body("detail", containsString("must use https"));
        post(w, Map.of("url", "/relative", "events", List.of("message.created"))).statusCode(400);
        post(w, Map.of("url", "https://hooks.example/in", "events", List.of())).statusCode(400)
                .body("detail", containsString("at least one of"));
        post(w, Map.of("url", "https://hooks.example/in", "events", List.of("message.deleted"))).statusCode(400)
                .body("detail", containsString("'message.deleted'"));
        post(w, Map.of("url", "https://hooks.example/in" + "x".repeat(2000), "events",
                List.of("message.created"))).statusCode(400);
    }

    @Test
    void everyEventArrivesSignedWithItsOwnDeliveryId() throws Exception {
        TestWorkspace w = TestWorkspaces.create();
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            String secret = (String) createWebhook(w, receiver.url().toString(), WebhookEvents.ALL).get("secret");
            String conversationId = TestWorkspaces.startWithApiKey(w);
            TestWorkspaces.postAsCustomer(w, conversationId, "Where is my order?");
            conversations.handoff(UUID.fromString(conversationId), HandoffReason.MISSING_KNOWLEDGE, "A person will "
                    + "answer.");
            conversations.resolve(UUID.fromString(conversationId));

            // created, the customer's message, the handoff notice, the handoff, the resolution
            Await.until("five deliveries", () -> receiver.received().size() >= 5);
            List<WebhookReceiver.Received> got = receiver.received();
            assertEquals(5, got.size());
            Map<String, Long> types = got.stream().collect(Collectors.groupingBy(
                    r -> r.header("X-Switchboard-Event"), Collectors.counting()));
            assertEquals(Map.of("conversation.created", 1L, "message.created", 2L, "conversation.handoff", 1L,
                    "conversation.resolved", 1L), types);
            for (WebhookReceiver.Received r : got) {
                assertSignedBy(secret, r);
                JsonNode body = JSON.readTree(r.body());
                assertEquals(r.header("X-Switchboard-Event"), body.path("type").asText());
                assertEquals(w.id(), body.path("workspaceId").asText());
                assertEquals("application/json", r.header("Content-Type"));
            }
            assertEquals(5, got.stream().map(r -> r.header("X-Switchboard-Delivery")).distinct().count());
            JsonNode message = got.stream().filter(r -> r.header("X-Switchboard-Event").equals("message.created"))
                    .map(r -> readTree(r.body()).path("data")).filter(d -> d.path("role").asText().equals("customer"))
                    .findFirst().orElseThrow();
            assertEquals("Where is my order?", message.path("content").asText());
            assertEquals(conversationId, message.path("conversationId").asText());
            JsonNode handoff = got.stream().filter(r -> r.header("X-Switchboard-Event").equals("conversation.handoff"))
                    .map(r -> readTree(r.body()).path("data")).findFirst().orElseThrow();
            assertEquals("missing_knowledge", handoff.path("handoffReason").asText());
            assertEquals("pending", handoff.path("status").asText());
        }
    }

    @Test
    void onlySubscribedEventsAreSent() {
        TestWorkspace w = TestWorkspaces.create();
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            String id = (String) createWebhook(w, receiver.url().toString(), List.of("conversation.resolved"))
                    .get("id");
            String conversationId = TestWorkspaces.startWithApiKey(w);
            TestWorkspaces.postAsCustomer(w, conversationId, "Hello");
            conversations.resolve(UUID.fromString(conversationId));
            Await.until("the resolution delivered", () -> receiver.received().size() == 1);
            assertEquals("conversation.resolved", receiver.received().getFirst().header("X-Switchboard-Event"));
            given().header("Authorization", w.bearer()).get("/api/v1/webhooks/{id}/deliveries", id).then()
                    .body("items.event", equalTo(List.of("conversation.resolved")));
        }
    }

    @Test
    void failedDeliveriesAreRetriedWithTheSameIdAndBody() throws Exception {
        TestWorkspace w = TestWorkspaces.create();
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.respondWith(500, 503);
            Map<String, Object> hook = createWebhook(w, receiver.url().toString(), List.of("conversation.created"));
            TestWorkspaces.startWithApiKey(w);

            Await.until("the third attempt", () -> receiver.received().size() >= 3);
            String hookId = (String) hook.get("id");
            Await.until("the delivery logged as delivered", () -> "delivered".equals(given()
                    .header("Authorization", w.bearer()).get("/api/v1/webhooks/{id}/deliveries", hookId)
                    .then().extract().path("items[0].status")));
            List<WebhookReceiver.Received> attempts = receiver.received();
            assertEquals(3, attempts.size());
            assertEquals(1, attempts.stream().map(r -> r.header("X-Switchboard-Delivery")).distinct().count());
            assertEquals(1, attempts.stream().map(WebhookReceiver.Received::body).distinct().count());
            for (WebhookReceiver.Received r : attempts) {
                assertSignedBy((String) hook.get("secret"), r);
            }
            given().header("Authorization", w.bearer()).get("/api/v1/webhooks/{id}/deliveries", hookId).then()
                    .body("items", hasSize(1))
                    .body("items[0].id", equalTo(attempts.getFirst().header("X-Switchboard-Delivery")))
                    .body("items[0].attempts", equalTo(3)).body("items[0].lastStatusCode", equalTo(200));
        }
    }

    @Test
    void eventsWaitInTheOutboxWhileTheReceiverIsDown() {
        TestWorkspace w = TestWorkspaces.create();
        WebhookReceiver first = WebhookReceiver.start();
        int port = first.port();
        first.close();
        String hookId = (String) createWebhook(w, "http://127.0.0.1:" + port + "/hooks",
                List.of("conversation.created")).get("id");
        TestWorkspaces.startWithApiKey(w);
        Await.until("a failed attempt logged", () -> given().header("Authorization", w.bearer())
                .get("/api/v1/webhooks/{id}/deliveries", hookId).then().extract().path("items[0].lastError") != null);
        given().header("Authorization", w.bearer()).get("/api/v1/webhooks/{id}/deliveries", hookId).then()
                .body("items[0].status", equalTo("pending"))
                .body("items[0].lastError", equalTo("could not deliver (no HTTP response)")) // no network detail
                .body("items[0].nextAttemptAt", not(nullValue()));

        try (WebhookReceiver back = WebhookReceiver.start(port)) {
            Await.until("the delivery after the outage", () -> back.received().size() == 1);
            String deliveryId = given().header("Authorization", w.bearer())
                    .get("/api/v1/webhooks/{id}/deliveries", hookId).then().extract().path("items[0].id");
            assertEquals(deliveryId, back.received().getFirst().header("X-Switchboard-Delivery"));
        }
    }

    @Test
    void aRolledBackChangeSendsNothing() {
        TestWorkspace w = TestWorkspaces.create();
        String hookId = (String) createWebhook(w, "https://hooks.example/in", List.of("conversation.resolved"))
                .get("id");
        String conversationId = TestWorkspaces.startWithApiKey(w);
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                conversations.resolve(UUID.fromString(conversationId));
                throw new IllegalStateException("the surrounding work fails");
            });
        } catch (IllegalStateException expected) {
            // rolled back
        }
        given().header("Authorization", w.bearer()).get("/api/v1/webhooks/{id}/deliveries", hookId).then()
                .body("items", empty());
        conversations.resolve(UUID.fromString(conversationId));
        given().header("Authorization", w.bearer()).get("/api/v1/webhooks/{id}/deliveries", hookId).then()
                .body("items.event", equalTo(List.of("conversation.resolved")));
    }

    @Test
    void backoffDoublesUpToTheCap() {
        Duration base = Duration.ofSeconds(10);
        Duration max = Duration.ofMinutes(5);
        assertEquals(List.of(10L, 20L, 40L, 80L, 160L, 300L, 300L), Set.of(1, 2, 3, 4, 5, 6, 40).stream().sorted()
                .map(a -> WebhookDispatcher.backoff(a, base, max).toSeconds()).toList());
    }

    /** Checks the signature the way a receiver would, from the documented recipe. */
    private static void assertSignedBy(String secret, WebhookReceiver.Received r) throws Exception {
        String header = r.header("X-Switchboard-Signature");
        Map<String, String> parts = Arrays.stream(header.split(",")).map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> p[1]));
        long t = Long.parseLong(parts.get("t"));
        assertTrue(Math.abs(System.currentTimeMillis() / 1000 - t) < 600, "timestamp is now: " + t);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal((t + "." + r.body()).getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, parts.get("v1"));
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, Object> createWebhook(TestWorkspace w, String url, List<String> events) {
        return post(w, Map.of("url", url, "events", events)).statusCode(201)
                .header("Location", containsString("/api/v1/webhooks/")).extract().jsonPath().getMap("");
    }

    private static io.restassured.response.ValidatableResponse post(TestWorkspace w, Map<String, Object> body) {
        return given().header("Authorization", w.bearer()).contentType(ContentType.JSON).body(body)
                .post("/api/v1/webhooks").then();
    }
}
