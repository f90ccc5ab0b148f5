package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationQueries;
import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.HandoffReason;
import dev.switchboard.support.Await;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestClock;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.support.WebhookReceiver;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20 part 1: teams and assignment through the API and the dashboard, the inbox views, presence, and the
 * auto-assignment of handoffs round-robin among online agents under the cap.
 */
@QuarkusTest
class AssignmentTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    AgentService agents;

    @Inject
    ConversationService conversations;

    @Inject
    ConversationQueries conversationQueries;

    @Inject
    AssignmentConfig config;

    private final Map<AgentLogin, UUID> ids = new HashMap<>();

    @BeforeEach
    void agentsPlayTheBot() {
        NoBot.install();
    }

    @Test
    void teamsAreManagedThroughTheApiWithinTheirWorkspace() {
        TestWorkspace w = TestWorkspaces.create();
        TestWorkspace other = TestWorkspaces.create();
        UUID ada = agent(w, "Ada");
        UUID outsider = agent(other, "Olga");

        String team = createTeam(w, "Billing", List.of(ada)).statusCode(201)
                .body("name", equalTo("Billing")).body("memberIds", equalTo(List.of(ada.toString())))
                .extract().path("id");
        createTeam(w, "billing", List.of()).statusCode(409);
        createTeam(w, "Returns", List.of(outsider)).statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("memberIds"));
        createTeam(w, " ", List.of()).statusCode(400);

        given().header("Authorization", w.bearer()).get("/api/v1/teams").then().statusCode(200)
                .body("items.name", equalTo(List.of("Billing")));
        given().header("Authorization", other.bearer()).contentType(ContentType.JSON)
                .body(Map.of("memberIds", List.of())).put("/api/v1/teams/{id}/members", team)
                .then().statusCode(404);
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("memberIds", List.of())).put("/api/v1/teams/{id}/members", team)
                .then().statusCode(200).body("memberIds", equalTo(List.of()));
        given().header("Authorization", w.bearer()).get("/api/v1/agents").then().statusCode(200)
                .body("items.displayName", equalTo(List.of("Ada"))).body("items[0].online", equalTo(false));
        given().get("/api/v1/teams").then().statusCode(401);
    }

    @Test
    void adminsManageTeamsOnTheTeamsPage() {
        TestWorkspace w = TestWorkspaces.create();
        UUID workspace = UUID.fromString(w.id());
        UUID ada = agent(w, "Ada");
        UUID bob = agent(w, "Bob");
        AgentLogin admin = AgentLogin.newAgent(agents, AgentRole.ADMIN, workspace);
        String page = "/agent/w/" + w.id() + "/teams";

        admin.request().get(page).then().statusCode(200).body(containsString("No teams yet."))
                .body(containsString("value=\"" + ada + "\"> Ada"));
        admin.form().formParam("name", "Returns").formParam("memberId", ada.toString(), bob.toString()).post(page)
                .then().statusCode(303);
        String team = given().header("Authorization", w.bearer()).get("/api/v1/teams").then()
                .body("items.name", equalTo(List.of("Returns"))).extract().path("items[0].id");
        assertEquals(List.of(ada, bob).stream().map(UUID::toString).sorted().toList(),
                given().header("Authorization", w.bearer()).get("/api/v1/teams").jsonPath()
                        .<String>getList("items[0].memberIds").stream().sorted().toList());
        admin.form().formParam("name", "returns").post(page).then().statusCode(409)
                .body(containsString("a team named"));

        admin.form().formParam("memberId", bob.toString()).post(page + "/" + team + "/members").then().statusCode(303);
        admin.request().get(page).then().body(containsString("<span class=\"muted members\">Bob</span>"));
        admin.form().post(page + "/" + team + "/delete").then().statusCode(303);
        given().header("Authorization", w.bearer()).get("/api/v1/teams").then().body("items", equalTo(List.of()));

        AgentLogin.newAgent(agents, AgentRole.AGENT, workspace).request().get(page).then().statusCode(403);
    }

    @Test
    void anAssignmentIsCheckedAgainstTheWorkspaceAndRecordedOnTheStreamAndWebhooks() throws Exception {
        TestWorkspace w = TestWorkspaces.create();
        TestWorkspace other = TestWorkspaces.create();
        UUID ada = agent(w, "Ada");
        UUID outsider = agent(other, "Olga");
        String team = createTeam(w, "Billing", List.of(ada)).statusCode(201).extract().path("id");
        String otherTeam = createTeam(other, "Billing", List.of()).statusCode(201).extract().path("id");
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                    .body(Map.of("url", receiver.url().toString(), "events", List.of("conversation.assigned")))
                    .post("/api/v1/webhooks").then().statusCode(201);
            String id = TestWorkspaces.startWithApiKey(w);

            assign(w, id, Map.of("agentId", ada, "teamId", team)).statusCode(200)
                    .body("assigneeAgentId", equalTo(ada.toString())).body("assigneeTeamId", equalTo(team));
            assign(w, id, Map.of("agentId", outsider)).statusCode(400).body("detail", containsString("agentId"));
            assign(w, id, Map.of("teamId", otherTeam)).statusCode(400).body("detail", containsString("teamId"));
            assign(other, id, Map.of("agentId", outsider)).statusCode(404);
            given().header("Authorization", w.bearer()).delete("/api/v1/conversations/{id}/assignment", id)
                    .then().statusCode(200).body("assigneeAgentId", nullValue()).body("assigneeTeamId", nullValue());

            List<JsonNode> events = assignedEvents(w, id);
            assertEquals(2, events.size(), "one event per change, none for refused ones: " + events);
            assertEquals("Ada", events.get(0).path("agentName").asText());
            assertEquals("Billing", events.get(0).path("teamName").asText());
            assertTrue(events.get(1).path("agentId").isNull(), events.get(1).toString());
            assertEquals(ada.toString(), events.get(1).path("previousAgentId").asText());

            Await.until("both assignments delivered to the webhook", () -> receiver.received().size() >= 2);
            // Deliveries run in parallel, so the assignment's may arrive after the unassignment's.
            JsonNode first = null;
            for (var delivery : receiver.received()) {
                JsonNode payload = JSON.readTree(delivery.body());
                if (!payload.path("data").path("agentId").isNull()) {
                    first = payload;
                }
            }
            assertNotNull(first, "the assignment's delivery");
            assertEquals("conversation.assigned", first.path("type").asText());
            assertEquals(ada.toString(), first.path("data").path("agentId").asText());
            assertEquals(false, first.path("data").path("automatic").asBoolean());
        }
    }

    @Test
    void aHandoffGoesToTheOnlineAgentsInTurnAndNeverToAnOfflineOne() {
        TestWorkspace w = TestWorkspaces.create();
        AgentLogin ada = login(w, "Ada");
        AgentLogin bob = login(w, "Bob");
        UUID carol = agent(w, "Carol"); // never opens the dashboard
        heartbeat(ada);
        heartbeat(bob);

        UUID first = handoff(w);
        UUID second = handoff(w);
        UUID third = handoff(w);
        UUID a = assignee(first);
        UUID b = assignee(second);
        assertTrue(a != null && b != null && !a.equals(b), "two online agents take turns: " + a + ", " + b);
        assertEquals(a, assignee(third), "the least recently assigned goes next");
        assertTrue(!a.equals(carol) && !b.equals(carol), "an agent who is not online gets nothing");
        JsonNode auto = assignedEvents(w, first.toString()).getFirst();
        assertTrue(auto.path("automatic").asBoolean(), auto.toString());
    }

    @Test
    void aTeamsHandoffGoesToAnOnlineMemberOfThatTeam() {
        TestWorkspace w = TestWorkspaces.create();
        AgentLogin ada = login(w, "Ada");
        AgentLogin bob = login(w, "Bob");
        heartbeat(ada);
        heartbeat(bob);
        String team = createTeam(w, "Returns", List.of(agentId(bob))).statusCode(201).extract().path("id");
        for (int i = 0; i < 3; i++) {
            String id = TestWorkspaces.startWithApiKey(w);
            assign(w, id, Map.of("teamId", team)).statusCode(200);
            conversations.handoff(UUID.fromString(id), HandoffReason.CUSTOMER_REQUEST, "A person will answer.");
            assertEquals(agentId(bob), assignee(UUID.fromString(id)), "Bob is the team's only member");
            assertEquals(UUID.fromString(team), QuarkusTransaction.requiringNew().call(() -> conversations
                    .findConversation(UUID.fromString(id)).orElseThrow().assigneeTeamId), "the team stays");
        }
    }

    @Test
    void presenceEndsAfterTheTimeoutOrAtLogout() {
        TestWorkspace w = TestWorkspaces.create();
        TestClock clock = TestClock.install(Instant.parse("2026-03-02T10:00:00Z"));
        AgentLogin ada = login(w, "Ada");
        heartbeat(ada);
        clock.advance(config.presenceTimeout().plus(Duration.ofSeconds(1)));
        assertNull(assignee(handoff(w)), "no heartbeat within the timeout: offline");
        heartbeat(ada);
        assertEquals(agentId(ada), assignee(handoff(w)));
        ada.form().post("/agent/logout").then().statusCode(303);
        assertNull(assignee(handoff(w)), "logged out: offline at once");
    }

    @Test
    void anAgentAtTheCapGetsNoMoreHandoffs() {
        TestWorkspace w = TestWorkspaces.create();
        AgentLogin ada = login(w, "Ada");
        heartbeat(ada);
        for (int i = 0; i < config.maxOpenPerAgent(); i++) {
            assertEquals(agentId(ada), assignee(handoff(w)), "handoff " + (i + 1) + " is under the cap");
        }
        UUID over = handoff(w);
        assertNull(assignee(over), "the cap of " + config.maxOpenPerAgent() + " is reached");

        conversations.resolve(assignedTo(w, agentId(ada)));
        assertEquals(agentId(ada), assignee(handoff(w)), "a resolved conversation frees a place");
    }

    @Test
    void theInboxViewsAndTheAssignFormOfTheDashboard() {
        TestWorkspace w = TestWorkspaces.create();
        AgentLogin ada = login(w, "Ada");
        AgentLogin bob = login(w, "Bob");
        String team = createTeam(w, "Billing", List.of(agentId(ada))).statusCode(201).extract().path("id");
        UUID mine = handoff(w);
        UUID teams = handoff(w);
        UUID nobodys = handoff(w);
        ada.form().formParam("assignee", "me").post("/agent/conversations/{id}/assign", mine).then().statusCode(303);
        bob.form().formParam("assignee", "team:" + team).post("/agent/conversations/{id}/assign", teams)
                .then().statusCode(303);
        ada.request().formParam("assignee", "me").post("/agent/conversations/{id}/assign", nobodys)
                .then().statusCode(403); // no CSRF token
        assertEquals(agentId(ada), assignee(mine));
        assertNull(assignee(nobodys));

        assertEquals(List.of(mine), inbox(ada, "mine"));
        assertEquals(List.of(teams), inbox(ada, "team"));
        assertEquals(List.of(), inbox(bob, "team"), "Bob is in no team");
        assertEquals(List.of(nobodys), inbox(ada, "unassigned"));
        assertEquals(3, inbox(ada, "all").size());
        ada.request().get("/agent/w/{w}/inbox?view=everything", w.id()).then().statusCode(400);

        ada.request().get("/agent/conversations/{id}", mine).then().statusCode(200)
                .body(containsString("Assigned to <strong id=\"assignee\">Agent"))
                .body(not(containsString("id=\"assign-me\"")));
        bob.request().get("/agent/conversations/{id}", teams).then().statusCode(200)
                .body(containsString("team Billing")).body(containsString("id=\"assign-me\""));
        bob.form().formParam("assignee", "").post("/agent/conversations/{id}/assign", mine).then().statusCode(303);
        assertNull(assignee(mine), "empty: unassigned");
        bob.form().formParam("assignee", "agent:" + UUID.randomUUID()).post("/agent/conversations/{id}/assign", mine)
                .then().statusCode(303).header("Location", containsString("error="));
    }

    @Test
    void anAgentsDashboardReplyNamesTheAgent() {
        TestWorkspace w = TestWorkspaces.create();
        AgentLogin ada = login(w, "Ada");
        UUID id = handoff(w);
        ada.form().formParam("content", "Hello, Ada here.").post("/agent/conversations/{id}/reply", id)
                .then().statusCode(303);
        assertEquals(agentId(ada), conversations.messages(id).getLast().authorAgentId);
    }

    @Test
    void theAnalyticsPageHasPerAgentFigures() {
        TestWorkspace w = TestWorkspaces.create();
        TestClock clock = TestClock.install(Instant.now());
        AgentLogin ada = login(w, "Ada");
        login(w, "Bob");
        for (int wait : new int[] {30, 90, 600}) {
            String id = TestWorkspaces.startWithApiKey(w);
            assign(w, id, Map.of("agentId", agentId(ada))).statusCode(200);
            clock.advance(Duration.ofSeconds(wait));
            ada.form().formParam("content", "On it.").post("/agent/conversations/{id}/reply", id).then().statusCode(303);
        }
        ada.form().formParam("content", "Anything else?").post("/agent/conversations/{id}/reply",
                TestWorkspaces.startWithApiKey(w)).then().statusCode(303);
        String page = ada.request().get("/agent/w/{w}/analytics", w.id()).then().statusCode(200).extract().asString();
        assertTrue(page.contains("<tr><td>Agent Ada</td><td class=\"assigned\">3</td><td class=\"replies\">4</td>"
                + "<td class=\"first-response\">90 s</td></tr>"), page);
        assertTrue(page.contains("<tr><td>Agent Bob</td><td class=\"assigned\">0</td><td class=\"replies\">0</td>"),
                page);
    }

    // --- helpers

    private UUID agent(TestWorkspace w, String name) {
        return agents.create("agent-" + UUID.randomUUID() + "@example.com", name, AgentLogin.PASSWORD, AgentRole.AGENT,
                List.of(UUID.fromString(w.id()))).agent().id;
    }

    private AgentLogin login(TestWorkspace w, String name) {
        String email = "agent-" + UUID.randomUUID() + "@example.com";
        UUID id = agents.create(email, "Agent " + name, AgentLogin.PASSWORD, AgentRole.AGENT,
                List.of(UUID.fromString(w.id()))).agent().id;
        AgentLogin login = AgentLogin.login(email, AgentLogin.PASSWORD);
        ids.put(login, id);
        return login;
    }

    private UUID agentId(AgentLogin login) {
        return ids.get(login);
    }

    private static void heartbeat(AgentLogin login) {
        login.request().header("X-CSRF-Token", login.csrf()).post("/agent/presence").then().statusCode(204);
    }

    private UUID handoff(TestWorkspace w) {
        UUID id = UUID.fromString(TestWorkspaces.startWithApiKey(w));
        conversations.handoff(id, HandoffReason.CUSTOMER_REQUEST, "A person will answer.");
        return id;
    }

    private UUID assignee(UUID conversationId) {
        // A transaction of its own: a fresh read, not the test's request-scoped session's cached entity.
        return QuarkusTransaction.requiringNew().call(() -> conversations.findConversation(conversationId)
                .orElseThrow().assigneeAgentId);
    }

    private UUID assignedTo(TestWorkspace w, UUID agentId) {
        return conversations.list(UUID.fromString(w.id()), null, 200).stream()
                .filter(c -> agentId.equals(c.assigneeAgentId)).map(c -> c.id).findFirst().orElseThrow();
    }

    private static ValidatableResponse createTeam(TestWorkspace w, String name, List<UUID> members) {
        return given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("name", name, "memberIds", members)).post("/api/v1/teams").then();
    }

    private static ValidatableResponse assign(TestWorkspace w, String id, Map<String, Object> body) {
        return given().header("Authorization", w.bearer()).contentType(ContentType.JSON).body(new HashMap<>(body))
                .put("/api/v1/conversations/{id}/assignment", id).then();
    }

    private List<JsonNode> assignedEvents(TestWorkspace w, String id) {
        Conversation c = conversations.findConversation(UUID.fromString(id)).orElseThrow();
        return conversationQueries.ofVisitor(UUID.fromString(w.id()), c.visitorId).stream()
                .filter(v -> v.conversation().id.equals(c.id)).flatMap(v -> v.events().stream())
                .filter(e -> e.type().equals("conversation.assigned")).map(e -> {
                    try {
                        return JSON.readTree(e.payload());
                    } catch (Exception x) {
                        throw new AssertionError(x);
                    }
                }).toList();
    }

    private static List<UUID> inbox(AgentLogin login, String view) {
        String html = login.request().get("/agent/w/{w}/inbox/list?status=pending&view=" + view,
                workspaceOf(login)).then().statusCode(200).extract().asString();
        return java.util.regex.Pattern.compile("data-id=\"([0-9a-f-]{36})\"").matcher(html).results()
                .map(m -> UUID.fromString(m.group(1))).toList();
    }

    private static String workspaceOf(AgentLogin login) {
        String page = login.request().redirects().follow(true).get("/agent").asString();
        return AgentLogin.find(java.util.regex.Pattern.compile("/agent/w/([0-9a-f-]{36})/inbox"), page);
    }
}
