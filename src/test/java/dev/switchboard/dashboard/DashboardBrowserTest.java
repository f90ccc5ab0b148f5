package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.llm.FakeOpenAiResource;
import dev.switchboard.llm.FakeOpenAiServer;
import dev.switchboard.support.Await;
import dev.switchboard.support.Browser;
import dev.switchboard.support.BrowserTest;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * The dashboard in a real Chromium: an agent logs in, sees a conversation appear in the inbox without reloading
 * (the customer writes through the REST API), opens it, watches a slow model answer stream in, takes over mid-answer
 * (the bot stops and stores nothing) and replies. Takes the README's pictures of the inbox and analytics
 * ({@code -Dscreenshots=docs/images}).
 */
@BrowserTest
@QuarkusTest
class DashboardBrowserTest {

    @FakeOpenAiResource.Inject
    FakeOpenAiServer model;

    @Inject
    AgentService agents;

    @TestHTTPResource("/")
    URL base;

    @Test
    void anAgentWatchesAnAnswerStreamTakesOverMidAnswerAndReplies() throws Exception {
        model.reset();
        TestWorkspace shop = TestWorkspaces.create();
        TestWorkspaces.addFaq(shop, "What is your return policy?",
                "You can return any item within 30 days for a full refund.");
        TestWorkspaces.addFaq(shop, "How long does delivery take?", "Orders arrive within 3 to 5 business days.");
        String email = "ada-" + UUID.randomUUID() + "@example.com";
        agents.create(email, "Ada", AgentLogin.PASSWORD, AgentRole.AGENT, List.of(UUID.fromString(shop.id())));
        // Some history for the pictures: an FAQ answer and a customer who asked for a person.
        String returns = TestWorkspaces.startWithApiKey(shop);
        TestWorkspaces.postAsCustomer(shop, returns, "What is your return policy?");
        String person = TestWorkspaces.startWithApiKey(shop);
        TestWorkspaces.postAsCustomer(shop, person, "I want to talk to a human, please");
        Await.until("the bot answered both", () -> messages(shop, returns).size() == 2
                && "pending".equals(status(shop, person)));
        String[] words = new String[80];
        Arrays.fill(words, " word");
        words[0] = "We";
        model.enqueue(FakeOpenAiServer.answer(words).slow(Duration.ZERO, Duration.ofMillis(150)));

        try (Browser browser = Browser.open()) {
            WebDriver page = browser.driver();
            AgentLogin.inBrowser(browser, base.toURI(), email);
            page.get(url("/agent/w/" + shop.id() + "/inbox?status=bot"));
            browser.await("the inbox's live feed to connect", d -> d.findElement(By.id("inbox")) != null);

            // The customer's side, through the API: the inbox shows the conversation without a reload.
            String conversation = TestWorkspaces.startWithApiKey(shop);
            TestWorkspaces.postAsCustomer(shop, conversation, "Do you ship to Canada?");
            browser.await("the new conversation in the inbox, with the customer's question",
                    d -> text(d, "li[data-id='" + conversation + "'] .preview").equals("Do you ship to Canada?"));
            browser.readmePicture("inbox.png");

            // The list is re-rendered on every change: open the conversation by its link's address.
            page.get(base.toURI().resolve(browser.attribute("li[data-id='" + conversation + "'] a", "href"))
                    .toString());
            String streamed = browser.await("the answer streaming in", d -> {
                String text = text(d, "#streaming .content");
                return text.startsWith("We word word") ? text : null;
            });
            assertTrue(streamed.length() < String.join("", words).length(), "mid-answer: " + streamed);

            page.findElement(By.id("takeover")).click();
            int sent = model.awaitAbortedStream();
            assertTrue(sent < words.length, "generation stopped early, after " + sent + " of " + words.length);
            browser.await("the conversation open in Ada's name",
                    d -> text(d, "#status").equals("open"));

            page.findElement(By.id("reply")).sendKeys("Hi, Ada here: yes, we ship to Canada in 7 days.");
            page.findElement(By.id("send")).click();
            browser.await("the reply on the page", d -> text(d, ".message.role-agent .content").contains("Ada here"));

            List<Map<String, Object>> messages = messages(shop, conversation);
            assertEquals(List.of("customer", "agent"), messages.stream().map(m -> m.get("role")).toList(),
                    "no bot message was stored: " + messages);
            assertEquals("Ada", messages.get(1).get("authorName"));
            assertEquals("open", status(shop, conversation));

            page.get(url("/agent/w/" + shop.id() + "/analytics"));
            browser.await("the analytics charts", d -> !d.findElements(By.cssSelector(".chart svg")).isEmpty());
            assertEquals("3", page.findElement(By.id("kpi-conversations")).getText());
            assertEquals("1", page.findElement(By.id("kpi-faq")).getText());
            assertEquals("1", page.findElement(By.id("kpi-human")).getText());
            browser.readmePicture("analytics.png");

            // Search: the conversation found by a word of the agent's reply, with its label.
            String vip = given().header("Authorization", shop.bearer()).contentType("application/json")
                    .body(Map.of("name", "vip", "colour", "#d97706")).post("/api/v1/labels").then().statusCode(201)
                    .extract().path("id");
            given().header("Authorization", shop.bearer())
                    .put("/api/v1/conversations/{c}/labels/{l}", conversation, vip).then().statusCode(200);
            page.get(url("/agent/w/" + shop.id() + "/search?q=ship+canada"));
            browser.await("the hit, its label and the marked snippet", d -> text(d, "#hits .label-chip").equals("vip")
                    && d.findElements(By.cssSelector("#hits .snippet mark")).size() == 2);
            assertEquals(1, page.findElements(By.cssSelector("#hits li")).size());
            assertTrue(text(page, "#hits .snippet").startsWith("agent: "), text(page, "#hits .snippet"));
            browser.readmePicture("search.png");

            // A tablet in portrait: every page fits the width, nothing scrolls sideways.
            page.manage().window().setSize(new Dimension(800, 1100));
            for (String path : List.of("/agent/w/" + shop.id() + "/analytics", "/agent/w/" + shop.id() + "/inbox",
                    "/agent/conversations/" + conversation, "/agent/w/" + shop.id() + "/faq")) {
                page.get(url(path));
                Object overflow = ((JavascriptExecutor) page).executeScript(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
                assertEquals(0L, ((Number) overflow).longValue(), path + " scrolls sideways on a tablet");
            }
        }
    }

    /** The element's text read in the page (no stale references while the page re-renders or reloads). */
    static String text(WebDriver d, String selector) {
        Object text = ((JavascriptExecutor) d).executeScript(
                "var e = document.querySelector(arguments[0]); return e ? e.textContent : '';", selector);
        return text == null ? "" : text.toString();
    }

    private String url(String path) {
        return base.toString().replaceAll("/$", "") + path;
    }

    private static List<Map<String, Object>> messages(TestWorkspace w, String conversation) {
        return given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}/messages", conversation)
                .then().statusCode(200).extract().jsonPath().getList("items");
    }

    private static String status(TestWorkspace w, String conversation) {
        return given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}", conversation)
                .then().statusCode(200).extract().path("status");
    }
}
