package dev.switchboard.widget;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.demo.DemoSeed;
import dev.switchboard.llm.ChatModelProvider;
import dev.switchboard.llm.FakeOpenAiResource;
import dev.switchboard.llm.FakeOpenAiServer;
import dev.switchboard.support.Browser;
import dev.switchboard.support.BrowserTest;
import dev.switchboard.support.HostSite;
import dev.switchboard.support.WidgetPage;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.workspace.VisitorIdentity;
import dev.switchboard.workspace.Workspace;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebElement;

/**
 * The widget as a customer uses it, in a real Chromium on the demo page at /, against the real server, PostgreSQL
 * and bot (the model is the local OpenAI-protocol fake). One browser for the class; each test starts on a fresh
 * page with empty storage.
 */
@BrowserTest
@QuarkusTest
@QuarkusTestResource(FakeOpenAiResource.class)
class WidgetBrowserTest {

    private static Browser browser;
    private static HostSite otherSite;
    private static WidgetPage widget;

    @TestHTTPResource("/")
    URI demoPage;

    @Inject
    DemoSeed demo;

    @FakeOpenAiResource.Inject
    FakeOpenAiServer model;

    @BeforeAll
    static void startBrowser() throws IOException {
        browser = Browser.open();
        widget = new WidgetPage(browser);
        otherSite = HostSite.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (otherSite != null) {
            otherSite.close();
        }
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void freshPage() {
        model.reset();
        browser.driver().get(demoPage.toString());
        widget.js("localStorage.clear()");
        browser.driver().navigate().refresh();
    }

    @Test
    void faqAnswersAtOnceAndModelAnswersStreamInSafeMarkdown() throws Exception {
        widget.open();
        widget.ask("How much does shipping cost?");
        browser.await("the FAQ answer", d -> lastBot().contains("EUR 4.95"));
        assertEquals(0, widget.shadow().findElements(By.cssSelector("[data-streaming]")).size());

        model.enqueue(FakeOpenAiServer.answer("Our mugs are ", "**dishwasher safe**", ".\n- Stoneware", ": yes\n- Hand-",
                "painted: by hand\n", "See the ", "[care guide](https://example.com/care)", ".")
                .slow(Duration.ofMillis(400), Duration.ofMillis(150)));
        widget.js("""
                const r = window.__shadowOf(document.querySelector('[data-switchboard]'));
                window.__streamed = []; window.__typingFirst = false;
                new MutationObserver(() => {
                  const s = r.querySelector('[data-streaming]');
                  if (!s && !r.querySelector('.t').hidden) window.__typingFirst = true;
                  if (s && window.__streamed.at(-1) !== s.textContent) window.__streamed.push(s.textContent);
                }).observe(r, {subtree: true, childList: true, characterData: true, attributes: true});""");
        widget.ask("Is the stoneware mug dishwasher safe?");
        browser.await("the streamed answer", d -> lastBot().endsWith("See the care guide."));

        assertEquals(Boolean.TRUE, widget.js("return window.__typingFirst"), "a typing indicator before the first token");
        @SuppressWarnings("unchecked")
        List<String> streamed = (List<String>) widget.js("return window.__streamed");
        String fin = lastBot();
        List<String> intermediate = streamed.stream().filter(s -> !s.equals(fin) && s.length() > "Assistant".length())
                .distinct().toList();
        assertTrue(intermediate.size() >= 2, "the answer grew token by token: " + streamed);
        for (int i = 1; i < intermediate.size(); i++) {
            assertTrue(intermediate.get(i).length() > intermediate.get(i - 1).length(), streamed.toString());
        }
        WebElement answer = lastBotElement();
        assertEquals("dishwasher safe", answer.findElement(By.cssSelector("strong")).getText());
        assertEquals(List.of("Stoneware: yes", "Hand-painted: by hand"),
                answer.findElements(By.cssSelector("ul > li")).stream().map(WebElement::getText).toList());
        assertEquals("https://example.com/care", answer.findElement(By.cssSelector("a")).getDomAttribute("href"));

        browser.readmePicture("widget.png");

        model.enqueue(FakeOpenAiServer.answer("Write to [us](mailto:help@example.com), not [here](javascript:window."
                + "__xss=1) or [there](data:text/html,<script>window.__xss=2</script>) <img src=x onerror=window.__xss=3>"));
        widget.ask("Can I engrave the walnut tray?");
        browser.await("the answer with links", d -> lastBot().contains("onerror"));
        List<WebElement> links = lastBotElement().findElements(By.cssSelector("a"));
        assertEquals(1, links.size(), "only the mailto link became a link: " + lastBot());
        assertEquals("mailto:help@example.com", links.getFirst().getDomAttribute("href"));
        assertEquals("noopener noreferrer nofollow", links.getFirst().getDomAttribute("rel"));
        assertTrue(lastBot().contains("[here](javascript:window.__xss=1)"), lastBot());
        assertEquals(0L, widget.js("return " + WidgetPage.ROOT + ".querySelectorAll('img, script').length"));
        assertNull(widget.js("return window.__xss"));
    }

    @Test
    void handoffAgentReplyReloadXssAndRating() {
        widget.open();
        widget.ask("I want to talk to a human");
        browser.await("the handoff notice", d -> widget.log().stream()
                .anyMatch(m -> m.get(0).contains("system") && m.get(1).contains("human agent")));
        browser.await("the status says we wait", d -> widget.text(".s").contains("Waiting"));

        String img = "<img src=x onerror=\"window.__xss=2\">";
        String script = "<script>window.__xss=3</script>";
        widget.ask(img);
        widget.ask(script);
        String id = widget.conversationId();
        given().header("Authorization", "Bearer " + demoApiKey()).contentType(ContentType.JSON)
                .body(Map.of("agentName", "Ada", "content", "Hi, Ada here <b onmouseover=\"window.__xss=4\">!</b>"))
                .post("/api/v1/conversations/{id}/replies", id).then().statusCode(201);
        browser.await("the agent's reply, live", d -> widget.log().stream().anyMatch(m -> m.get(0).contains("agent")));
        List<String> agent = widget.log().stream().filter(m -> m.get(0).contains("agent")).findFirst().orElseThrow();
        assertEquals("AdaHi, Ada here <b onmouseover=\"window.__xss=4\">!</b>", agent.get(1), "name, then text");
        assertEquals("Ada", widget.text(".s"));
        assertTrue(widget.log().stream().anyMatch(m -> m.get(1).equals("Ada joined the conversation")), widget.log().toString());
        assertTrue(widget.log().stream().anyMatch(m -> m.get(1).endsWith(img)), "shown as typed");
        assertTrue(widget.log().stream().anyMatch(m -> m.get(1).endsWith(script)), "shown as typed");
        assertEquals(0L, widget.js("return " + WidgetPage.ROOT + ".querySelectorAll('img, script, b').length"));
        assertNull(widget.js("return window.__xss"), "nothing typed ran");

        List<List<String>> before = widget.log();
        browser.driver().navigate().refresh();
        browser.await("the same log after a reload, notices included",
                d -> widget.shadowOrNull() != null && widget.log().equals(before));
        assertTrue(widget.log().stream().anyMatch(m -> m.get(0).equals("n") && m.get(1).equals("Ada joined the conversation")),
                "the joined notice survived the reload: " + widget.log());
        assertEquals("Ada", widget.text(".s"));
        assertTrue(widget.log().stream().anyMatch(m -> m.get(1).startsWith("AdaHi, Ada here")), widget.log().toString());

        for (int i = 1; i <= 8; i++) {
            reply(id, "Ada", "Line " + i + " of a long answer that fills the panel");
        }
        browser.await("the last reply", d -> widget.log().getLast().get(1).endsWith("Line 8 of a long answer that fills the panel"));
        given().header("Authorization", "Bearer " + demoApiKey()).contentType(ContentType.JSON)
                .post("/api/v1/conversations/{id}/resolve", id).then().statusCode(200);
        browser.await("the rating buttons", d -> !widget.shadow().findElements(By.cssSelector("[data-score]")).isEmpty());
        assertLastMessageVisible();
        widget.click("[data-score='4']");
        browser.await("the comment box", d -> !widget.shadow().findElements(By.cssSelector(".r textarea")).isEmpty());
        assertLastMessageVisible();
        @SuppressWarnings("unchecked")
        List<String> button = (List<String>) widget.js("const s = getComputedStyle(" + WidgetPage.ROOT
                + ".querySelector('.r .b')); return [s.color, s.backgroundColor]");
        assertFalse(button.get(0).equals(button.get(1)), "Send comment is readable: " + button);
        assertFalse(button.get(1).equals("rgb(255, 255, 255)"), "Send comment stands out from the white box: " + button);
        widget.type(".r textarea", "Ada was quick");
        widget.click(".r .b");
        browser.await("thanks", d -> widget.text(".r").contains("Thank you for your feedback"));
        browser.driver().navigate().refresh();
        browser.await("the stored rating after a reload", d -> widget.shadowOrNull() != null
                && widget.text(".r").contains("Thank you for your feedback"));
        assertTrue(widget.shadow().findElements(By.cssSelector("[data-score]")).isEmpty(), "no second rating");
        given().header("Authorization", "Bearer " + demoApiKey()).get("/api/v1/conversations/{id}", id)
                .then().body("rating", equalTo(4)).body("ratingComment", equalTo("Ada was quick"));
    }

    @Test
    void anotherSiteGetsTheWidgetOnlyWhenTheWorkspaceAllowsItsOrigin() {
        String origin = otherSite.origin();
        int demoConversations = demoConversationCount();
        browser.driver().get(otherSite.page(demoPage, Workspace.<Workspace>findById(DemoSeed.WORKSPACE_ID).siteKey));
        widget.open();
        widget.ask("Hello from a site the demo does not allow");
        browser.await("the refusal", d -> widget.text(".e").contains("unavailable"));
        browser.await("the reason in the console", d -> consoleErrors().stream()
                .anyMatch(e -> e.contains("allowedOrigins") && e.contains(origin)));
        assertTrue(widget.messageIds().isEmpty(), "nothing was sent");
        assertEquals(demoConversations, demoConversationCount(), "the server refused to start a conversation");
        assertNull(widget.js("return JSON.parse(localStorage.getItem('switchboard:' + document.querySelector("
                + "'script[data-site-key]').dataset.siteKey)).id"), "no conversation to come back to");

        TestWorkspace allowing = TestWorkspaces.create(List.of(origin));
        browser.driver().get(otherSite.page(demoPage, allowing.siteKey()));
        widget.open();
        widget.ask("Hello across origins");
        browser.await("my message, stored", d -> widget.log().stream()
                .anyMatch(m -> m.get(0).equals("m customer") && !m.get(2).isEmpty()));
        given().header("Authorization", allowing.bearer()).contentType(ContentType.JSON)
                .body(Map.of("agentName", "Lin", "content", "Hello from Lin"))
                .post("/api/v1/conversations/{id}/replies", widget.conversationId()).then().statusCode(201);
        browser.await("the agent's reply over the cross-origin event stream",
                d -> widget.log().stream().anyMatch(m -> m.get(1).equals("LinHello from Lin")));
        assertEquals("", widget.text(".e"));
    }

    @Test
    void identifyTiesTheConversationToTheVerifiedUserAndAnotherUserStartsAfresh() {
        String secret = given().header("Authorization", "Bearer " + TestWorkspaces.ADMIN_TOKEN)
                .get("/api/v1/workspaces/{id}/identity-secret", DemoSeed.WORKSPACE_ID)
                .then().statusCode(200).extract().path("identitySecret");
        widget.open();
        widget.js("Switchboard.identify({id: 'user-7', name: 'Grace', email: 'grace@example.com', hash: arguments[0]})",
                VisitorIdentity.hmacHex(secret, "user-7"));
        widget.ask("I want to talk to a human");
        String first = widget.conversationId();
        browser.await("the verified visitor", d -> given().header("Authorization", "Bearer " + demoApiKey())
                .get("/api/v1/conversations/{id}", first).then().extract().jsonPath().getBoolean("visitorVerified"));
        given().header("Authorization", "Bearer " + demoApiKey()).get("/api/v1/conversations/{id}", first)
                .then().body("visitorId", equalTo("user-7")).body("visitorName", equalTo("Grace"));

        widget.js("Switchboard.identify({id: 'user-8', hash: arguments[0]})", VisitorIdentity.hmacHex(secret, "user-8"));
        browser.await("user-7's conversation is gone from the panel", d -> widget.messageIds().isEmpty());
        widget.ask("Hello, I am someone else");
        assertFalse(first.equals(widget.conversationId()), "a new conversation for the other user");
    }

    @Test
    void reconnectsAfterADropAndFillsTheGapWithoutDuplicates() throws IOException {
        try (DroppingProxy proxy = new DroppingProxy(demoPage.getPort())) {
            browser.driver().get("http://127.0.0.1:" + proxy.port() + "/");
            widget.open();
            widget.ask("I want to talk to a human");
            String id = widget.conversationId();
            reply(id, "Ada", "one");
            browser.await("the first reply", d -> agentTexts().equals(List.of("one")));

            proxy.cut();
            reply(id, "Ada", "two");
            reply(id, "Ada", "three");
            proxy.restore();
            browser.await("the missed replies, in order, once each",
                    d -> agentTexts().equals(List.of("one", "two", "three")));
            reply(id, "Ada", "four");
            browser.await("live again", d -> agentTexts().equals(List.of("one", "two", "three", "four")));
        }
    }

    @Test
    void hostPageStylesNeverReachTheWidget() {
        TestWorkspace w = TestWorkspaces.create(List.of(otherSite.origin()));
        browser.driver().get(otherSite.page(demoPage, w.siteKey()));
        widget.open();
        List<Object> clean = widgetStyles();

        String hostile = """
                div { color:#c00; font-size:24px; text-align:center }
                html, body { color:#c00; font:italic 900 30px/3 serif; letter-spacing:4px; text-transform:uppercase; \
                  word-spacing:9px; white-space:nowrap; cursor:wait; visibility:visible }
                * { font-family:"Comic Sans MS", cursive !important; line-height:3 !important; text-indent:20px !important }
                button, textarea, h2, p, span, header, form { color:#c00 !important; background:#c00 !important; \
                  font-size:30px !important; padding:20px !important; border:5px solid #c00 !important }
                [data-switchboard], switchboard-chat { color:#c00 !important; font-size:40px !important; \
                  opacity:.3 !important; transform:scale(.5) !important; display:block !important }
                """;
        browser.driver().get(otherSite.page(demoPage, w.siteKey(), Map.of("css", hostile)));
        widget.open();
        assertEquals("rgb(204, 0, 0)", widget.js("return getComputedStyle(document.querySelector('h1')).color"),
                "the hostile stylesheet applies to the page itself");
        assertEquals(clean, widgetStyles(), "the widget looks the same under the page's stylesheet");
        assertEquals("SWITCHBOARD-CHAT", widget.js("return document.querySelector('[data-switchboard]').tagName"));
        assertNull(widget.js("return document.querySelector('[data-switchboard]').shadowRoot"),
                "the shadow root is closed to the page's scripts");
    }

    @Test
    void partialAnswersNeverStoredLeaveTheScreenOnHandoffAndTakeover() {
        model.enqueue(FakeOpenAiServer.answer(slowWords("Let me look", 60)).slow(Duration.ZERO, Duration.ofMillis(150)));
        widget.open();
        widget.ask("Is the stoneware mug dishwasher safe?");
        browser.await("the answer streaming", d -> widget.log().stream().anyMatch(m -> m.get(1).contains("Let me look more")));
        String id = widget.conversationId();
        given().header("Authorization", "Bearer " + demoApiKey()).contentType(ContentType.JSON)
                .body(Map.of("agentName", "Ada")).post("/api/v1/conversations/{id}/takeover", id).then().statusCode(200);
        browser.await("the joined notice", d -> widget.log().stream().anyMatch(m -> m.get(1).equals("Ada joined the conversation")));
        browser.await("the unsaved partial answer is gone",
                d -> widget.log().stream().noneMatch(m -> m.get(1).contains("Let me look")));

        widget.js("localStorage.clear()");
        browser.driver().navigate().refresh();
        String[] words = slowWords("I am not sure", 12);
        words[words.length - 1] = " [[HANDOFF]]";
        model.enqueue(FakeOpenAiServer.answer(words).slow(Duration.ZERO, Duration.ofMillis(150)));
        widget.open();
        widget.ask("Can I engrave the walnut tray?");
        browser.await("the answer streaming", d -> widget.log().stream().anyMatch(m -> m.get(1).contains("I am not sure more")));
        browser.await("the handoff notice", d -> widget.log().stream().anyMatch(m -> m.get(0).contains("system")));
        browser.await("the unsaved partial answer is gone",
                d -> widget.log().stream().noneMatch(m -> m.get(1).contains("I am not sure")));
    }

    @Test
    void aRateLimitedVisitorIsToldWhenToTryAgain() throws InterruptedException {
        TestWorkspace w = TestWorkspaces.create(List.of(otherSite.origin()));
        given().header("Authorization", "Bearer " + TestWorkspaces.ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("messagesPerIpMinute", 1)).put("/api/v1/workspaces/{id}/policy", w.id())
                .then().statusCode(200);
        browser.driver().get(otherSite.page(demoPage, w.siteKey()));
        widget.open();
        // The limit counts in fixed one-minute windows: two messages either side of a window's end are both allowed.
        long second = Instant.now().getEpochSecond() % 60;
        if (second >= 45) {
            Thread.sleep((60 - second) * 1000 + 200);
        }
        widget.ask("I want to talk to a human");
        assertEquals("", widget.text(".e"));
        widget.ask("Hello?");
        String error = browser.await("the limit", d -> widget.text(".e").isEmpty() ? null : widget.text(".e"));
        assertTrue(error.matches("Too many messages\\. Please try again in \\d+ seconds\\."), error);
    }

    @Test
    void systemNoticesFollowTheWidgetsLocale() {
        TestWorkspace w = TestWorkspaces.create(List.of(otherSite.origin()));
        Map<String, List<String>> expected = Map.of(
                "de", List.of("Ein Mitarbeiter übernimmt dieses Gespräch. Ein Mitarbeiter antwortet Ihnen hier in Kürze.",
                        "Wartet auf einen Mitarbeiter…", "Ada ist dem Gespräch beigetreten"),
                "es", List.of("Un agente se hará cargo de esta conversación. Un agente le responderá aquí en breve.",
                        "Esperando a un agente…", "Ada se ha unido a la conversación"),
                "fr", List.of("Un conseiller va prendre en charge cette conversation. Un conseiller vous répondra ici sous peu.",
                        "En attente d’un conseiller…", "Ada a rejoint la conversation"));
        for (var locale : expected.entrySet()) {
            List<String> texts = locale.getValue();
            browser.driver().get(otherSite.page(demoPage, w.siteKey(), Map.of("locale", locale.getKey())));
            widget.js("localStorage.clear()");
            browser.driver().navigate().refresh();
            widget.open();
            widget.ask("I want to talk to a human");
            browser.await(locale.getKey() + " handoff notice", d -> widget.log().stream()
                    .anyMatch(m -> m.get(0).contains("system") && m.get(1).equals(texts.get(0))));
            browser.await(locale.getKey() + " waiting", d -> widget.text(".s").equals(texts.get(1)));
            given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                    .body(Map.of("agentName", "Ada")).post("/api/v1/conversations/{id}/takeover", widget.conversationId())
                    .then().statusCode(200);
            browser.await(locale.getKey() + " joined", d -> widget.log().stream()
                    .anyMatch(m -> m.get(0).equals("n") && m.get(1).equals(texts.get(2))));
            List<List<String>> before = widget.log();
            browser.driver().navigate().refresh();
            browser.await(locale.getKey() + " notices after a reload",
                    d -> widget.shadowOrNull() != null && widget.log().equals(before));
        }
    }

    @Test
    void withoutAModelTheCustomerPicksAnOfferedEntryOrAsksForAPerson() {
        QuarkusMock.installMockForType(new ChatModelProvider(Optional.empty()), ChatModelProvider.class);
        TestWorkspace w = TestWorkspaces.create(List.of(otherSite.origin()));
        TestWorkspaces.addFaq(w, "What is your return policy?", "Returns within 30 days, for free.");
        TestWorkspaces.addFaq(w, "How long does delivery take?", "Orders arrive within 3 to 5 business days.");
        String message = TestWorkspaces.messageWithOffers(w);
        browser.driver().get(otherSite.page(demoPage, w.siteKey(), Map.of()));
        widget.js("localStorage.clear()");
        browser.driver().navigate().refresh();
        widget.open();

        widget.ask(message);
        browser.await("the offered entries", d -> offerButtons().size() >= 2);
        assertTrue(lastBot().startsWith("AssistantI’m not sure I understood. Is your question one of these?"),
                lastBot());
        List<String> buttons = offerButtons();
        assertEquals("None of these: talk to a person", buttons.getLast());
        browser.readmePicture("offers.png");
        String picked = buttons.getFirst();
        widget.click(".q button");
        browser.await("the picked entry's answer", d -> lastBot().endsWith(picked.startsWith("What")
                ? "Returns within 30 days, for free." : "Orders arrive within 3 to 5 business days."));
        assertTrue(offerButtons().isEmpty(), "the offer is gone once answered");
        assertTrue(widget.log().stream().anyMatch(m -> m.get(0).equals("m customer") && m.get(1).endsWith(picked)),
                "the pick shows as the customer's message");

        widget.ask(message);
        browser.await("entries offered again", d -> offerButtons().size() >= 2);
        widget.click(".q .h");
        browser.await("waiting for a person", d -> widget.text(".s").equals("Waiting for an agent…"));
        assertTrue(offerButtons().isEmpty());
    }

    /** The labels of the buttons under the bot's open offer (empty when none is open). */
    @SuppressWarnings("unchecked")
    private List<String> offerButtons() {
        return (List<String>) widget.js("return [..." + WidgetPage.ROOT
                + ".querySelectorAll('.q button')].map(b => b.textContent)");
    }

    /** A TCP proxy in front of the server whose connections the test can cut, as a flaky network would. */
    private static final class DroppingProxy implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private volatile boolean down;

        DroppingProxy(int target) throws IOException {
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        if (down) {
                            client.close();
                            continue;
                        }
                        Socket upstream = new Socket("localhost", target);
                        open.add(client);
                        open.add(upstream);
                        pipe(client, upstream);
                        pipe(upstream, client);
                    } catch (IOException e) {
                        // closed
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        /** Drops every connection and refuses new ones until {@link #restore}. */
        void cut() {
            down = true;
            open.forEach(DroppingProxy::closeQuietly);
            open.clear();
        }

        void restore() {
            down = false;
        }

        private void pipe(Socket from, Socket to) {
            Thread.ofVirtual().start(() -> {
                try {
                    from.getInputStream().transferTo(to.getOutputStream());
                } catch (IOException e) {
                    // the other side or the test closed the connection
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            });
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            cut();
        }
    }

    // ---- helpers ----

    private void reply(String conversationId, String agent, String content) {
        given().header("Authorization", "Bearer " + demoApiKey()).contentType(ContentType.JSON)
                .body(Map.of("agentName", agent, "content", content))
                .post("/api/v1/conversations/{id}/replies", conversationId).then().statusCode(201);
    }

    private List<String> agentTexts() {
        return widget.log().stream().filter(m -> m.get(0).equals("m agent")).map(m -> m.get(1).substring("Ada".length()))
                .toList();
    }

    private String lastBot() {
        return widget.log().stream().filter(m -> m.get(0).equals("m bot") && !m.get(2).isEmpty()).map(m -> m.get(1))
                .reduce((a, b) -> b).orElse("");
    }

    private WebElement lastBotElement() {
        return widget.shadow().findElements(By.cssSelector(".m.bot[data-id]")).getLast();
    }

    private static String[] slowWords(String first, int count) {
        String[] words = new String[count];
        Arrays.fill(words, " more");
        words[0] = first;
        return words;
    }

    /** The last message of the log lies inside the log's visible box. */
    private void assertLastMessageVisible() {
        @SuppressWarnings("unchecked")
        List<Number> box = (List<Number>) widget.js("const r = " + WidgetPage.ROOT + "; const g = r.querySelector('.g')"
                + ".getBoundingClientRect(); const m = r.querySelector('.g > :last-child').getBoundingClientRect();"
                + "return [g.top, g.bottom, m.top, m.bottom]");
        assertTrue(box.get(3).doubleValue() <= box.get(1).doubleValue() + 1
                && box.get(2).doubleValue() >= box.get(0).doubleValue() - 1, "last message outside the log: " + box);
    }

    /** Computed styles and boxes of the widget's parts, to compare a page with and without a stylesheet. */
    private List<Object> widgetStyles() {
        @SuppressWarnings("unchecked")
        List<Object> styles = (List<Object>) widget.js("const r = " + WidgetPage.ROOT + ";"
                + "return ['.p', 'header', 'h2', '.g', '.m.bot', 'form textarea', 'form .b', '.l'].map(sel => {"
                + "  const e = r.querySelector(sel), s = getComputedStyle(e), b = e.getBoundingClientRect();"
                + "  return [sel, s.color, s.backgroundColor, s.fontSize, s.fontFamily, s.fontStyle, s.fontWeight,"
                + "    s.lineHeight, s.textAlign, s.letterSpacing, s.textTransform, s.textIndent, s.whiteSpace,"
                + "    s.padding, s.border, s.opacity, s.transform, Math.round(b.width), Math.round(b.height),"
                + "    Math.round(b.left), Math.round(b.top)];"
                + "})");
        return styles;
    }

    @SuppressWarnings("unchecked")
    private List<String> consoleErrors() {
        return (List<String>) widget.js("return window.__console");
    }

    private String demoApiKey() {
        try {
            return Files.readString(demo.keyFile()).strip();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private int demoConversationCount() {
        return given().header("Authorization", "Bearer " + demoApiKey()).get("/api/v1/conversations?limit=200")
                .then().statusCode(200).extract().jsonPath().getList("items").size();
    }

}
