package dev.switchboard.conversation;

import static dev.switchboard.support.TestWorkspaces.postAsCustomer;
import static dev.switchboard.support.TestWorkspaces.startWithApiKey;
import static dev.switchboard.support.TestWorkspaces.startWithSiteKey;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.support.Await;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.support.TestWorkspaces.WidgetConversation;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ConversationResourceTest {

    @Inject
    AgroalDataSource db;

    @Inject
    CustomerMessageRecorder recorder;

    @Inject
    ConversationService conversations;

    @Test
    void widgetStartsAConversationWithASiteKeyAndGetsAVisitorToken() {
        TestWorkspace w = TestWorkspaces.create();
        given().header("X-Site-Key", w.siteKey()).contentType(ContentType.JSON).body(Map.of("visitorId", "v-1"))
                .post("/api/v1/conversations")
                .then().statusCode(201)
                .body("id", notNullValue()).body("status", equalTo("bot")).body("visitorId", equalTo("anon:v-1"))
                .body("handoffReason", nullValue()).body("visitorToken", startsWith("vt_"));
        WidgetConversation c = startWithSiteKey(w);
        given().header("X-Site-Key", c.siteKey()).header("X-Visitor-Token", c.visitorToken())
                .get("/api/v1/conversations/{id}", c.id())
                .then().statusCode(200).body("status", equalTo("bot")).body("visitorToken", nullValue());
        // EventSource-style query parameters work as well.
        given().queryParam("site_key", c.siteKey()).queryParam("visitor_token", c.visitorToken())
                .get("/api/v1/conversations/{id}/messages", c.id())
                .then().statusCode(200).body("items.size()", equalTo(0));
    }

    @Test
    void serverStartsAConversationWithAnApiKeyAndListsByStatus() {
        TestWorkspace w = TestWorkspaces.create();
        String id = given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("visitorId", "crm-42"))
                .post("/api/v1/conversations")
                .then().statusCode(201).body("visitorToken", nullValue()).body("status", equalTo("bot"))
                .extract().path("id");
        String handedOff = startWithApiKey(w);
        conversations.handoff(UUID.fromString(handedOff), HandoffReason.CUSTOMER_REQUEST, "A colleague will reply.");

        given().header("Authorization", w.bearer()).get("/api/v1/conversations")
                .then().statusCode(200).body("items.id", hasItem(id)).body("items.id", hasItem(handedOff));
        given().header("Authorization", w.bearer()).queryParam("status", "pending").get("/api/v1/conversations")
                .then().statusCode(200).body("items.id", equalTo(List.of(handedOff)))
                .body("items[0].handoffReason", equalTo("customer_request"));
        given().header("Authorization", w.bearer()).queryParam("status", "closed").get("/api/v1/conversations")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("status"));
        // Listing is for the workspace's server, not for widgets.
        given().header("X-Site-Key", w.siteKey()).get("/api/v1/conversations")
                .then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void postedMessageIsCommittedBeforeTheResponseThenEmitted() throws Exception {
        TestWorkspace w = TestWorkspaces.create();
        WidgetConversation c = startWithSiteKey(w);
        String content = "  Where is my parcel?\nOrder 1234  ";
        Map<String, Object> posted = given().header("X-Site-Key", c.siteKey())
                .header("X-Visitor-Token", c.visitorToken()).contentType(ContentType.JSON)
                .body(Map.of("content", content))
                .post("/api/v1/conversations/{id}/messages", c.id())
                .then().statusCode(201)
                .body("role", equalTo("customer")).body("content", equalTo(content)).body("source", nullValue())
                .body("conversationId", equalTo(c.id()))
                .extract().jsonPath().getMap("");
        String messageId = (String) posted.get("id");

        // Right after the response, another connection sees the row: it was committed, not merely flushed.
        try (Connection connection = db.getConnection();
                PreparedStatement s = connection.prepareStatement(
                        "select content, role from messages where id = ?::uuid")) {
            s.setString(1, messageId);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next(), "message row committed");
                assertEquals(content, rs.getString(1));
                assertEquals("customer", rs.getString(2));
            }
        }

        given().header("X-Site-Key", c.siteKey()).header("X-Visitor-Token", c.visitorToken())
                .get("/api/v1/conversations/{id}/messages", c.id())
                .then().statusCode(200)
                .body("items[0].id", equalTo(messageId)).body("items[0].content", equalTo(content))
                .body("items[0].createdAt", equalTo(posted.get("createdAt")));

        CustomerMessagePosted expected = new CustomerMessagePosted(UUID.fromString(w.id()), UUID.fromString(c.id()),
                UUID.fromString(messageId));
        Await.until("the message is emitted", () -> recorder.received().contains(expected));
    }

    @Test
    void messagesComeOldestFirstWithTheirSources() {
        NoBot.install();
        TestWorkspace w = TestWorkspaces.create();
        String id = startWithApiKey(w);
        UUID conversationId = UUID.fromString(id);
        postAsCustomer(w, id, "first");
        UUID faqId = UUID.randomUUID();
        conversations.botReply(conversationId, "from the FAQ", MessageSource.faq(faqId));
        postAsCustomer(w, id, "second");
        conversations.botReply(conversationId, "from the model", MessageSource.model("llama-3.2-1b"));

        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(200)
                .body("items.content", equalTo(List.of("first", "from the FAQ", "second", "from the model")))
                .body("items.role", equalTo(List.of("customer", "bot", "customer", "bot")))
                .body("items[0].source", nullValue())
                .body("items[1].source.type", equalTo("faq")).body("items[1].source.faqId", equalTo(faqId.toString()))
                .body("items[1].source.model", nullValue())
                .body("items[3].source.type", equalTo("model")).body("items[3].source.model", equalTo("llama-3.2-1b"));
    }

    @Test
    void postingToAResolvedConversationReopensItForTheBot() {
        // the test reads the status right after the post; a live bot could already have handed off again
        NoBot.install();
        TestWorkspace w = TestWorkspaces.create();
        String id = startWithApiKey(w);
        conversations.handoff(UUID.fromString(id), HandoffReason.POLICY, "An agent will take over.");
        conversations.resolve(UUID.fromString(id));
        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}", id)
                .then().body("status", equalTo("resolved")).body("handoffReason", equalTo("policy"));

        Map<String, Object> posted = postAsCustomer(w, id, "One more question");
        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}", id)
                .then().body("status", equalTo("bot")).body("handoffReason", nullValue());
        UUID messageId = UUID.fromString((String) posted.get("id"));
        Await.until("the reopening message is emitted",
                () -> recorder.received().stream().anyMatch(p -> p.messageId().equals(messageId)));
    }

    @Test
    void conversationsAreInvisibleToOtherWorkspacesAndOtherVisitors() {
        TestWorkspace a = TestWorkspaces.create();
        TestWorkspace b = TestWorkspaces.create();
        WidgetConversation mine = startWithSiteKey(a);
        WidgetConversation other = startWithSiteKey(a);

        given().header("Authorization", b.bearer()).get("/api/v1/conversations/{id}", mine.id())
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString(mine.id()));
        given().header("Authorization", b.bearer()).contentType(ContentType.JSON).body(Map.of("content", "hi"))
                .post("/api/v1/conversations/{id}/messages", mine.id())
                .then().statusCode(404).contentType("application/problem+json");
        given().header("X-Site-Key", b.siteKey()).header("X-Visitor-Token", mine.visitorToken())
                .get("/api/v1/conversations/{id}/messages", mine.id())
                .then().statusCode(404).contentType("application/problem+json");
        // The visitor token of another conversation of the same workspace opens nothing here.
        given().header("X-Site-Key", a.siteKey()).header("X-Visitor-Token", other.visitorToken())
                .get("/api/v1/conversations/{id}/messages", mine.id())
                .then().statusCode(404).contentType("application/problem+json");
        // A site key alone does not open a conversation, even with its id.
        given().header("X-Site-Key", a.siteKey()).get("/api/v1/conversations/{id}/messages", mine.id())
                .then().statusCode(401).contentType("application/problem+json")
                .body("detail", containsString("visitor token"));
        // A's API key sees all of A's conversations.
        given().header("Authorization", a.bearer()).get("/api/v1/conversations/{id}/messages", mine.id())
                .then().statusCode(200);
    }

    @Test
    void contentMustHaveOneTo4000CharactersCountedAsSent() {
        TestWorkspace w = TestWorkspaces.create();
        String id = startWithApiKey(w);
        rejected(w, id, Map.of("content", "")).body("detail", containsString("'content'"));
        rejected(w, id, Map.of("content", " \n\t ")).body("detail", containsString("whitespace"));
        rejected(w, id, Map.of("content", "x".repeat(4001))).body("detail", containsString("4000"));
        rejected(w, id, Map.of()).body("detail", containsString("'content' is required"));
        // Padding is stored, so it counts (issue 17: whitespace once smuggled in 225,001 characters).
        rejected(w, id, Map.of("content", " " + "x".repeat(3999) + " ")).body("detail", containsString("4000"));
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("content", " " + "x".repeat(3998) + " "))
                .post("/api/v1/conversations/{id}/messages", id).then().statusCode(201);
        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}/messages", id)
                .then().body("items.size()", equalTo(1));
    }

    @Test
    void malformedRequestsAreProblemsWithADetail() {
        TestWorkspace w = TestWorkspaces.create();
        String id = startWithApiKey(w);
        postRaw(w, id, "{\"content\": \"hi\"", ContentType.JSON).statusCode(400)
                .body("detail", containsString("Malformed JSON"));
        postRaw(w, id, "{\"content\": 5}", ContentType.JSON).statusCode(400)
                .body("detail", containsString("'content'"));
        postRaw(w, id, "{\"content\": [\"a\"]}", ContentType.JSON).statusCode(400)
                .body("detail", containsString("'content'"));
        postRaw(w, id, "{\"content\": \"hi\", \"priority\": 1}", ContentType.JSON).statusCode(400)
                .body("detail", containsString("Unknown field 'priority'"));
        postRaw(w, id, "[1, 2]", ContentType.JSON).statusCode(400).body("detail", notNullValue());
        postRaw(w, id, "", ContentType.JSON).statusCode(400).body("detail", notNullValue());
        postRaw(w, id, "content=hi", ContentType.TEXT).statusCode(415)
                .body("detail", containsString("application/json"));

        given().header("Authorization", w.bearer()).delete("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(405).contentType("application/problem+json")
                .body("detail", containsString("DELETE is not supported"));
        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}", UUID.randomUUID())
                .then().statusCode(404).contentType("application/problem+json").body("detail", notNullValue());
        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}", "not-a-uuid")
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("'not-a-uuid'"));
        given().header("Authorization", "Bearer sb_wrong").get("/api/v1/conversations/{id}", id)
                .then().statusCode(401).contentType("application/problem+json").body("detail", notNullValue());
        given().header("X-Site-Key", "sk_wrong").contentType(ContentType.JSON).body(Map.of("visitorId", "v"))
                .post("/api/v1/conversations")
                .then().statusCode(401).contentType("application/problem+json")
                .body("detail", containsString("site key"));
        given().contentType(ContentType.JSON).body(Map.of("visitorId", "v")).post("/api/v1/conversations")
                .then().statusCode(401).contentType("application/problem+json").body("detail", notNullValue());
    }

    private static ValidatableResponse rejected(TestWorkspace w, String id, Map<String, ?> body) {
        return given().header("Authorization", w.bearer()).contentType(ContentType.JSON).body(body)
                .post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(400).contentType("application/problem+json");
    }

    private static ValidatableResponse postRaw(TestWorkspace w, String id, String body, ContentType type) {
        return given().header("Authorization", w.bearer()).contentType(type).body(body)
                .post("/api/v1/conversations/{id}/messages", id)
                .then().contentType("application/problem+json");
    }
}
