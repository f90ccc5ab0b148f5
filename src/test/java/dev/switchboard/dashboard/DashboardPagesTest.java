package dev.switchboard.dashboard;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.ConversationStatus;
import dev.switchboard.conversation.Message;
import dev.switchboard.faq.CachedAnswer;
import dev.switchboard.faq.FaqEntry;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestClock;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class DashboardPagesTest {

    @Inject
    AgentService agents;

    @Inject
    DashboardConfig config;

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
    void loginWithTheRightPasswordOpensASessionAndAWrongOneDoesNot() {
        String email = "ada-" + UUID.randomUUID() + "@example.com";
        agents.create(email, "Ada", AgentLogin.PASSWORD, AgentRole.AGENT, List.of(shopId));

        var bad = AgentLogin.submitLogin(email, "wrong password!");
        assertEquals(401, bad.statusCode());
        assertTrue(bad.asString().contains("Wrong e-mail or password"));
        assertEquals(null, bad.cookie(AgentSessions.COOKIE));
        assertEquals(401, AgentLogin.submitLogin("nobody-" + UUID.randomUUID() + "@example.com", "whatever12").statusCode());

        var ok = AgentLogin.submitLogin(email.toUpperCase(), AgentLogin.PASSWORD);
        assertEquals(303, ok.statusCode());
        String setCookie = ok.headers().getValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(AgentSessions.COOKIE + "=")).findFirst().orElseThrow();
        assertTrue(setCookie.contains("HttpOnly"), setCookie);
        assertTrue(setCookie.toLowerCase().contains("samesite=lax"), setCookie);
        String token = ok.cookie(AgentSessions.COOKIE);
        // only the hash is stored
        assertEquals(0L, (long) QuarkusTransaction.requiringNew().call(() -> AgentSession.count("tokenHash", token)));

        assertTrue(!setCookie.contains("Secure"), "plain HTTP: " + setCookie);
        var behindTls = AgentLogin.submitLogin(email, AgentLogin.PASSWORD, "https");
        assertTrue(behindTls.headers().getValues("Set-Cookie").stream()
                .anyMatch(c -> c.startsWith(AgentSessions.COOKIE + "=") && c.contains("Secure")));

        AgentLogin session = AgentLogin.login(email, AgentLogin.PASSWORD);
        session.request().get("/agent").then().statusCode(303).header("Location", endsWith("/agent/w/" + shopId + "/inbox"));
        session.request().get("/agent/w/" + shopId + "/inbox").then().statusCode(200).body(containsString("Ada"));
    }

    @Test
    void withoutASessionPagesRedirectToTheLogin() {
        RestAssured.given().redirects().follow(false).get("/agent/w/" + shopId + "/inbox")
                .then().statusCode(303).header("Location", endsWith("/agent/login"));
        RestAssured.given().redirects().follow(false).cookie(AgentSessions.COOKIE, "as_forged")
                .get("/agent/w/" + shopId + "/faq").then().statusCode(303);
    }

    @Test
    void aLoginFormWithoutItsCsrfTokenIsRefused() {
        RestAssured.given().redirects().follow(false).formParam("email", "a@example.com")
                .formParam("password", "whatever12").post("/agent/login").then().statusCode(403);
    }

    @Test
    void anIdleSessionEndsAfterTheTimeoutAndAnActiveOneDoesNot() {
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        Duration idle = config.sessionIdleTimeout();
        Instant start = Instant.now();
        TestClock clock = TestClock.install(start.plus(idle).minusSeconds(5));
        a.request().get("/agent/w/" + shopId + "/inbox").then().statusCode(200); // used: idle time restarts
        // past the idle timeout counted from login, within it from the last use (and within the absolute lifetime)
        clock.advance(idle.dividedBy(3).plusSeconds(5));
        a.request().get("/agent/w/" + shopId + "/inbox").then().statusCode(200);
        clock.advance(idle.plusSeconds(10));
        a.request().get("/agent/w/" + shopId + "/inbox").then().statusCode(303)
                .header("Location", endsWith("/agent/login"));
        // and it is gone for good, also back at the real time
        clock.advance(Duration.between(clock.instant(), Instant.now()));
        a.request().get("/agent/w/" + shopId + "/inbox").then().statusCode(303);
    }

    @Test
    void logoutEndsTheSession() {
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        a.request().post("/agent/logout").then().statusCode(403); // no CSRF token
        a.form().post("/agent/logout").then().statusCode(303);
        a.request().get("/agent/w/" + shopId + "/inbox").then().statusCode(303);
    }

    @Test
    void everyStateChangingDashboardRouteIsRefusedWithoutTheSessionsCsrfToken() {
        // One filter guards them all: each POST route of a logged-in admin, without a token, is 403 before its handler.
        List<String> paths = Stream.of(LoginPages.class, ConversationPages.class, FaqPages.class, CannedPages.class,
                AgentAdminPages.class, InboxPages.class, AnalyticsPage.class, LabelPages.class, SearchPage.class)
                .flatMap(c -> Stream.of(c.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(POST.class))
                        .map(m -> route(c, m)))
                .filter(p -> !p.equals("/agent/login")).toList();
        assertTrue(paths.size() >= 15, paths.toString());
        // An owner: its roles allow every route, so the 403 can only be the CSRF check's.
        AgentLogin admin = AgentLogin.newAgent(agents, AgentRole.OWNER, shopId);
        for (String path : paths) {
            admin.request().formParam("x", "y").post(path).then().statusCode(403)
                    .body(containsString("CSRF token is missing or wrong"));
            admin.request().header("X-CSRF-Token", "forged").post(path).then().statusCode(403);
        }
        admin.request().header("X-CSRF-Token", admin.csrf()).get("/agent/w/" + shopId + "/inbox").then()
                .statusCode(200);
    }

    private String route(Class<?> page, Method m) {
        String base = page.getAnnotation(jakarta.ws.rs.Path.class).value();
        jakarta.ws.rs.Path sub = m.getAnnotation(jakarta.ws.rs.Path.class);
        String path = sub == null ? base : base + "/" + sub.value();
        return path.replace("{workspace}", shopId.toString()).replaceAll("\\{[a-zA-Z]+}", UUID.randomUUID().toString());
    }

    @Test
    void postsWithoutOrWithAWrongCsrfTokenAre403AndChangeNothing() {
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        String c = TestWorkspaces.startWithApiKey(shop);
        a.request().post("/agent/conversations/" + c + "/takeover").then().statusCode(403);
        a.request().formParam("_csrf", "forged").post("/agent/conversations/" + c + "/takeover").then().statusCode(403);
        a.request().formParam("question", "Q?").formParam("answer", "A.").post("/agent/w/" + shopId + "/faq")
                .then().statusCode(403);
        a.request().post("/agent/conversations/" + c + "/read").then().statusCode(403);
        assertEquals(ConversationStatus.BOT, conversations.findConversation(UUID.fromString(c)).orElseThrow().status);
        assertEquals(0, QuarkusTransaction.requiringNew().call(() -> FaqEntry.ofWorkspace(shopId)).size());
    }

    @Test
    void anAgentOfOneWorkspaceGets404ForAnotherWorkspacesConversationsAndPages() {
        TestWorkspace other = TestWorkspaces.create();
        String theirs = TestWorkspaces.startWithApiKey(other);
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        a.request().get("/agent/conversations/" + theirs).then().statusCode(404)
                .contentType(containsString("text/html")).body(containsString("No conversation with id"));
        a.request().get("/agent/conversations/" + theirs + "/events").then().statusCode(404);
        a.form().post("/agent/conversations/" + theirs + "/takeover").then().statusCode(404);
        a.form().formParam("content", "hi").post("/agent/conversations/" + theirs + "/reply").then().statusCode(404);
        a.request().get("/agent/w/" + other.id() + "/inbox").then().statusCode(404);
        a.request().get("/agent/w/" + other.id() + "/faq").then().statusCode(404);
        a.request().get("/agent/w/" + other.id() + "/analytics").then().statusCode(404);
        a.request().get("/agent/w/" + other.id() + "/events").then().statusCode(404);
        assertEquals(ConversationStatus.BOT,
                conversations.findConversation(UUID.fromString(theirs)).orElseThrow().status);
    }

    @Test
    void anAgentCannotManageAgentsAndAnAdminCan() {
        AgentLogin agent = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        agent.request().get("/agent/admin/agents").then().statusCode(403)
                .contentType(containsString("text/html")).body(containsString("Only admins manage agents"));
        agent.form().formParam("email", "x-" + UUID.randomUUID() + "@example.com").formParam("displayName", "X")
                .formParam("role", "admin").post("/agent/admin/agents").then().statusCode(403);

        AgentLogin admin = AgentLogin.newAgent(agents, AgentRole.ADMIN, shopId);
        admin.request().get("/agent/admin/agents").then().statusCode(200).body(containsString("Invite an agent"));
        String email = "grace-" + UUID.randomUUID() + "@example.com";
        String page = admin.form().formParam("email", email).formParam("displayName", "Grace <Hopper>")
                .formParam("role", "agent").formParam("workspace", shop.id()).post("/agent/admin/agents")
                .then().statusCode(200).body(containsString("Grace &lt;Hopper&gt;")).extract().asString();
        String generated = AgentLogin.find(java.util.regex.Pattern.compile("<code id=\"invited-password\">([^<]+)</code>"),
                page);
        AgentLogin grace = AgentLogin.login(email, generated);
        grace.request().get("/agent/w/" + shopId + "/inbox").then().statusCode(200);

        UUID graceId = QuarkusTransaction.requiringNew().call(() -> Agent.findByEmail(email).orElseThrow().id);
        admin.form().formParam("displayName", "Grace").formParam("role", "agent")
                .post("/agent/admin/agents/" + graceId).then().statusCode(303); // no workspace left
        grace.request().get("/agent/w/" + shopId + "/inbox").then().statusCode(404);
        // In no workspace of the admin's any more, Grace is out of its sight; an owner removes her.
        admin.form().post("/agent/admin/agents/" + graceId + "/delete").then().statusCode(404);
        AgentLogin.newAgent(agents, AgentRole.OWNER).form().post("/agent/admin/agents/" + graceId + "/delete")
                .then().statusCode(303);
        grace.request().get("/agent/w/" + shopId + "/inbox").then().statusCode(303); // session gone with the agent
    }

    @Test
    void takeOverReplyHandBackResolveAndReopenThroughTheForms() {
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        String c = TestWorkspaces.startWithApiKey(shop);
        TestWorkspaces.postAsCustomer(shop, c, "Where is my order?");
        String url = "/agent/conversations/" + c;

        a.form().post(url + "/takeover").then().statusCode(303).header("Location", endsWith(url));
        apiConversation(c).body("status", org.hamcrest.Matchers.equalTo("open"));
        a.form().formParam("content", "Let me check, one moment.").post(url + "/reply").then().statusCode(303);
        messages(c).body("items.content", org.hamcrest.Matchers.hasItem("Let me check, one moment."))
                .body("items.find { it.role == 'agent' }.authorName", org.hamcrest.Matchers.startsWith("Agent "));
        a.form().formParam("content", "  ").post(url + "/reply").then().statusCode(303)
                .header("Location", containsString("error="));
        a.form().post(url + "/handback").then().statusCode(303);
        apiConversation(c).body("status", org.hamcrest.Matchers.equalTo("bot"));
        a.form().post(url + "/resolve").then().statusCode(303);
        apiConversation(c).body("status", org.hamcrest.Matchers.equalTo("resolved"));
        // a refused action comes back as a message on the page
        String location = a.form().post(url + "/takeover").then().statusCode(303).extract().header("Location");
        a.request().urlEncodingEnabled(false).get(location).then().statusCode(200)
                .body(containsString("is resolved: reopen it first"));
        a.form().post(url + "/reopen").then().statusCode(303);
        apiConversation(c).body("status", org.hamcrest.Matchers.equalTo("open"));
        a.request().get(url).then().statusCode(200).body(containsString("Let me check, one moment."))
                .body(containsString("id=\"handback\""));
    }

    @Test
    void inboxListsByStatusWithUnreadCountsAndEscapesWhatCustomersWrite() {
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        String older = TestWorkspaces.startWithApiKey(shop);
        String newer = TestWorkspaces.startWithApiKey(shop);
        TestWorkspaces.postAsCustomer(shop, older, "first");
        TestWorkspaces.postAsCustomer(shop, newer, "<script>alert(1)</script> hello");
        TestWorkspaces.postAsCustomer(shop, newer, "again");
        conversations.handoff(UUID.fromString(newer), dev.switchboard.conversation.HandoffReason.CUSTOMER_REQUEST,
                "A person will answer.");

        String bot = a.request().get("/agent/w/" + shopId + "/inbox?status=bot").then().statusCode(200)
                .extract().asString();
        assertTrue(bot.contains("/agent/conversations/" + older) && !bot.contains("/agent/conversations/" + newer));
        assertTrue(bot.contains("<bdi class=\"preview\" dir=\"auto\">first</bdi>"), bot);
        String pending = a.request().get("/agent/w/" + shopId + "/inbox").then().statusCode(200).extract().asString();
        assertTrue(pending.contains("customer request"), pending);
        assertTrue(!pending.contains("<script>alert(1)</script>"));
        // 3 messages unread: two from the customer, the handoff notice
        assertTrue(pending.matches("(?s).*data-id=\"" + newer + "\".*class=\"unread\"[^>]*>3</span>.*"), pending);
        a.request().get("/agent/conversations/" + newer).then().statusCode(200)
                .body(containsString("&lt;script&gt;alert(1)&lt;/script&gt; hello"))
                .body(not(containsString("<script>alert(1)</script>")));
        String after = a.request().get("/agent/w/" + shopId + "/inbox/list?status=pending").then().statusCode(200)
                .extract().asString();
        assertTrue(!after.contains("class=\"unread\""), after);
        a.request().get("/agent/w/" + shopId + "/inbox?status=closed").then().statusCode(400);
    }

    @Test
    void inboxNamesVisitorsShowsTheCustomersQuestionAndNoOverrideReversesAPreview() {
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        UUID visitor = UUID.randomUUID();
        String widgetStyle = RestAssured.given().header("Authorization", shop.bearer())
                .contentType(io.restassured.http.ContentType.JSON).body(java.util.Map.of("visitorId", "v_" + visitor))
                .post("/api/v1/conversations").then().statusCode(201).extract().path("id");
        TestWorkspaces.postAsCustomer(shop, widgetStyle, "Where is my order 1234?");
        conversations.handoff(UUID.fromString(widgetStyle), dev.switchboard.conversation.HandoffReason.CUSTOMER_REQUEST,
                "A person will answer.");
        String spoofed = TestWorkspaces.startWithApiKey(shop);
        TestWorkspaces.postAsCustomer(shop, spoofed, "Refund of \u202Eevil.exe\u202C and \u2067more\u2069 please");

        String pending = a.request().get("/agent/w/" + shopId + "/inbox?status=pending").then().statusCode(200)
                .extract().asString();
        String label = "Visitor " + visitor.toString().substring(0, 8);
        assertTrue(pending.contains(">" + label + "</bdi>"), pending);
        assertTrue(!pending.contains(">v_" + visitor), "the raw id only in a tooltip: " + pending);
        assertTrue(pending.contains("dir=\"auto\">Where is my order 1234?</bdi>"), "the customer's question: " + pending);
        assertTrue(!pending.contains("A person will answer."), "not the handoff notice: " + pending);
        a.request().get("/agent/conversations/" + widgetStyle).then().statusCode(200)
                .body(containsString("<title>Conversation with " + label + " · Switchboard</title>"));

        String bot = a.request().get("/agent/w/" + shopId + "/inbox?status=bot").then().statusCode(200).extract().asString();
        assertTrue(bot.contains("dir=\"auto\">Refund of evil.exe and more please</bdi>"), bot);
        assertTrue(bot.chars().noneMatch(c -> c >= 0x202A && c <= 0x202E || c >= 0x2066 && c <= 0x2069), bot);
    }

    @Test
    void theHeaderNamesTheWorkspaceAndTheAgentsPageKeepsItsNavigation() {
        String name = QuarkusTransaction.requiringNew().call(
                () -> dev.switchboard.workspace.Workspace.<dev.switchboard.workspace.Workspace>findById(shopId).name);
        AgentLogin admin = AgentLogin.newAgent(agents, AgentRole.ADMIN, shopId);
        String inbox = admin.request().get("/agent/w/" + shopId + "/inbox").then().statusCode(200).extract().asString();
        String header = inbox.substring(inbox.indexOf("<header class=\"top\">"), inbox.indexOf("</header>"));
        assertTrue(header.contains(">" + name + "<"), header);
        assertTrue(header.contains("href=\"/agent/admin/agents?w=" + shopId + "\""), header);

        for (String url : List.of("/agent/admin/agents?w=" + shopId, "/agent/admin/agents")) {
            String agentsPage = admin.request().get(url).then().statusCode(200).extract().asString();
            String nav = agentsPage.substring(agentsPage.indexOf("<header class=\"top\">"), agentsPage.indexOf("</header>"));
            for (String section : List.of("inbox", "faq", "canned", "analytics")) {
                assertTrue(nav.contains("href=\"/agent/w/" + shopId + "/" + section + "\""), url + ": " + nav);
            }
            assertTrue(nav.contains(">" + name + "<"), nav);
        }
    }

    @Test
    void everyPageAndTheHealthCheckSayWhyTheBotsModelCannotAnswer() {
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        a.request().get("/agent/w/" + shopId + "/inbox").then().statusCode(200)
                .body(not(containsString("id=\"model-problem\"")));
        // The detection itself is ModelStartupTest's; here a provider that found a problem at start-up.
        io.quarkus.test.junit.QuarkusMock.installMockForType(new dev.switchboard.llm.ChatModelProvider(
                java.util.Optional.empty()) {
            @Override
            public java.util.Optional<String> problem() {
                return java.util.Optional.of("switchboard.inference.model: no file /models/<x>.gguf");
            }
        }, dev.switchboard.llm.ChatModelProvider.class);
        for (String page : List.of("/agent/w/" + shopId + "/inbox", "/agent/w/" + shopId + "/faq",
                "/agent/w/" + shopId + "/analytics")) {
            a.request().get(page).then().statusCode(200).body(containsString("id=\"model-problem\""))
                    .body(containsString("no file /models/&lt;x&gt;.gguf"));
        }
        RestAssured.given().get("/q/health").then().statusCode(503)
                .body("checks.find { it.name == 'chat-model' }.status", org.hamcrest.Matchers.equalTo("DOWN"))
                .body("checks.find { it.name == 'chat-model' }.data.problem", containsString("no file"));
    }

    @Test
    void faqEntriesAreCreatedSearchedEditedAndDeletedAndEditingDropsCachedAnswers() {
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        String faq = "/agent/w/" + shopId + "/faq";
        a.form().formParam("question", "Do you ship to Austria?").formParam("answer", "Yes, in 3-5 days.")
                .post(faq).then().statusCode(303).header("Location", endsWith(faq));
        a.form().formParam("question", "").formParam("answer", "x").post(faq).then().statusCode(400)
                .body(containsString("question"));
        FaqEntry entry = QuarkusTransaction.requiringNew().call(() -> FaqEntry.ofWorkspace(shopId).getFirst());
        a.request().get(faq + "?q=austria").then().statusCode(200).body(containsString("Do you ship to Austria?"));
        a.request().get(faq + "?q=refund").then().statusCode(200).body(containsString("No entry matches"));
        cacheAnAnswer();
        a.form().formParam("question", "Do you ship to Austria?").formParam("answer", "Yes, in 2-4 days.")
                .post(faq + "/" + entry.id).then().statusCode(303);
        assertEquals("Yes, in 2-4 days.", QuarkusTransaction.requiringNew().call(() ->
                FaqEntry.<FaqEntry>findById(entry.id).answer));
        assertEquals(0L, (long) QuarkusTransaction.requiringNew().call(() -> CachedAnswer.count("workspaceId", shopId)));
        a.request().get(faq + "/" + entry.id + "/edit").then().statusCode(200).body(containsString("Yes, in 2-4 days."));
        a.form().post(faq + "/" + entry.id + "/delete").then().statusCode(303);
        assertEquals(0, QuarkusTransaction.requiringNew().call(() -> FaqEntry.ofWorkspace(shopId)).size());
        a.request().get(faq + "/" + entry.id + "/edit").then().statusCode(404);
    }

    private void cacheAnAnswer() {
        QuarkusTransaction.requiringNew().run(() -> {
            CachedAnswer c = new CachedAnswer();
            c.id = UUID.randomUUID();
            c.workspaceId = shopId;
            c.question = "Shipping to Austria?";
            c.embedding = new float[] {1f};
            c.embeddingModel = "test";
            c.answer = "Yes.";
            c.model = "m";
            c.createdAt = Instant.now();
            c.expiresAt = Instant.now().plusSeconds(3600);
            c.persist();
        });
    }

    @Test
    void anAnswerIsPromotedToAnFaqEntryWithTheQuestionBeforeIt() {
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        String c = TestWorkspaces.startWithApiKey(shop);
        TestWorkspaces.postAsCustomer(shop, c, "Can I pay by invoice?");
        Message answer = conversations.agentReply(UUID.fromString(c), "Ada", "Yes, for business customers.");
        a.request().get("/agent/conversations/" + c).then().statusCode(200)
                .body(containsString("/faq/new?message=" + answer.id));
        a.request().get("/agent/w/" + shopId + "/faq/new?message=" + answer.id).then().statusCode(200)
                .body(containsString("value=\"Can I pay by invoice?\""))
                .body(containsString(">Yes, for business customers.</textarea>"));
        TestWorkspace other = TestWorkspaces.create();
        String theirs = TestWorkspaces.startWithApiKey(other);
        Message foreign = conversations.agentReply(UUID.fromString(theirs), "Bo", "secret");
        a.request().get("/agent/w/" + shopId + "/faq/new?message=" + foreign.id).then().statusCode(404);
    }

    @Test
    void cannedResponsesAreManagedAndOfferedInTheConversation() {
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        String canned = "/agent/w/" + shopId + "/canned";
        a.form().formParam("title", "Looking").formParam("content", "I'm looking into it <now>.").post(canned)
                .then().statusCode(303);
        a.form().formParam("title", "").formParam("content", "x").post(canned).then().statusCode(400);
        CannedResponse r = QuarkusTransaction.requiringNew().call(() ->
                CannedResponse.<CannedResponse>find("workspaceId", shopId).firstResult());
        String c = TestWorkspaces.startWithApiKey(shop);
        a.request().get("/agent/conversations/" + c).then().statusCode(200)
                .body(containsString("<option value=\"I&#39;m looking into it &lt;now&gt;.\">Looking</option>"));
        a.form().formParam("title", "Checking").formParam("content", "Checking now.").post(canned + "/" + r.id)
                .then().statusCode(303);
        a.request().get(canned).then().statusCode(200).body(containsString("Checking now."));
        a.form().post(canned + "/" + r.id + "/delete").then().statusCode(303);
        a.request().get(canned).then().statusCode(200).body(containsString("No canned responses yet."));
        TestWorkspace other = TestWorkspaces.create();
        a.request().get("/agent/w/" + other.id() + "/canned").then().statusCode(404);
    }

    private io.restassured.response.ValidatableResponse apiConversation(String id) {
        return RestAssured.given().header("Authorization", shop.bearer())
                .get("/api/v1/conversations/{id}", id).then().statusCode(200);
    }

    private io.restassured.response.ValidatableResponse messages(String id) {
        return RestAssured.given().header("Authorization", shop.bearer())
                .get("/api/v1/conversations/{id}/messages", id).then().statusCode(200);
    }
}
