package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.support.Browser;
import dev.switchboard.support.BrowserTest;
import dev.switchboard.support.HostSite;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.support.WidgetPage;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * Every text a customer, an agent or an FAQ author writes goes in as an attack and must come out as text on every
 * page that shows it, in a real browser: the widget, and the dashboard's inbox, conversation, FAQ, canned-response,
 * analytics and agent pages. A payload that runs sets {@code window.__xss}; one that becomes markup leaves an element
 * with an event handler or a javascript: link behind.
 */
@BrowserTest
@QuarkusTest
class XssBrowserTest {

    private static final List<String> PAYLOADS = List.of(
            "<script>window.__xss='script'</script>",
            "<img src=x onerror=\"window.__xss='img'\">",
            "<svg onload=\"window.__xss='svg'\"></svg>",
            "\"><b onmouseover=\"window.__xss='attr'\">bold</b>",
            "</textarea><script>window.__xss='textarea'</script>",
            "'); window.__xss='js'; ('",
            "[click me](javascript:window.__xss='md')",
            "{name} {#if true}qute{/if} ${7*7}");
    /** Short enough for an agent's display name. */
    private static final String NAME = "<img src=x onerror=window.__xss=1>";

    /** What markup an injection would leave in a document or shadow root. */
    private static final String INJECTED = """
            const root = arguments[0] || document;
            const bad = [...root.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))
                || (e.tagName === 'A' && /^\\s*javascript:/i.test(e.getAttribute('href') || ''))
                || (e.tagName === 'SCRIPT' && e.textContent.includes('__xss'))
                || e.tagName === 'IMG');
            return bad.map(e => e.outerHTML.slice(0, 120));""";

    @Inject
    AgentService agents;

    @TestHTTPResource("/")
    URI base;

    @Test
    void everythingTypedAnywhereIsShownAsTextOnEveryPage() {
        NoBot.install();
        try (HostSite shop = HostSite.start(); Browser customer = Browser.open(); Browser agent = Browser.open()) {
            TestWorkspace w = TestWorkspaces.create(List.of(shop.origin()));
            String email = "admin-" + UUID.randomUUID() + "@example.com";
            agents.create(email, NAME, AgentLogin.PASSWORD, AgentRole.ADMIN, List.of(UUID.fromString(w.id())));

            // The customer types every payload into the widget; an agent answers with them through the API.
            customer.driver().get(shop.page(base, w.siteKey()));
            WidgetPage widget = new WidgetPage(customer);
            widget.open();
            for (String p : PAYLOADS) {
                widget.ask(p);
            }
            String conversation = widget.conversationId();
            for (String p : PAYLOADS) {
                given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                        .body(Map.of("agentName", NAME, "content", p))
                        .post("/api/v1/conversations/{id}/replies", conversation).then().statusCode(201);
            }
            customer.await("the agent's replies in the widget", d -> widget.log().stream()
                    .filter(m -> m.get(0).contains("agent")).count() == PAYLOADS.size());
            List<String> shown = widget.log().stream().map(m -> m.get(1)).toList();
            for (String p : PAYLOADS) {
                assertEquals(2, shown.stream().filter(t -> t.endsWith(p)).count(),
                        "typed by the customer and by the agent, shown verbatim: " + p);
            }
            assertEquals(List.of(), widget.js(INJECTED, widget.js("return " + WidgetPage.ROOT)), "markup injected into the widget");
            assertEquals(null, widget.js("return window.__xss"), "a payload ran in the widget");

            // FAQ entries and canned responses are written by agents; agents' names by admins.
            List<String> faqs = new ArrayList<>();
            for (String p : PAYLOADS) {
                faqs.add(TestWorkspaces.addFaq(w, "Q " + p, "A " + p));
            }
            AgentLogin session = AgentLogin.login(email, AgentLogin.PASSWORD);
            for (String p : PAYLOADS) {
                session.form().formParam("title", p.substring(0, Math.min(p.length(), 60)))
                        .formParam("content", p).post("/agent/w/" + w.id() + "/canned").then().statusCode(303);
            }
            given().header("Authorization", w.bearer()).post("/api/v1/conversations/{id}/resolve", conversation)
                    .then().statusCode(200);

            AgentLogin.inBrowser(agent, base, email);
            String ws = "/agent/w/" + w.id();
            for (String page : List.of(ws + "/inbox?status=resolved", "/agent/conversations/" + conversation,
                    ws + "/faq", ws + "/faq/" + faqs.getFirst() + "/edit", ws + "/canned", ws + "/analytics",
                    "/agent/admin/agents")) {
                agent.driver().get(base.resolve(page).toString());
                agent.await(page + " loaded", d -> "complete".equals(js(d, "return document.readyState")));
                assertEquals(List.of(), js(agent.driver(), INJECTED), "markup injected into " + page);
                assertEquals(null, js(agent.driver(), "return window.__xss"), "a payload ran on " + page);
            }
            agent.driver().get(base.resolve("/agent/conversations/" + conversation).toString());
            String text = (String) js(agent.driver(), "return document.body.innerText");
            for (String p : PAYLOADS) {
                assertTrue(text.contains(p), "the conversation page shows the payload as text: " + p);
            }
            agent.driver().get(base.resolve(ws + "/faq").toString());
            String faqText = (String) js(agent.driver(), "return document.body.innerText");
            assertTrue(PAYLOADS.stream().allMatch(p -> faqText.contains("Q " + p)), "FAQ questions shown as text");
            agent.driver().get(base.resolve("/agent/admin/agents").toString());
            assertTrue(((String) js(agent.driver(), "return document.body.innerText")).contains(NAME),
                    "the agent's name shown as text");
        }
    }

    private static Object js(WebDriver d, String script, Object... args) {
        return ((JavascriptExecutor) d).executeScript(script, args);
    }
}
