package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.bot.ModelAnswer;
import dev.switchboard.conversation.WorkspaceEvents;
import dev.switchboard.llm.FakeOpenAiResource;
import dev.switchboard.llm.FakeOpenAiServer;
import dev.switchboard.support.Await;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.SseClient;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The workspace feed behind the live inbox, and the model figures the bot records for analytics. */
@QuarkusTest
class DashboardFeedTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @FakeOpenAiResource.Inject
    FakeOpenAiServer model;

    @Inject
    AgentService agents;

    @TestHTTPResource("/agent/w/")
    URI feeds;

    @Test
    void theWorkspaceFeedTellsOfChangesToItsOwnConversationsOnly() throws Exception {
        NoBot.install();
        TestWorkspace shop = TestWorkspaces.create();
        TestWorkspace other = TestWorkspaces.create();
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, UUID.fromString(shop.id()));
        String theirs = TestWorkspaces.startWithApiKey(other);
        String ours = TestWorkspaces.startWithApiKey(shop);
        try (SseClient feed = SseClient.connect(feeds.resolve(shop.id() + "/events"),
                Map.of("Cookie", AgentSessions.COOKIE + "=" + a.cookie()))) {
            assertEquals(200, feed.status());
            assertEquals("connected", feed.nextComment().strip());
            TestWorkspaces.postAsCustomer(shop, ours, "first");
            TestWorkspaces.postAsCustomer(other, theirs, "not for this feed");
            TestWorkspaces.postAsCustomer(shop, ours, "second");
            for (int i = 0; i < 2; i++) {
                SseClient.Event e = feed.next();
                assertEquals(WorkspaceEvents.ACTIVITY, e.name());
                JsonNode data = JSON.readTree(e.data());
                assertEquals(ours, data.path("conversationId").asText(), "only this workspace's conversations");
                assertEquals("committed", data.path("kind").asText());
            }
        }
        try (SseClient anonymous = SseClient.connect(feeds.resolve(shop.id() + "/events"), Map.of())) {
            assertEquals(303, anonymous.status());
        }
    }

    @Test
    void theConversationPagesStreamResumesAfterWhatThePageShowed() throws Exception {
        NoBot.install();
        TestWorkspace shop = TestWorkspaces.create();
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, UUID.fromString(shop.id()));
        String c = TestWorkspaces.startWithApiKey(shop);
        TestWorkspaces.postAsCustomer(shop, c, "shown on the page");
        String page = a.request().get("/agent/conversations/" + c).then().statusCode(200).extract().asString();
        String events = AgentLogin.find(java.util.regex.Pattern.compile("data-events=\"([^\"]+)\""), page);
        TestWorkspaces.postAsCustomer(shop, c, "written before the page's stream connected");
        try (SseClient stream = SseClient.connect(feeds.resolve("/").resolve(events),
                Map.of("Cookie", AgentSessions.COOKIE + "=" + a.cookie()))) {
            SseClient.Event e = stream.next();
            assertEquals("message.created", e.name());
            assertEquals("written before the page's stream connected", JSON.readTree(e.data()).path("content").asText());
        }
    }

    @Test
    void theBotRecordsEachModelAnswersFiguresAndTheInboxShowsItsTyping() throws Exception {
        model.reset();
        TestWorkspace shop = TestWorkspaces.create();
        for (String[] qa : new String[][] {{"What is your return policy?", "Within 30 days."},
                {"How long does delivery take?", "3 to 5 business days."}}) {
            TestWorkspaces.addFaq(shop, qa[0], qa[1]);
        }
        model.enqueue(FakeOpenAiServer.answer("We ship", " to Canada", " in 7 days."));
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, UUID.fromString(shop.id()));
        String c = TestWorkspaces.startWithApiKey(shop);
        try (SseClient feed = SseClient.connect(feeds.resolve(shop.id() + "/events"),
                Map.of("Cookie", AgentSessions.COOKIE + "=" + a.cookie()))) {
            feed.nextComment();
            TestWorkspaces.postAsCustomer(shop, c, "Do you ship to Canada?");
            List<String> kinds = new java.util.ArrayList<>();
            while (kinds.size() < 4) { // the question, typing on, typing off, the answer (typing off may repeat)
                String kind = JSON.readTree(feed.next().data()).path("kind").asText();
                if (kinds.isEmpty() || !kinds.getLast().equals(kind)) {
                    kinds.add(kind);
                }
            }
            assertEquals(List.of("committed", "typing_on", "typing_off", "committed"), kinds);
        }
        UUID id = UUID.fromString(c);
        Await.until("the answer's figures are stored", () -> QuarkusTransaction.requiringNew()
                .call(() -> ModelAnswer.count("conversationId", id)) == 1);
        ModelAnswer figures = QuarkusTransaction.requiringNew().call(() -> ModelAnswer.find("conversationId", id)
                .<ModelAnswer>firstResult());
        assertEquals("answered", figures.outcome);
        assertEquals(FakeOpenAiResource.MODEL, figures.model);
        assertEquals(3, figures.completionTokens); // as the server's usage reported
        assertNotNull(figures.ttftMs);
        assertTrue(figures.durationMs >= figures.ttftMs, figures.durationMs + " < " + figures.ttftMs);
        assertEquals(null, figures.acceptanceLength); // an OpenAI-compatible server does not report it
    }
}
