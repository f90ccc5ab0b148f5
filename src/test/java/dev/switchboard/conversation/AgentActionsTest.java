package dev.switchboard.conversation;

import static dev.switchboard.support.TestWorkspaces.postAsCustomer;
import static dev.switchboard.support.TestWorkspaces.startWithApiKey;
import static dev.switchboard.support.TestWorkspaces.startWithSiteKey;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.switchboard.support.Await;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.support.TestWorkspaces.WidgetConversation;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What agents do to a conversation through the API: take over, reply, hand back, resolve, reopen. */
@QuarkusTest
class AgentActionsTest {

    @Inject
    CustomerMessageRecorder recorder;

    @Inject
    ConversationService conversations;

    @BeforeEach
    void agentsPlayTheBot() {
        NoBot.install();
    }

    @Test
    void takeoverKeepsTheBotAwayUntilHandedBack() {
        TestWorkspace w = TestWorkspaces.create();
        String id = startWithApiKey(w);
        action(w, id, "takeover", Map.of("agentName", "Ada")).statusCode(200)
                .body("status", equalTo("open")).body("agentName", equalTo("Ada"));

        String whileOpen = (String) postAsCustomer(w, id, "Are you a human?").get("id");
        String answered = (String) postAsCustomer(w, id, "Hello?").get("id");
        assertFalse(emitted(whileOpen) || emitted(answered), "the bot was told about messages a human handles");

        action(w, id, "handback", null).statusCode(200).body("status", equalTo("bot")).body("agentName", nullValue());
        Await.until("the unanswered last message goes to the bot", () -> emitted(answered));
        assertFalse(emitted(whileOpen), "only the last customer message is the bot's to answer");
    }

    @Test
    void handingBackAfterTheAgentAnsweredLeavesTheBotNothingToAnswer() {
        TestWorkspace w = TestWorkspaces.create();
        String id = startWithApiKey(w);
        String question = (String) postAsCustomer(w, id, "Can I talk to a person?").get("id");
        int before = recorder.received().size();
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("agentName", "Ada", "content", "Hi, Ada here."))
                .post("/api/v1/conversations/{id}/replies", id)
                .then().statusCode(201).body("role", equalTo("agent")).body("authorName", equalTo("Ada"));
        action(w, id, "handback", null).statusCode(200);
        postAsCustomer(w, id, "thanks");
        Await.until("the next customer message goes to the bot",
                () -> recorder.received().size() > before && emitted(lastMessageId(id)));
        assertEquals(1, recorder.received().stream().filter(p -> p.messageId().toString().equals(question)).count(),
                "the question the agent answered was not sent to the bot again");
    }

    @Test
    void anAgentReplyTakesOverAndIsStoredWithTheAgentsName() {
        TestWorkspace w = TestWorkspaces.create();
        String id = startWithApiKey(w);
        conversations.handoff(UUID.fromString(id), HandoffReason.CUSTOMER_REQUEST, "An agent will be with you.");
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("agentName", "Grace", "content", "<b>I'm here</b>"))
                .post("/api/v1/conversations/{id}/replies", id)
                .then().statusCode(201);

        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}", id)
                .then().body("status", equalTo("open")).body("agentName", equalTo("Grace"))
                .body("handoffReason", equalTo("customer_request"));
        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}/messages", id)
                .then().body("items.role", equalTo(List.of("system", "agent")))
                .body("items[1].content", equalTo("<b>I'm here</b>"))
                .body("items[1].authorName", equalTo("Grace")).body("items[0].authorName", nullValue());
    }

    @Test
    void resolveAndReopen() {
        TestWorkspace w = TestWorkspaces.create();
        String id = startWithApiKey(w);
        action(w, id, "reopen", Map.of("agentName", "Ada")).statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("not resolved"));
        action(w, id, "resolve", null).statusCode(200).body("status", equalTo("resolved"));
        action(w, id, "takeover", Map.of("agentName", "Ada")).statusCode(409)
                .body("detail", containsString("reopen it first"));
        action(w, id, "handback", null).statusCode(409);
        action(w, id, "reopen", Map.of("agentName", "Ada")).statusCode(200)
                .body("status", equalTo("open")).body("agentName", equalTo("Ada"));

        action(w, id, "resolve", null).statusCode(200).body("agentName", equalTo("Ada"));
        postAsCustomer(w, id, "One more thing");
        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}", id)
                .then().body("status", equalTo("bot")).body("agentName", nullValue());
    }

    @Test
    void onlyTheWorkspacesApiKeyMayActAsAnAgent() {
        TestWorkspace w = TestWorkspaces.create();
        TestWorkspace other = TestWorkspaces.create();
        WidgetConversation visitor = startWithSiteKey(w);

        given().header("X-Site-Key", visitor.siteKey()).header("X-Visitor-Token", visitor.visitorToken())
                .contentType(ContentType.JSON).body(Map.of("agentName", "Me", "content", "I am the agent now"))
                .post("/api/v1/conversations/{id}/replies", visitor.id())
                .then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("API key"));
        action(other, visitor.id(), "takeover", Map.of("agentName", "Eve")).statusCode(404);
        action(w, visitor.id(), "takeover", Map.of()).statusCode(400).body("detail", containsString("'agentName'"));
        action(w, visitor.id(), "takeover", Map.of("agentName", "x".repeat(101))).statusCode(400)
                .body("detail", containsString("'agentName'"));
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("agentName", "Ada", "content", "  ")).post("/api/v1/conversations/{id}/replies", visitor.id())
                .then().statusCode(400).body("detail", containsString("'content'"));
        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}", visitor.id())
                .then().body("status", equalTo("bot"));
    }

    private static ValidatableResponse action(TestWorkspace w, String id, String action, Map<String, ?> body) {
        var request = given().header("Authorization", w.bearer());
        if (body != null) {
            request = request.contentType(ContentType.JSON).body(body);
        }
        return request.post("/api/v1/conversations/{id}/" + action, id).then();
    }

    private boolean emitted(String messageId) {
        return recorder.received().stream().anyMatch(p -> p.messageId().toString().equals(messageId));
    }

    private String lastMessageId(String conversationId) {
        return conversations.recentMessages(UUID.fromString(conversationId), 1).getFirst().id.toString();
    }
}
