package dev.switchboard.dashboard;

import static dev.switchboard.support.TestWorkspaces.ADMIN_TOKEN;
import static dev.switchboard.support.TestWorkspaces.startWithSiteKey;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestFiles;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.support.TestWorkspaces.WidgetConversation;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's side of issue 20 parts 3 and 5: the business-hours page, and files in a conversation. */
@QuarkusTest
class HoursAndAttachmentPagesTest {

    @Inject
    AgentService agents;

    @BeforeEach
    void setUp() {
        NoBot.install();
    }

    @Test
    void anAdminSetsHoursOnThePageAndAMistakeIsShownWithWhatWasTyped() {
        TestWorkspace w = TestWorkspaces.create();
        UUID id = UUID.fromString(w.id());
        AgentLogin admin = AgentLogin.newAgent(agents, AgentRole.ADMIN, id);
        admin.request().get("/agent/w/" + id + "/hours").then().statusCode(200)
                .body(containsString("always in"));

        admin.form().formParam("timeZone", "America/New_York").formParam("mon", "9:00-17:00")
                .post("/agent/w/" + id + "/hours").then().statusCode(400)
                .body(containsString("weekly.mon")).body(containsString("value=\"9:00-17:00\""));
        admin.request().get("/agent/w/" + id + "/hours").then().body(containsString("always in"));

        admin.form().formParam("timeZone", "America/New_York").formParam("mon", "09:00-12:00, 13:00-17:00")
                .formParam("fri", "09:00-15:00").formParam("holidays", "2026-07-03\n2026-11-26")
                .formParam("expectedReplyMinutes", "20")
                .post("/agent/w/" + id + "/hours").then().statusCode(303);
        given().header("Authorization", "Bearer " + ADMIN_TOKEN).get("/api/v1/workspaces/{id}/hours", w.id())
                .then().statusCode(200).body("timeZone", equalTo("America/New_York"))
                .body("weekly.mon", equalTo(List.of("09:00-12:00", "13:00-17:00")))
                .body("holidays", equalTo(List.of("2026-07-03", "2026-11-26")))
                .body("expectedReplyMinutes", equalTo(20));
        admin.request().get("/agent/w/" + id + "/hours").then().statusCode(200)
                .body(containsString("value=\"09:00-12:00, 13:00-17:00\"")).body(not(containsString("always in")));

        // Agents without the admin role neither see nor change the hours.
        AgentLogin agent = AgentLogin.newAgent(agents, AgentRole.AGENT, id);
        agent.request().get("/agent/w/" + id + "/hours").then().statusCode(403);
        agent.form().formParam("timeZone", "UTC").post("/agent/w/" + id + "/hours/remove").then().statusCode(403);
        // Nor does an admin of another workspace.
        AgentLogin stranger = AgentLogin.newAgent(agents, AgentRole.ADMIN, UUID.fromString(TestWorkspaces.create().id()));
        stranger.request().get("/agent/w/" + id + "/hours").then().statusCode(404);
    }

    @Test
    void agentsSeeAndSendFilesAndOnlyTheWorkspacesAgentsGetThem() {
        TestWorkspace w = TestWorkspaces.create();
        UUID id = UUID.fromString(w.id());
        WidgetConversation c = startWithSiteKey(w);
        String attachment = given().header("X-Site-Key", c.siteKey()).header("X-Visitor-Token", c.visitorToken())
                .contentType("image/gif").body(TestFiles.image("gif", 300, 300))
                .post("/api/v1/conversations/{id}/attachments?filename=dent.gif", c.id()).then().statusCode(201)
                .extract().path("attachment.id");
        given().header("X-Site-Key", c.siteKey()).header("X-Visitor-Token", c.visitorToken())
                .contentType(ContentType.JSON).body(Map.of("email", "sam@example.com"))
                .post("/api/v1/conversations/{id}/contact-email", c.id()).then().statusCode(200);

        AgentLogin agent = AgentLogin.newAgent(agents, AgentRole.AGENT, id);
        String page = "/agent/conversations/" + c.id();
        agent.request().get(page).then().statusCode(200)
                .body(containsString("src=\"" + page + "/attachments/" + attachment + "/thumbnail\""))
                .body(containsString("href=\"mailto:sam@example.com\""));
        agent.request().get(page + "/attachments/" + attachment + "/thumbnail").then().statusCode(200)
                .contentType("image/png");
        agent.request().get(page + "/attachments/" + attachment).then().statusCode(200).contentType("image/gif")
                .header("Content-Disposition", startsWith("inline"));

        byte[] pdf = TestFiles.pdf();
        String sent = agent.request().header("X-CSRF-Token", agent.csrf()).contentType("application/octet-stream")
                .body(pdf).post(page + "/attachments?filename=label.pdf").then().statusCode(201)
                .body("role", equalTo("agent")).body("attachment.contentType", equalTo("application/pdf"))
                .extract().path("attachment.id");
        assertArrayEquals(pdf, agent.request().get(page + "/attachments/" + sent).then().statusCode(200)
                .header("Content-Disposition", startsWith("attachment; filename=\"label.pdf\"")).extract()
                .asByteArray());
        // Sending a file takes the conversation over, as a reply does.
        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}", c.id()).then()
                .body("status", equalTo("open"));
        // The visitor gets the agent's file with their token.
        given().queryParam("site_key", c.siteKey()).queryParam("visitor_token", c.visitorToken())
                .get("/api/v1/conversations/{id}/attachments/{a}", c.id(), sent).then().statusCode(200)
                .contentType("application/pdf");

        agent.request().contentType("application/octet-stream").body(pdf)
                .post(page + "/attachments?filename=x.pdf").then().statusCode(403); // no CSRF token
        agent.request().header("X-CSRF-Token", agent.csrf()).contentType("application/octet-stream")
                .body(TestFiles.svg()).post(page + "/attachments?filename=x.png").then().statusCode(415)
                .contentType("application/problem+json");

        AgentLogin other = AgentLogin.newAgent(agents, AgentRole.AGENT, UUID.fromString(TestWorkspaces.create().id()));
        other.request().get(page + "/attachments/" + attachment).then().statusCode(404);
        other.request().get(page + "/attachments/" + attachment + "/thumbnail").then().statusCode(404);
        other.request().header("X-CSRF-Token", other.csrf()).contentType("application/octet-stream").body(pdf)
                .post(page + "/attachments?filename=x.pdf").then().statusCode(404);
    }
}
