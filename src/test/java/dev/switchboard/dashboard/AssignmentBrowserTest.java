package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.HandoffReason;
import dev.switchboard.support.Await;
import dev.switchboard.support.Browser;
import dev.switchboard.support.BrowserTest;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.workspace.VisitorIdentity;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebDriver;

/**
 * Issue 20 in a real Chromium: two agents of a team, only Ada has the dashboard open (its page's heartbeat makes her
 * online); a handoff of a conversation of that team lands live in Ada's "Mine" view, and the conversation page shows
 * the assignee and the visitor's profile. Takes the README's picture of the conversation ({@code -Dscreenshots}).
 */
@BrowserTest
@QuarkusTest
class AssignmentBrowserTest {

    @Inject
    AgentService agents;

    @Inject
    Presence presence;

    @Inject
    ConversationService conversations;

    @TestHTTPResource("/")
    URL base;

    @Test
    void aHandoffIsAutoAssignedToTheOnlineTeamMemberAndAppearsInHerInbox() throws Exception {
        NoBot.install();
        TestWorkspace shop = TestWorkspaces.create();
        String adaEmail = "ada-" + UUID.randomUUID() + "@example.com";
        UUID ada = agents.create(adaEmail, "Ada", AgentLogin.PASSWORD, AgentRole.AGENT,
                List.of(UUID.fromString(shop.id()))).agent().id;
        UUID bob = agents.create("bob-" + UUID.randomUUID() + "@example.com", "Bob", AgentLogin.PASSWORD,
                AgentRole.AGENT, List.of(UUID.fromString(shop.id()))).agent().id;
        String team = given().header("Authorization", shop.bearer()).contentType(ContentType.JSON)
                .body(Map.of("name", "Returns", "memberIds", List.of(ada, bob))).post("/api/v1/teams")
                .then().statusCode(201).extract().path("id");

        try (Browser browser = Browser.open()) {
            WebDriver page = browser.driver();
            AgentLogin.inBrowser(browser, base.toURI(), adaEmail);
            page.get(url("/agent/w/" + shop.id() + "/inbox?status=pending&view=mine"));
            Await.until("Ada's page beats: she is online", () -> presence.online(ada));
            assertEquals(false, presence.online(bob));

            // The customer, identified by the shop's site, asks for a person about a return.
            TestWorkspaces.WidgetConversation c = TestWorkspaces.startWithSiteKey(shop);
            String secret = given().header("Authorization", "Bearer " + TestWorkspaces.ADMIN_TOKEN)
                    .get("/api/v1/workspaces/{id}/identity-secret", shop.id()).then().extract().path("identitySecret");
            given().header("X-Site-Key", shop.siteKey()).header("X-Visitor-Token", c.visitorToken())
                    .contentType(ContentType.JSON).body(Map.of("id", "customer-1001", "name", "Grace Hopper",
                            "email", "grace@example.com", "hash", VisitorIdentity.hmacHex(secret, "customer-1001"),
                            "attributes", Map.of("plan", "pro", "orders", 12)))
                    .post("/api/v1/conversations/{id}/identify", c.id()).then().statusCode(200);
            given().header("X-Site-Key", shop.siteKey()).header("X-Visitor-Token", c.visitorToken())
                    .contentType(ContentType.JSON).body(Map.of("content", "My parcel arrived damaged, I want a refund"))
                    .post("/api/v1/conversations/{id}/messages", c.id()).then().statusCode(201);
            given().header("Authorization", shop.bearer()).contentType(ContentType.JSON).body(Map.of("teamId", team))
                    .put("/api/v1/conversations/{id}/assignment", c.id()).then().statusCode(200);
            conversations.handoff(UUID.fromString(c.id()), HandoffReason.CUSTOMER_REQUEST,
                    "A person from our team will answer here.");

            browser.await("the handoff in Ada's Mine view, without a reload",
                    d -> DashboardBrowserTest.text(d, "li[data-id='" + c.id() + "'] .preview")
                            .contains("parcel arrived damaged"));
            assertEquals(ada, conversations.findConversation(UUID.fromString(c.id())).orElseThrow().assigneeAgentId);
            browser.readmePicture("inbox-mine.png");

            page.get(url("/agent/conversations/" + c.id()));
            browser.await("the assignee and the visitor's profile",
                    d -> DashboardBrowserTest.text(d, "#assignee").equals("Ada")
                            && DashboardBrowserTest.text(d, "#profile-name").equals("Grace Hopper"));
            browser.readmePicture("conversation.png");
        }
    }

    private String url(String path) throws java.net.URISyntaxException {
        return base.toURI().resolve(path).toString();
    }
}
