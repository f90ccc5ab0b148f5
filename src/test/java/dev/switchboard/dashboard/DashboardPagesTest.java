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
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
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
        clock.advance(idle.minusSeconds(5));
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
    void everyStateChangingDashboardRouteChecksACsrfToken() {
        List<Method> posts = Stream.of(LoginPages.class, ConversationPages.class, FaqPages.class, CannedPages.class,
                AgentAdminPages.class).flatMap(c -> Stream.of(c.getDeclaredMethods()))
                .filter(m -> m.isAnnotationPresent(POST.class)).toList();
        assertTrue(posts.size() >= 15, posts.toString());
        for (Method m : posts) {
            boolean carriesToken = Stream.of(m.getParameters()).anyMatch(DashboardPagesTest::isCsrfParameter);
            assertTrue(carriesToken, m + " takes no CSRF token");
        }
    }

    private static boolean isCsrfParameter(Parameter p) {
        FormParam form = p.getAnnotation(FormParam.class);
        HeaderParam header = p.getAnnotation(HeaderParam.class);
        return form != null && form.value().equals("_csrf") || header != null && header.value().equals("X-CSRF-Token");
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
        admin.form().post("/agent/admin/agents/" + graceId + "/delete").then().statusCode(303);
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
        assertTrue(bot.contains("<span class=\"preview\">first</span>"), bot);
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
