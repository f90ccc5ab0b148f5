package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.HandoffReason;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.restassured.http.ContentType;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class LabelAndSearchPagesTest {

    @Inject
    AgentService agents;

    @Inject
    ConversationService conversations;

    TestWorkspace shop;
    UUID shopId;

    @BeforeEach
    void setUp() {
        NoBot.install();
        shop = TestWorkspaces.create();
        shopId = UUID.fromString(shop.id());
    }

    @Test
    void adminsManageLabelsAndAgentsMayNot() {
        AgentLogin admin = AgentLogin.newAgent(agents, AgentRole.ADMIN, shopId);
        String page = "/agent/w/" + shopId + "/labels";
        admin.form().formParam("name", "Refund").formParam("colour", "#FF8800").post(page).then().statusCode(303)
                .header("Location", endsWith(page));
        admin.form().formParam("name", "refund").formParam("colour", "#000000").post(page).then().statusCode(409)
                .body(containsString("already has a label named"));
        admin.form().formParam("name", "vip").formParam("colour", "javascript:alert(1)").post(page).then()
                .statusCode(400).body(containsString("colour"));
        String id = labelId("Refund");
        admin.request().get(page).then().statusCode(200).body(containsString("data-colour=\"#ff8800\""))
                .body(containsString(">Refund</span>"));
        admin.form().formParam("name", "Refunds").formParam("colour", "#00ff00").post(page + "/" + id).then()
                .statusCode(303);
        labels().then().body("items.name", equalTo(List.of("Refunds"))).body("items.colour",
                equalTo(List.of("#00ff00")));

        AgentLogin agent = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        agent.request().get(page).then().statusCode(403);
        agent.form().formParam("name", "sneaky").post(page).then().statusCode(403);
        agent.form().post(page + "/" + id + "/delete").then().statusCode(403);
        agent.request().get("/agent/w/" + shopId + "/inbox").then().body(not(containsString(page)));
        admin.request().get("/agent/w/" + shopId + "/inbox").then().body(containsString(page));

        // an admin of another workspace sees none of it
        TestWorkspace other = TestWorkspaces.create();
        AgentLogin otherAdmin = AgentLogin.newAgent(agents, AgentRole.ADMIN, UUID.fromString(other.id()));
        otherAdmin.request().get(page).then().statusCode(404);
        otherAdmin.form().post(page + "/" + id + "/delete").then().statusCode(404);

        admin.form().post(page + "/" + id + "/delete").then().statusCode(303);
        labels().then().body("items", org.hamcrest.Matchers.empty());
    }

    @Test
    void agentsLabelConversationsAndTheInboxFiltersByLabel() {
        String vip = createLabel("vip", "#aa00aa");
        createLabel("spam", "#000000");
        String labelled = TestWorkspaces.startWithApiKey(shop);
        TestWorkspaces.postAsCustomer(shop, labelled, "I am a very important customer");
        String plain = TestWorkspaces.startWithApiKey(shop);
        TestWorkspaces.postAsCustomer(shop, plain, "Just asking");
        AgentLogin agent = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);

        String conversationPage = "/agent/conversations/" + labelled;
        agent.request().get(conversationPage).then().statusCode(200)
                .body(containsString("<option value=\"" + vip + "\">vip</option>"));
        agent.form().formParam("labelId", vip).post(conversationPage + "/labels").then().statusCode(303)
                .header("Location", endsWith(conversationPage));
        given().header("Authorization", shop.bearer()).get("/api/v1/conversations/{id}/labels", labelled).then()
                .body("items.name", equalTo(List.of("vip")));
        String html = agent.request().get(conversationPage).asString();
        assertTrue(html.contains("data-label=\"" + vip + "\">vip"), html);
        assertTrue(!html.contains("<option value=\"" + vip + "\">"), "a label that is on is not offered again");

        String inbox = "/agent/w/" + shopId + "/inbox?status=bot";
        agent.request().get(inbox).then().body(containsString(labelled)).body(containsString(plain));
        String filtered = agent.request().get(inbox + "&label=" + vip).then().statusCode(200).extract().asString();
        assertTrue(filtered.contains(labelled) && !filtered.contains(plain), filtered);
        assertTrue(filtered.contains("inbox/list?status=bot&view=all&amp;label=" + vip), "the live list keeps the filter");
        agent.request().get("/agent/w/" + shopId + "/inbox/list?status=bot&label=" + vip).then()
                .body(containsString(labelled)).body(not(containsString(plain)));

        // a label of another workspace is no filter here, and no label for this conversation
        TestWorkspace other = TestWorkspaces.create();
        String theirs = given().header("Authorization", other.bearer()).contentType(ContentType.JSON)
                .body(Map.of("name", "theirs")).post("/api/v1/labels").then().statusCode(201).extract().path("id");
        agent.request().get(inbox + "&label=" + theirs).then().statusCode(404);
        agent.form().formParam("labelId", theirs).post(conversationPage + "/labels").then().statusCode(303)
                .header("Location", containsString("error="));

        agent.form().post(conversationPage + "/labels/" + vip + "/delete").then().statusCode(303);
        given().header("Authorization", shop.bearer()).get("/api/v1/conversations/{id}/labels", labelled).then()
                .body("items", org.hamcrest.Matchers.empty());
    }

    @Test
    void theSearchPageShowsRankedHighlightedHitsOfItsWorkspaceOnly() {
        String vip = createLabel("vip", "#aa00aa");
        String once = TestWorkspaces.startWithApiKey(shop);
        TestWorkspaces.postAsCustomer(shop, once, "My invoice is wrong <b>bold</b> & late");
        String twice = TestWorkspaces.startWithApiKey(shop);
        TestWorkspaces.postAsCustomer(shop, twice, "Invoice missing, please resend the invoice");
        given().header("Authorization", shop.bearer()).put("/api/v1/conversations/{c}/labels/{l}", once, vip).then()
                .statusCode(200);
        TestWorkspace other = TestWorkspaces.create();
        String theirs = TestWorkspaces.startWithApiKey(other);
        TestWorkspaces.postAsCustomer(other, theirs, "Another shop's invoice");
        String email = "agent-" + UUID.randomUUID() + "@example.com";
        UUID agentId = agents.create(email, "Searcher", AgentLogin.PASSWORD, AgentRole.AGENT, List.of(shopId))
                .agent().id;
        AgentLogin agent = AgentLogin.login(email, AgentLogin.PASSWORD);

        String search = "/agent/w/" + shopId + "/search";
        agent.request().get(search).then().statusCode(200).body(containsString("id=\"search-q\""))
                .body(not(containsString("id=\"hits\"")));
        String html = agent.request().queryParam("q", "invoice").get(search).then().statusCode(200).extract()
                .asString();
        assertTrue(html.indexOf("data-id=\"" + twice + "\"") < html.indexOf("data-id=\"" + once + "\"")
                && html.contains("data-id=\"" + once + "\""), "more mentions first: " + html);
        assertTrue(!html.contains(theirs), "another workspace's conversation");
        assertTrue(html.contains("<mark>invoice</mark> is wrong"), html);
        assertTrue(html.contains("&amp; late") && !html.contains("<b>bold</b>"), html);

        String filtered = agent.request().queryParam("q", "invoice").queryParam("label", vip).get(search).asString();
        assertTrue(filtered.contains("data-id=\"" + once + "\"") && !filtered.contains("data-id=\"" + twice + "\""));
        given().header("Authorization", shop.bearer()).contentType(ContentType.JSON).body(Map.of("agentId", agentId))
                .put("/api/v1/conversations/{id}/assignment", twice).then().statusCode(200);
        String mine = agent.request().queryParam("q", "invoice").queryParam("assignee", "me").get(search).asString();
        assertTrue(mine.contains("data-id=\"" + twice + "\"") && !mine.contains("data-id=\"" + once + "\""), mine);
        assertTrue(mine.contains("<option value=\"me\" selected>"), "the form keeps the filter");
        String nobodys = agent.request().queryParam("q", "invoice").queryParam("assignee", "none").get(search)
                .asString();
        assertTrue(nobodys.contains("data-id=\"" + once + "\"") && !nobodys.contains("data-id=\"" + twice + "\""));
        agent.request().queryParam("q", "nothingmatcheshere").get(search).then().statusCode(200)
                .body(containsString("id=\"no-hits\""));
        agent.request().queryParam("q", "invoice").queryParam("from", "last week").get(search).then()
                .statusCode(400).body(containsString("Parameter &#39;from&#39;"));

        AgentLogin stranger = AgentLogin.newAgent(agents, AgentRole.AGENT, UUID.fromString(other.id()));
        stranger.request().queryParam("q", "invoice").get(search).then().statusCode(404);
    }

    @Test
    void analyticsShowsEachLabelsConversationsHandoffRateAndBotResolvedShare() {
        String refund = createLabel("refund", "#ff0000");
        String vip = createLabel("vip", "#0000ff");
        createLabel("unused", "#00ff00");
        String handedOff = labelled(refund);
        conversations.handoff(UUID.fromString(handedOff), HandoffReason.CUSTOMER_REQUEST, "A person comes.");
        String botAlone = labelled(refund);
        conversations.resolve(UUID.fromString(botAlone));
        String byAgent = labelled(vip);
        conversations.agentReply(UUID.fromString(byAgent), "Ada", "Done for you");
        conversations.resolve(UUID.fromString(byAgent));
        TestWorkspaces.startWithApiKey(shop); // no label: in no row

        AgentLogin agent = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        String html = agent.request().get("/agent/w/" + shopId + "/analytics").then().statusCode(200).extract()
                .asString().replaceAll("\\s+", " ");
        assertTrue(html.contains("data-colour=\"#ff0000\">refund</span></th><td>2</td><td>50 %</td><td>50 %</td>"),
                html);
        assertTrue(html.contains(">vip</span></th><td>1</td><td>0 %</td><td>0 %</td>"), html);
        assertTrue(html.contains(">unused</span></th><td>0</td><td>–</td><td>–</td>"), html);
        assertTrue(html.indexOf(">refund<") < html.indexOf(">vip<"), "the most used first");
    }

    private String labelled(String labelId) {
        String id = TestWorkspaces.startWithApiKey(shop);
        TestWorkspaces.postAsCustomer(shop, id, "Hello");
        given().header("Authorization", shop.bearer()).put("/api/v1/conversations/{c}/labels/{l}", id, labelId)
                .then().statusCode(200);
        return id;
    }

    private String createLabel(String name, String colour) {
        return given().header("Authorization", shop.bearer()).contentType(ContentType.JSON)
                .body(Map.of("name", name, "colour", colour)).post("/api/v1/labels").then().statusCode(201)
                .extract().path("id");
    }

    private io.restassured.response.Response labels() {
        return given().header("Authorization", shop.bearer()).get("/api/v1/labels");
    }

    private String labelId(String name) {
        return labels().then().extract().jsonPath().getString("items.find { it.name == '" + name + "' }.id");
    }
}
