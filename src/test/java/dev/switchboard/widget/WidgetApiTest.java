package dev.switchboard.widget;

import static dev.switchboard.support.TestWorkspaces.ADMIN_TOKEN;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.demo.DemoSeed;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.support.TestWorkspaces.WidgetConversation;
import dev.switchboard.workspace.VisitorIdentity;
import dev.switchboard.workspace.Workspace;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The widget's server side: CORS per workspace, identify() with HMAC, ratings, and the size of /widget.js. */
@QuarkusTest
class WidgetApiTest {

    private static final String SHOP = "https://shop.example";
    private static final int BUDGET_BYTES = 15 * 1024;

    @TestHTTPResource("/")
    URI root;

    @BeforeEach
    void nobodyAnswers() {
        NoBot.install();
    }

    // ---- CORS ----

    @Test
    void preflightAllowsTheWidgetsHeadersForAnyOriginSinceItCarriesNoSiteKey() {
        given().header("Origin", "https://anyone.example").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "x-site-key, x-visitor-token, content-type")
                .options("/api/v1/conversations/abc/messages")
                .then().statusCode(204)
                .header("Access-Control-Allow-Origin", "https://anyone.example")
                .header("Access-Control-Allow-Methods", "GET, POST")
                .header("Access-Control-Allow-Headers", "X-Site-Key, X-Visitor-Token, Content-Type, Last-Event-ID")
                .header("Vary", "Origin");
    }

    @Test
    void onlyAllowedOriginsGetReadableResponses() {
        TestWorkspace w = TestWorkspaces.create(List.of(SHOP));
        ValidatableResponse ok = start(w, SHOP).statusCode(201).header("Access-Control-Allow-Origin", SHOP)
                .header("Vary", containsString("Origin"));
        String id = ok.extract().path("id");
        start(w, "https://evil.example").statusCode(403).header("Access-Control-Allow-Origin", nullValue())
                .body("detail", containsString("https://evil.example"));
        // An error of an accepted origin stays readable, so the widget can tell a stale conversation from an outage.
        given().header("X-Site-Key", w.siteKey()).header("X-Visitor-Token", "vt_wrong").header("Origin", SHOP)
                .get("/api/v1/conversations/{id}", id)
                .then().statusCode(404).header("Access-Control-Allow-Origin", SHOP);
        // A site key that is not valid grants no origin anything.
        given().header("X-Site-Key", "sk_unknown").header("Origin", SHOP).contentType(ContentType.JSON)
                .body(Map.of("visitorId", "v")).post("/api/v1/conversations")
                .then().statusCode(401).header("Access-Control-Allow-Origin", nullValue());
    }

    @Test
    void theEventStreamAnswersAllowedOriginsOnly() throws Exception {
        TestWorkspace w = TestWorkspaces.create(List.of(SHOP));
        WidgetConversation c = TestWorkspaces.startWithSiteKey(w);
        URI events = root.resolve("/api/v1/conversations/" + c.id() + "/events?site_key=" + c.siteKey()
                + "&visitor_token=" + c.visitorToken());
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<InputStream> allowed = http.send(HttpRequest.newBuilder(events).header("Origin", SHOP)
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
            allowed.body().close();
            assertEquals(200, allowed.statusCode());
            assertEquals(SHOP, allowed.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(events)
                    .header("Origin", "https://evil.example").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, refused.statusCode());
            assertTrue(refused.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
        }
    }

    @Test
    void anEmptyListAllowsSwitchboardsOwnPagesAndServersButNoOtherSite() {
        TestWorkspace w = TestWorkspaces.create(List.of());
        start(w, "https://shop.example").statusCode(403).body("detail", containsString("allowedOrigins"));
        String own = "http://" + root.getHost() + ":" + root.getPort();
        start(w, own).statusCode(201).header("Access-Control-Allow-Origin", own);
        given().header("X-Site-Key", w.siteKey()).contentType(ContentType.JSON).body(Map.of("visitorId", "server"))
                .post("/api/v1/conversations").then().statusCode(201)
                .header("Access-Control-Allow-Origin", nullValue());
    }

    // ---- identify ----

    @Test
    void identifyWithTheRightHashTiesTheConversationToTheVerifiedVisitor() {
        TestWorkspace w = TestWorkspaces.create();
        WidgetConversation c = TestWorkspaces.startWithSiteKey(w);
        String secret = admin().get("/api/v1/workspaces/{id}/identity-secret", w.id())
                .then().statusCode(200).extract().path("identitySecret");
        assertEquals(secret, admin().get("/api/v1/workspaces/{id}/identity-secret", w.id())
                .then().extract().path("identitySecret"), "reading again gives the same secret");

        identify(c, Map.of("id", "user-42", "hash", VisitorIdentity.hmacHex(secret, "user-43")))
                .statusCode(403).body("detail", containsString("HMAC"));
        identify(c, Map.of("id", "user-42", "name", "Grace Hopper", "email", "grace@example.com",
                "hash", VisitorIdentity.hmacHex(secret, "user-42").toUpperCase()))
                .statusCode(200).body("visitorId", equalTo("user-42")).body("visitorVerified", equalTo(true))
                .body("visitorName", equalTo("Grace Hopper")).body("visitorEmail", equalTo("grace@example.com"));
        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}", c.id())
                .then().body("visitorId", equalTo("user-42")).body("visitorVerified", equalTo(true));
    }

    @Test
    void identifyValidatesItsFieldsAndAnOldSecretStopsWorkingAfterRotation() {
        TestWorkspace w = TestWorkspaces.create();
        WidgetConversation c = TestWorkspaces.startWithSiteKey(w);
        identify(c, Map.of("id", "u1", "hash", "00")).statusCode(403).body("detail", containsString("no identity secret"));
        String old = admin().get("/api/v1/workspaces/{id}/identity-secret", w.id()).then().extract().path("identitySecret");
        String fresh = admin().post("/api/v1/workspaces/{id}/identity-secret/rotate", w.id())
                .then().statusCode(200).extract().path("identitySecret");
        assertNotEquals(old, fresh);
        identify(c, Map.of("id", "u1", "hash", VisitorIdentity.hmacHex(old, "u1"))).statusCode(403);
        identify(c, Map.of("id", "u1")).statusCode(400).body("detail", containsString("'hash'"));
        identify(c, Map.of("hash", "ab")).statusCode(400).body("detail", containsString("'id'"));
        identify(c, Map.of("id", "u1", "email", "not-an-email", "hash", VisitorIdentity.hmacHex(fresh, "u1")))
                .statusCode(400).body("detail", containsString("'email'"));
        identify(c, Map.of("id", "u1", "hash", VisitorIdentity.hmacHex(fresh, "u1"))).statusCode(200)
                .body("visitorVerified", equalTo(true)).body("visitorName", nullValue());
        admin().get("/api/v1/workspaces/{id}", w.id()).then().body(not(containsString(fresh)));
    }

    // ---- rating ----

    @Test
    void onlyAResolvedConversationIsRatedAndOnlyByItsCustomer() {
        TestWorkspace w = TestWorkspaces.create();
        WidgetConversation c = TestWorkspaces.startWithSiteKey(w);
        rate(c, Map.of("score", 5)).statusCode(409).body("detail", containsString("resolved"));
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .post("/api/v1/conversations/{id}/resolve", c.id())
                .then().statusCode(200);
        for (Object bad : List.of(0, 6, "4", 2.5)) {
            rate(c, Map.of("score", bad)).statusCode(400);
        }
        rate(c, Map.of("comment", "no score")).statusCode(400).body("detail", containsString("'score'"));
        rate(c, Map.of("score", 3, "comment", "x".repeat(2001))).statusCode(400)
                .body("detail", containsString("'comment'"));
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON).body(Map.of("score", 1))
                .post("/api/v1/conversations/{id}/rating", c.id()).then().statusCode(403);

        rate(c, Map.of("score", 4)).statusCode(200).body("rating", equalTo(4)).body("ratingComment", nullValue());
        rate(c, Map.of("score", 4, "comment", "Quick and friendly")).statusCode(200);
        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}", c.id())
                .then().body("rating", equalTo(4)).body("ratingComment", equalTo("Quick and friendly"));
    }

    // ---- the script and the demo page ----

    @Test
    void theDemoPageEmbedsTheWidgetWithTheDemoSiteKey() {
        String siteKey = ((Workspace) Workspace.findById(DemoSeed.WORKSPACE_ID)).siteKey;
        given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("<script src=\"/widget.js\" data-site-key=\"" + siteKey + "\" async>"));
    }

    @Test
    void widgetScriptIsServedWithinItsGzipBudget() throws Exception {
        byte[] script = given().get("/widget.js").then().statusCode(200)
                .contentType(containsString("javascript")).extract().asByteArray();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            out.write(script);
        }
        assertTrue(gz.size() <= BUDGET_BYTES, "/widget.js is " + gz.size() + " bytes gzipped; the budget is "
                + BUDGET_BYTES);
    }

    @Test
    void widgetScriptIsServedGzippedWithCachingHeadersAndRevalidates() throws Exception {
        // HTTP/1.1 as browsers fetch a script over plain http (the JDK client's default h2c upgrade hung a run here);
        // a timeout turns any hang into a failure.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = root.resolve("/widget.js");
        HttpResponse<byte[]> plain = http.send(script(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> gzipped = http.send(script(uri).header("Accept-Encoding", "br, gzip;q=0.8")
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, plain.statusCode());
        assertEquals(200, gzipped.statusCode());
        assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty(), "no gzip for a client that did not ask");
        assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElse(null));
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
            assertArrayEquals(plain.body(), in.readAllBytes(), "the same script, compressed");
        }
        assertTrue(gzipped.body().length * 2 < plain.body().length,
                gzipped.body().length + " bytes gzipped of " + plain.body().length);
        for (HttpResponse<byte[]> r : List.of(plain, gzipped)) {
            assertTrue(r.headers().firstValue("Cache-Control").orElse("").matches("public, max-age=\\d+"),
                    r.headers().map().toString());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
            assertTrue(r.headers().allValues("Vary").toString().contains("Accept-Encoding"));
        }
        String etag = gzipped.headers().firstValue("ETag").orElseThrow();
        assertNotEquals(etag, plain.headers().firstValue("ETag").orElseThrow(), "one ETag per encoding");
        HttpResponse<byte[]> again = http.send(script(uri).header("Accept-Encoding", "gzip")
                .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(304, again.statusCode());
        assertEquals(0, again.body().length);
    }

    private static ValidatableResponse start(TestWorkspace w, String origin) {
        return given().header("X-Site-Key", w.siteKey()).header("Origin", origin).contentType(ContentType.JSON)
                .body(Map.of("visitorId", "v")).post("/api/v1/conversations").then();
    }

    private static io.restassured.specification.RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + ADMIN_TOKEN);
    }

    private static ValidatableResponse identify(WidgetConversation c, Map<String, Object> body) {
        return widget(c).body(new HashMap<>(body)).post("/api/v1/conversations/{id}/identify", c.id()).then();
    }

    private static ValidatableResponse rate(WidgetConversation c, Map<String, Object> body) {
        return widget(c).body(body).post("/api/v1/conversations/{id}/rating", c.id()).then();
    }

    private static io.restassured.specification.RequestSpecification widget(WidgetConversation c) {
        return given().header("X-Site-Key", c.siteKey()).header("X-Visitor-Token", c.visitorToken())
                .contentType(ContentType.JSON);
    }

    private static HttpRequest.Builder script(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    }
}
