package dev.switchboard.conversation;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.support.Await;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.support.WebhookReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class LabelsApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ConversationService conversations;

    TestWorkspace shop;

    @BeforeEach
    void setUp() {
        NoBot.install();
        shop = TestWorkspaces.create();
    }

    @Test
    void labelsAreCreatedRenamedRecolouredAndDeleted() {
        String refund = createLabel(shop, "Refund", "#FF0000");
        createLabel(shop, "billing", null);
        api(shop).get("/api/v1/labels").then().statusCode(200)
                .body("items.name", equalTo(List.of("billing", "Refund")))
                .body("items.colour", equalTo(List.of("#6b7280", "#ff0000")));

        api(shop).contentType(ContentType.JSON).body(Map.of("name", "refund")).post("/api/v1/labels").then()
                .statusCode(409).contentType("application/problem+json").body("detail", containsString("refund"));
        api(shop).contentType(ContentType.JSON).body(Map.of("name", "vip", "colour", "red")).post("/api/v1/labels")
                .then().statusCode(400).body("detail", containsString("colour"));
        api(shop).contentType(ContentType.JSON).body(Map.of("name", "x".repeat(51))).post("/api/v1/labels")
                .then().statusCode(400).body("detail", containsString("name"));
        api(shop).contentType(ContentType.JSON).body(Map.of("name", "  ")).post("/api/v1/labels")
                .then().statusCode(400);

        api(shop).contentType(ContentType.JSON).body(Map.of("name", "Refunds", "colour", "#00aa00"))
                .put("/api/v1/labels/{id}", refund).then().statusCode(200).body("name", equalTo("Refunds"))
                .body("colour", equalTo("#00aa00"));
        // renaming to its own name in another case is no clash with itself
        api(shop).contentType(ContentType.JSON).body(Map.of("name", "REFUNDS", "colour", "#00aa00"))
                .put("/api/v1/labels/{id}", refund).then().statusCode(200);
        api(shop).contentType(ContentType.JSON).body(Map.of("name", "Billing"))
                .put("/api/v1/labels/{id}", refund).then().statusCode(409);

        String conversation = TestWorkspaces.startWithApiKey(shop);
        api(shop).put("/api/v1/conversations/{c}/labels/{l}", conversation, refund).then().statusCode(200)
                .body("items.name", equalTo(List.of("REFUNDS")));
        api(shop).delete("/api/v1/labels/{id}", refund).then().statusCode(204);
        api(shop).get("/api/v1/conversations/{c}/labels", conversation).then().body("items", empty());
        api(shop).get("/api/v1/labels").then().body("items.name", equalTo(List.of("billing")));
    }

    @Test
    void labelsGoOnAndOffConversationsIdempotently() {
        String vip = createLabel(shop, "vip", "#aa00aa");
        String late = createLabel(shop, "late delivery", "#0000ff");
        String conversation = TestWorkspaces.startWithApiKey(shop);

        api(shop).put("/api/v1/conversations/{c}/labels/{l}", conversation, vip).then().statusCode(200);
        api(shop).put("/api/v1/conversations/{c}/labels/{l}", conversation, late).then().statusCode(200);
        api(shop).put("/api/v1/conversations/{c}/labels/{l}", conversation, vip).then().statusCode(200)
                .body("items.name", equalTo(List.of("late delivery", "vip")));
        api(shop).get("/api/v1/conversations/{c}/labels", conversation).then()
                .body("items.id", equalTo(List.of(late, vip)));

        api(shop).delete("/api/v1/conversations/{c}/labels/{l}", conversation, vip).then().statusCode(200)
                .body("items.name", equalTo(List.of("late delivery")));
        api(shop).delete("/api/v1/conversations/{c}/labels/{l}", conversation, vip).then().statusCode(200)
                .body("items.name", equalTo(List.of("late delivery")));
        api(shop).put("/api/v1/conversations/{c}/labels/{l}", conversation, UUID.randomUUID()).then()
                .statusCode(404);
    }

    @Test
    void aWorkspaceNeverSeesOrTouchesAnothersLabels() {
        TestWorkspace other = TestWorkspaces.create();
        String mine = createLabel(shop, "vip", null);
        String theirs = createLabel(other, "vip", null); // the same name in another workspace is fine
        String myConversation = TestWorkspaces.startWithApiKey(shop);
        String theirConversation = TestWorkspaces.startWithApiKey(other);

        api(other).get("/api/v1/labels").then().body("items.id", equalTo(List.of(theirs)));
        api(other).contentType(ContentType.JSON).body(Map.of("name", "stolen")).put("/api/v1/labels/{id}", mine)
                .then().statusCode(404);
        api(other).delete("/api/v1/labels/{id}", mine).then().statusCode(404);
        // their label on my conversation, my label on their conversation, their key on my conversation: all 404
        api(shop).put("/api/v1/conversations/{c}/labels/{l}", myConversation, theirs).then().statusCode(404);
        api(other).put("/api/v1/conversations/{c}/labels/{l}", theirConversation, mine).then().statusCode(404);
        api(other).put("/api/v1/conversations/{c}/labels/{l}", myConversation, theirs).then().statusCode(404);
        api(other).get("/api/v1/conversations/{c}/labels", myConversation).then().statusCode(404);
        api(shop).get("/api/v1/labels").then().body("items.name", equalTo(List.of("vip")));

        // the widget may not label its own conversation
        var widget = TestWorkspaces.startWithSiteKey(shop);
        given().header("X-Site-Key", shop.siteKey()).header("X-Visitor-Token", widget.visitorToken())
                .put("/api/v1/conversations/{c}/labels/{l}", widget.id(), mine).then().statusCode(403);
    }

    @Test
    void webhooksHearOfLabelChangesAndStatusChangesCarryTheLabels() throws Exception {
        String refund = createLabel(shop, "refund", null);
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            api(shop).contentType(ContentType.JSON).body(Map.of("url", receiver.url().toString(), "events",
                    List.of("conversation.labels_changed", "conversation.handoff", "conversation.resolved")))
                    .post("/api/v1/webhooks").then().statusCode(201);
            String conversation = TestWorkspaces.startWithApiKey(shop);
            api(shop).put("/api/v1/conversations/{c}/labels/{l}", conversation, refund).then().statusCode(200);
            api(shop).put("/api/v1/conversations/{c}/labels/{l}", conversation, refund).then().statusCode(200);
            conversations.handoff(UUID.fromString(conversation), HandoffReason.CUSTOMER_REQUEST, "A person comes.");
            api(shop).delete("/api/v1/conversations/{c}/labels/{l}", conversation, refund).then().statusCode(200);
            conversations.resolve(UUID.fromString(conversation));

            // the second PUT changed nothing and sent nothing
            Await.until("four deliveries", () -> receiver.received().size() >= 4);
            List<JsonNode> got = receiver.received().stream().map(r -> read(r.body())).toList();
            JsonNode added = only(got, "conversation.labels_changed", "added");
            assertEquals(conversation, added.path("conversationId").asText());
            assertEquals("refund", added.path("added").asText());
            assertEquals(List.of("refund"), names(added));
            JsonNode removed = only(got, "conversation.labels_changed", "removed");
            assertEquals("refund", removed.path("removed").asText());
            assertEquals(List.of(), names(removed));
            assertEquals(List.of("refund"), names(only(got, "conversation.handoff", "status")));
            assertEquals(List.of(), names(only(got, "conversation.resolved", "status")));
            assertEquals(4, receiver.received().size());
        }
    }

    /** The data of the one delivery of this type whose data has this field set. */
    private static JsonNode only(List<JsonNode> deliveries, String type, String field) {
        List<JsonNode> data = deliveries.stream().filter(d -> d.path("type").asText().equals(type))
                .map(d -> d.path("data")).filter(d -> !d.path(field).isNull() && !d.path(field).isMissingNode())
                .toList();
        assertEquals(1, data.size(), type + " with " + field + ": " + deliveries);
        return data.getFirst();
    }

    private static List<String> names(JsonNode data) {
        JsonNode labels = data.path("labels");
        if (!labels.isArray()) {
            throw new AssertionError("no labels array in " + data);
        }
        return java.util.stream.StreamSupport.stream(labels.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String createLabel(TestWorkspace w, String name, String colour) {
        Map<String, String> body = colour == null ? Map.of("name", name) : Map.of("name", name, "colour", colour);
        return api(w).contentType(ContentType.JSON).body(body).post("/api/v1/labels").then().statusCode(201)
                .header("Location", containsString("/api/v1/labels/")).extract().path("id");
    }

    static RequestSpecification api(TestWorkspace w) {
        return given().header("Authorization", w.bearer());
    }
}
