package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.support.TestWorkspaces.WidgetConversation;
import dev.switchboard.workspace.VisitorIdentity;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20 part 6: the visitor profile from identify() (name, e-mail, verified, custom attributes, first seen, other
 * conversations) beside the conversation in the dashboard, in the visitor's export, and gone with their erasure.
 */
@QuarkusTest
class VisitorProfileTest {

    @Inject
    AgentService agents;

    @BeforeEach
    void silenceBot() {
        NoBot.install();
    }

    @Test
    void identifyKeepsAProfileThatTheDashboardShowsTheExportHoldsAndErasureRemoves() {
        TestWorkspace w = TestWorkspaces.create();
        String secret = secret(w);
        WidgetConversation first = TestWorkspaces.startWithSiteKey(w);
        identify(w, first, secret, Map.of("plan", "pro", "orders", 12, "vip", true)).statusCode(200);
        WidgetConversation second = TestWorkspaces.startWithSiteKey(w);
        // A later identify merges its attributes over the earlier ones and keeps the name when none is given.
        Map<String, Object> later = new HashMap<>();
        later.put("plan", "enterprise");
        identify(w, second, secret, later, null).statusCode(200);

        AgentLogin agent = AgentLogin.newAgent(agents, AgentRole.AGENT, UUID.fromString(w.id()));
        agent.request().get("/agent/conversations/" + second.id()).then().statusCode(200)
                .body(containsString("<dd id=\"profile-name\">Grace Hopper</dd>"))
                .body(containsString("<dd id=\"profile-email\">grace@example.com</dd>"))
                .body(containsString("verified by the business"))
                .body(containsString("<dt class=\"attribute\">plan</dt><dd class=\"attribute\">enterprise</dd>"))
                .body(containsString("<dt class=\"attribute\">orders</dt><dd class=\"attribute\">12</dd>"))
                .body(containsString("href=\"/agent/conversations/" + first.id() + "\""))
                .body(containsString("First seen"));

        given().header("Authorization", w.bearer()).get("/api/v1/visitors/user-7/export").then().statusCode(200)
                .body("profile.name", equalTo("Grace Hopper")).body("profile.verified", equalTo(true))
                .body("profile.attributes.plan", equalTo("enterprise")).body("profile.attributes.orders", equalTo(12))
                .body("profile.attributes.vip", equalTo(true)).body("profile.firstSeenAt", not(nullValue()));

        given().header("Authorization", w.bearer()).delete("/api/v1/visitors/user-7").then().statusCode(200);
        given().header("Authorization", w.bearer()).get("/api/v1/visitors/user-7/export").then().statusCode(200)
                .body("profile.name", nullValue()).body("profile.verified", equalTo(false))
                .body("profile.attributes", equalTo(Map.of())).body("conversations", equalTo(List.of()));
    }

    @Test
    void badAttributesAreRefusedNamingTheKey() {
        TestWorkspace w = TestWorkspaces.create();
        String secret = secret(w);
        WidgetConversation c = TestWorkspaces.startWithSiteKey(w);
        identify(w, c, secret, Map.of("address", Map.of("city", "Paris"))).statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("attributes.address"));
        identify(w, c, secret, Map.of("bad key!", "x")).statusCode(400).body("detail", containsString("bad key!"));
        identify(w, c, secret, Map.of("note", "x".repeat(501))).statusCode(400);
        Map<String, Object> many = new HashMap<>();
        for (int i = 0; i < 51; i++) {
            many.put("k" + i, i);
        }
        identify(w, c, secret, many).statusCode(400).body("detail", containsString("50"));
    }

    @Test
    void anAnonymousVisitorHasNoProfileButTheirOtherConversationsShow() {
        TestWorkspace w = TestWorkspaces.create();
        String visitor = "visitor-" + UUID.randomUUID();
        String one = start(w, visitor);
        String two = start(w, visitor);
        AgentLogin agent = AgentLogin.newAgent(agents, AgentRole.AGENT, UUID.fromString(w.id()));
        agent.request().get("/agent/conversations/" + two).then().statusCode(200)
                .body(containsString("not verified")).body(not(containsString("profile-name")))
                .body(containsString("href=\"/agent/conversations/" + one + "\""));
    }

    private static String start(TestWorkspace w, String visitor) {
        return given().header("X-Site-Key", w.siteKey()).contentType(ContentType.JSON)
                .body(Map.of("visitorId", visitor)).post("/api/v1/conversations").then().statusCode(201)
                .extract().path("id");
    }

    private static String secret(TestWorkspace w) {
        return given().header("Authorization", "Bearer " + TestWorkspaces.ADMIN_TOKEN)
                .get("/api/v1/workspaces/{id}/identity-secret", w.id()).then().extract().path("identitySecret");
    }

    private static ValidatableResponse identify(TestWorkspace w, WidgetConversation c, String secret,
            Map<String, Object> attributes) {
        return identify(w, c, secret, attributes, "Grace Hopper");
    }

    private static ValidatableResponse identify(TestWorkspace w, WidgetConversation c, String secret,
            Map<String, Object> attributes, String name) {
        Map<String, Object> body = new HashMap<>(Map.of("id", "user-7", "hash", VisitorIdentity.hmacHex(secret, "user-7"),
                "attributes", attributes));
        if (name != null) {
            body.put("name", name);
            body.put("email", "grace@example.com");
        }
        return given().header("X-Site-Key", w.siteKey()).header("X-Visitor-Token", c.visitorToken())
                .contentType(ContentType.JSON).body(body).post("/api/v1/conversations/{id}/identify", c.id()).then();
    }
}
