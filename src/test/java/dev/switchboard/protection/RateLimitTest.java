package dev.switchboard.protection;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestClock;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RateLimitTest {

    /** A quarter past ten: the hour's window has 45 minutes left, the minute's 30 seconds. */
    private static final Instant START = Instant.parse("2031-03-04T10:15:30Z");

    private TestClock clock;

    @BeforeEach
    void setUp() {
        NoBot.install();
        clock = TestClock.install(START);
    }

    @Test
    void newWidgetConversationsPerAddressAreLimitedUntilTheHourEnds() {
        TestWorkspace limited = TestWorkspaces.create();
        setPolicy(limited, Map.of("conversationsPerIpHour", 2));
        startWidget(limited).statusCode(201);
        startWidget(limited).statusCode(201);

        startWidget(limited).statusCode(429)
                .contentType(ContentType.fromContentType("application/problem+json"))
                .header("Retry-After", "2670")
                .body("status", equalTo(429))
                .body("detail", containsString("at most 2 per hour"));
        // The header a proxy would set is not trusted unless configured: the client cannot pick another address.
        given().header("X-Site-Key", limited.siteKey()).header("X-Forwarded-For", "203.0.113.9")
                .contentType(ContentType.JSON).body(Map.of("visitorId", "v"))
                .post("/api/v1/conversations").then().statusCode(429);

        // Another workspace keeps its own (default) limits and counters.
        TestWorkspace other = TestWorkspaces.create();
        for (int i = 0; i < 3; i++) {
            startWidget(other).statusCode(201);
        }

        clock.advance(Duration.ofSeconds(2669));
        startWidget(limited).statusCode(429).header("Retry-After", "1");
        clock.advance(Duration.ofSeconds(1));
        startWidget(limited).statusCode(201);
    }

    @Test
    void theSiteKeyLimitCountsAllAddressesOfTheWorkspace() {
        TestWorkspace w = TestWorkspaces.create();
        setPolicy(w, Map.of("conversationsPerIpHour", 100, "conversationsPerSiteHour", 1));
        startWidget(w).statusCode(201);
        startWidget(w).statusCode(429).body("detail", containsString("for this site key"));
        // The server's own calls (API key) are not widget traffic.
        TestWorkspaces.startWithApiKey(w);
    }

    @Test
    void widgetMessagesPerAddressAreLimitedPerMinute() {
        TestWorkspace w = TestWorkspaces.create();
        setPolicy(w, Map.of("messagesPerIpMinute", 2));
        TestWorkspaces.WidgetConversation c = TestWorkspaces.startWithSiteKey(w);
        postWidget(c, "one").statusCode(201);
        postWidget(c, "two").statusCode(201);
        postWidget(c, "three").statusCode(429).header("Retry-After", "30")
                .body("detail", containsString("messages from this address: at most 2 per minute"));
        // The rejected message was not stored; the API key still posts (it has its own limit).
        TestWorkspaces.postAsCustomer(w, c.id(), "via the server");
        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}/messages", c.id())
                .then().statusCode(200).body("items.content", equalTo(List.of("one", "two",
                        "via the server")));

        clock.advance(Duration.ofSeconds(30));
        postWidget(c, "four").statusCode(201);
    }

    @Test
    void apiKeysAreLimitedIndependently() {
        TestWorkspace a = TestWorkspaces.create();
        TestWorkspace b = TestWorkspaces.create();
        setPolicy(a, Map.of("apiRequestsPerKeyMinute", 3));
        setPolicy(b, Map.of("apiRequestsPerKeyMinute", 3));
        for (int i = 0; i < 3; i++) {
            listFaqs(a).statusCode(200);
        }
        listFaqs(a).statusCode(429).header("Retry-After", "30")
                .body("detail", containsString("requests with this API key"));
        for (int i = 0; i < 3; i++) {
            listFaqs(b).statusCode(200);
        }
        clock.advance(Duration.ofSeconds(30));
        listFaqs(a).statusCode(200);
    }

    @Test
    void aHighLimitCountedInLeasesAdmitsExactlyTheLimit() {
        TestWorkspace w = TestWorkspaces.create();
        setPolicy(w, Map.of("apiRequestsPerKeyMinute", 250)); // leases of 2 hits
        for (int i = 0; i < 250; i++) {
            listFaqs(w).statusCode(200);
        }
        listFaqs(w).statusCode(429).header("Retry-After", "30").body("detail", containsString("at most 250"));
        clock.advance(Duration.ofSeconds(30));
        listFaqs(w).statusCode(200);
    }

    @Test
    void aLoweredLimitAppliesAtOnceThoughHitsWereLeasedAndThePolicyRead() {
        TestWorkspace w = TestWorkspaces.create();
        listFaqs(w).statusCode(200); // the test profile's 100000 a minute: a lease of 1000 hits, policy kept
        setPolicy(w, Map.of("apiRequestsPerKeyMinute", 300)); // still leased (3 at a time), the 999 left dropped
        listFaqs(w).statusCode(429).body("detail", containsString("at most 300 per minute"));
    }

    @Test
    void thePolicyIsValidatedAndReadBack() {
        TestWorkspace w = TestWorkspaces.create();
        given().header("Authorization", "Bearer " + TestWorkspaces.ADMIN_TOKEN).get("/api/v1/workspaces/{id}/policy",
                w.id()).then().statusCode(200).body("conversationsPerIpHour", nullValue())
                .body("retentionDays", nullValue());
        putPolicy(w.id(), Map.of("messagesPerIpMinute", 0)).statusCode(400)
                .body("detail", containsString("'messagesPerIpMinute' must be between 1 and"));
        putPolicy(w.id(), Map.of("retentionDays", 30, "apiRequestsPerKeyMinute", 50)).statusCode(200)
                .body("retentionDays", equalTo(30)).body("apiRequestsPerKeyMinute", equalTo(50))
                .body("messagesPerIpMinute", nullValue());
        putPolicy("00000000-0000-4000-8000-000000000000", Map.of()).statusCode(404);
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON).body(Map.of())
                .put("/api/v1/workspaces/{id}/policy", w.id()).then().statusCode(403);
    }

    private static void setPolicy(TestWorkspace w, Map<String, Integer> fields) {
        putPolicy(w.id(), new HashMap<>(fields)).statusCode(200);
    }

    private static ValidatableResponse putPolicy(String workspaceId, Map<String, ?> body) {
        return given().header("Authorization", "Bearer " + TestWorkspaces.ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(body).put("/api/v1/workspaces/{id}/policy", workspaceId).then();
    }

    private static ValidatableResponse startWidget(TestWorkspace w) {
        return given().header("X-Site-Key", w.siteKey()).contentType(ContentType.JSON)
                .body(Map.of("visitorId", "visitor")).post("/api/v1/conversations").then();
    }

    private static ValidatableResponse postWidget(TestWorkspaces.WidgetConversation c, String content) {
        return given().header("X-Site-Key", c.siteKey()).header("X-Visitor-Token", c.visitorToken())
                .contentType(ContentType.JSON).body(Map.of("content", content))
                .post("/api/v1/conversations/{id}/messages", c.id()).then();
    }

    private static ValidatableResponse listFaqs(TestWorkspace w) {
        return given().header("Authorization", w.bearer()).get("/api/v1/faqs").then();
    }
}
