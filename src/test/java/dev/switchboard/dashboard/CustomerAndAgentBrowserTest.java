package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.llm.FakeOpenAiResource;
import dev.switchboard.llm.FakeOpenAiServer;
import dev.switchboard.support.Browser;
import dev.switchboard.support.BrowserTest;
import dev.switchboard.support.HostSite;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.support.WidgetPage;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * Two real browsers, as in production: a customer in the widget on a shop's own site, and an agent in the dashboard.
 * The agent sees the new conversation appear live, takes over while the bot's answer is streaming, the bot stops,
 * and the agent's reply reaches the customer's widget without a reload.
 */
@BrowserTest
@QuarkusTest
class CustomerAndAgentBrowserTest {

    @FakeOpenAiResource.Inject
    FakeOpenAiServer model;

    @Inject
    AgentService agents;

    @TestHTTPResource("/")
    URI base;

    @Test
    void anAgentTakesOverMidAnswerAndTheCustomerSeesTheReplyLive() throws InterruptedException {
        model.reset();
        try (HostSite shop = HostSite.start(); Browser customerBrowser = Browser.open();
                Browser agentBrowser = Browser.open()) {
            TestWorkspace workspace = TestWorkspaces.create(List.of(shop.origin()));
            // The bot answers only with something to ground its answer in.
            TestWorkspaces.addFaq(workspace, "How long does delivery take?", "3 to 5 business days.");
            String email = "grace-" + UUID.randomUUID() + "@example.com";
            agents.create(email, "Grace", AgentLogin.PASSWORD, AgentRole.AGENT,
                    List.of(UUID.fromString(workspace.id())));

            WebDriver agent = agentBrowser.driver();
            AgentLogin.inBrowser(agentBrowser, base, email);
            agent.get(base.resolve("/agent/w/" + workspace.id() + "/inbox?status=bot").toString());
            agentBrowser.await("the inbox", d -> d.findElement(By.id("inbox")) != null);

            String[] words = new String[120];
            Arrays.fill(words, " more");
            words[0] = "Let me check";
            model.enqueue(FakeOpenAiServer.answer(words).slow(Duration.ZERO, Duration.ofMillis(150)));
            customerBrowser.driver().get(shop.page(base, workspace.siteKey()));
            WidgetPage widget = new WidgetPage(customerBrowser);
            widget.open();
            widget.ask("Do you ship to Canada?");
            String conversation = widget.conversationId();

            agentBrowser.await("the customer's question live in the inbox",
                    d -> text(d, "li[data-id='" + conversation + "'] .preview").equals("Do you ship to Canada?"));
            agent.get(base.resolve(agentBrowser.attribute("li[data-id='" + conversation + "'] a", "href"))
                    .toString());
            agentBrowser.await("the answer streaming in the dashboard",
                    d -> text(d, "#streaming .content").startsWith("Let me check more"));
            customerBrowser.await("the answer streaming in the widget",
                    d -> widget.log().stream().anyMatch(m -> m.get(1).contains("Let me check more")));

            agent.findElement(By.id("takeover")).click();
            int sent = model.awaitAbortedStream();
            assertTrue(sent < words.length, "the bot stopped after " + sent + " of " + words.length + " pieces");
            customerBrowser.await("the customer sees who took over", d -> widget.text(".s").equals("Grace"));

            agentBrowser.await("the reply box", d -> d.findElement(By.id("reply")).isEnabled());
            agent.findElement(By.id("reply")).sendKeys("Hi, Grace here: yes, we ship to Canada in 7 days.");
            agent.findElement(By.id("send")).click();
            customerBrowser.await("the agent's reply in the widget, without a reload",
                    d -> widget.log().stream().anyMatch(m -> m.get(0).contains("agent")
                            && m.get(1).equals("GraceHi, Grace here: yes, we ship to Canada in 7 days.")));

            List<Map<String, Object>> messages = given().header("Authorization", workspace.bearer())
                    .get("/api/v1/conversations/{id}/messages", conversation).then().statusCode(200)
                    .extract().jsonPath().getList("items");
            assertEquals(List.of("customer", "agent"), messages.stream().map(m -> m.get("role")).toList(),
                    "the interrupted bot answer was not stored: " + messages);
            assertTrue(widget.log().stream().noneMatch(m -> m.get(0).equals("m bot") && !m.get(2).isEmpty()),
                    "the widget shows no stored bot answer: " + widget.log());
        }
    }

    private static String text(WebDriver d, String selector) {
        Object text = ((JavascriptExecutor) d).executeScript(
                "var e = document.querySelector(arguments[0]); return e ? e.textContent : '';", selector);
        return text == null ? "" : text.toString();
    }
}
