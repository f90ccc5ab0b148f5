package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.workspace.VisitorIdentity;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An anonymous visitor claiming a verified user's id stays a different person everywhere (issue 17). */
@QuarkusTest
class VerifiedVisitorTest {

    @Inject
    AgentService agents;

    @BeforeEach
    void silenceBot() {
        NoBot.install();
    }

    @Test
    void anAnonymousClaimOfAVerifiedIdIsAnotherIdentityInTheApiTheDashboardAndDataRights() {
        TestWorkspace w = TestWorkspaces.create();
        String secret = given().header("Authorization", "Bearer " + TestWorkspaces.ADMIN_TOKEN)
                .get("/api/v1/workspaces/{id}/identity-secret", w.id()).then().extract().path("identitySecret");
        TestWorkspaces.WidgetConversation real = TestWorkspaces.startWithSiteKey(w);
        given().header("X-Site-Key", w.siteKey()).header("X-Visitor-Token", real.visitorToken())
                .contentType(ContentType.JSON)
                .body(Map.of("id", "user-42", "hash", VisitorIdentity.hmacHex(secret, "user-42")))
                .post("/api/v1/conversations/{id}/identify", real.id()).then().statusCode(200)
                .body("visitorId", equalTo("user-42")).body("visitorVerified", equalTo(true));

        String spoofed = given().header("X-Site-Key", w.siteKey()).contentType(ContentType.JSON)
                .body(Map.of("visitorId", "user-42")).post("/api/v1/conversations").then().statusCode(201)
                .body("visitorId", equalTo("anon:user-42")).body("visitorVerified", equalTo(false))
                .extract().path("id");

        given().header("Authorization", w.bearer()).get("/api/v1/visitors/user-42/export").then().statusCode(200)
                .body("conversations.conversation.id", equalTo(List.of(real.id())));
        AgentLogin agent = AgentLogin.newAgent(agents, AgentRole.AGENT, UUID.fromString(w.id()));
        agent.request().get("/agent/conversations/" + real.id()).then().statusCode(200)
                .body(containsString("class=\"badge verified\"")).body(not(containsString("unverified")));
        agent.request().get("/agent/conversations/" + spoofed).then().statusCode(200)
                .body(containsString("anon:user-42")).body(containsString("class=\"badge unverified\""));

        given().header("Authorization", w.bearer()).delete("/api/v1/visitors/user-42").then().statusCode(200)
                .body("conversations", equalTo(1));
        given().header("Authorization", w.bearer()).get("/api/v1/visitors/anon:user-42/export").then()
                .statusCode(200).body("conversations.conversation.id", equalTo(List.of(spoofed)));
    }
}
