package dev.switchboard.conversation;

import static dev.switchboard.support.TestWorkspaces.ADMIN_TOKEN;
import static dev.switchboard.support.TestWorkspaces.postAsCustomer;
import static dev.switchboard.support.TestWorkspaces.startWithApiKey;
import static dev.switchboard.support.TestWorkspaces.startWithSiteKey;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestClock;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.support.TestWorkspaces.WidgetConversation;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Business hours through the API: setting them, what the widget is told across a closing time, a DST change and a
 * holiday in Europe/Berlin, the handoff reason outside hours, the e-mail address a visitor leaves, and the expected
 * reply time.
 */
@QuarkusTest
class BusinessHoursApiTest {

    private static final String PROBLEM = "application/problem+json";
    /** Friday 2026-03-27, 16:59 in Berlin (CET, UTC+1): one minute before closing, two days before the clocks go on. */
    private static final Instant FRIDAY_BEFORE_CLOSING = Instant.parse("2026-03-27T15:59:00Z");
    private static final Map<String, Object> HOURS = Map.of("timeZone", "Europe/Berlin",
            "weekly", Map.of("mon", List.of("09:00-17:00"), "tue", List.of("09:00-17:00"),
                    "wed", List.of("09:00-12:00", "13:00-17:00"), "thu", List.of("09:00-17:00"),
                    "fri", List.of("09:00-17:00")),
            "holidays", List.of("2026-04-03"));

    @Inject
    ConversationService conversations;

    private TestClock clock;

    @BeforeEach
    void setUp() {
        NoBot.install();
        clock = TestClock.install(FRIDAY_BEFORE_CLOSING);
    }

    @Test
    void hoursAreSetReadBackAndRemoved() {
        TestWorkspace w = TestWorkspaces.create();
        admin().get("/api/v1/workspaces/{id}/hours", w.id()).then().statusCode(404).contentType(PROBLEM);
        put(w, HOURS).statusCode(200).body("timeZone", equalTo("Europe/Berlin"))
                .body("weekly.wed", equalTo(List.of("09:00-12:00", "13:00-17:00")))
                .body("weekly.sat", nullValue()).body("holidays", equalTo(List.of("2026-04-03")))
                .body("expectedReplyMinutes", nullValue());
        admin().get("/api/v1/workspaces/{id}/hours", w.id()).then().statusCode(200)
                .body("weekly.mon", equalTo(List.of("09:00-17:00")));
        admin().delete("/api/v1/workspaces/{id}/hours", w.id()).then().statusCode(204);
        admin().get("/api/v1/workspaces/{id}/hours", w.id()).then().statusCode(404);
        // Only the installation's owner sets hours: the workspace's own API key cannot.
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON).body(HOURS)
                .put("/api/v1/workspaces/{id}/hours", w.id()).then().statusCode(403);
    }

    @Test
    void malformedHoursAre400sNamingTheField() {
        TestWorkspace w = TestWorkspaces.create();
        put(w, Map.of("timeZone", "Europe/Atlantis", "weekly", Map.of())).statusCode(400).contentType(PROBLEM)
                .body("detail", containsString("timeZone"));
        put(w, Map.of("timeZone", "UTC", "weekly", Map.of("mon", List.of("9am-5pm")))).statusCode(400)
                .contentType(PROBLEM).body("detail", containsString("weekly.mon"));
        put(w, Map.of("timeZone", "UTC", "weekly", Map.of("fri", List.of("10:00-12:00", "11:00-13:00"))))
                .statusCode(400).body("detail", containsString("overlapping"));
        put(w, Map.of("timeZone", "UTC", "weekly", Map.of(), "holidays", List.of("25.12.2026"))).statusCode(400)
                .body("detail", containsString("holidays"));
        put(w, Map.of("timeZone", "UTC", "weekly", Map.of(), "expectedReplyMinutes", 20000)).statusCode(400)
                .body("detail", containsString("expectedReplyMinutes"));
        put(w, Map.of("timeZone", "UTC", "weekly", Map.of(), "openOnSundays", true)).statusCode(400)
                .contentType(PROBLEM);
        admin().get("/api/v1/workspaces/{id}/hours", w.id()).then().statusCode(404); // nothing half-stored
    }

    @Test
    void theWidgetIsToldWhenTheTeamIsBackAcrossTheWeekendsDstChange() {
        TestWorkspace w = TestWorkspaces.create();
        availability(w).body("open", equalTo(true)).body("nextOpenAt", nullValue()).body("timeZone", nullValue());
        put(w, HOURS).statusCode(200);
        availability(w).body("open", equalTo(true)).body("nextOpenAt", nullValue())
                .body("timeZone", equalTo("Europe/Berlin"));

        clock.advance(Duration.ofMinutes(1)); // 17:00 in Berlin
        // Monday 09:00 in Berlin is 07:00 UTC: summer time began on Sunday.
        availability(w).body("open", equalTo(false)).body("nextOpenAt", equalTo("2026-03-30T07:00:00Z"));

        clock.advance(Duration.between(Instant.parse("2026-03-27T16:00:00Z"), Instant.parse("2026-03-30T07:00:00Z")));
        availability(w).body("open", equalTo(true));

        // Wednesday's lunch break, then Friday 2026-04-03 is a holiday: from Thursday evening, back on Monday.
        clock.advance(Duration.between(Instant.parse("2026-03-30T07:00:00Z"), Instant.parse("2026-04-01T10:30:00Z")));
        availability(w).body("open", equalTo(false)).body("nextOpenAt", equalTo("2026-04-01T11:00:00Z"));
        clock.advance(Duration.ofDays(1).plusHours(5)); // Thursday 17:30 in Berlin
        availability(w).body("open", equalTo(false)).body("nextOpenAt", equalTo("2026-04-06T07:00:00Z"));
        clock.advance(Duration.ofHours(17)); // the holiday, 10:30 in Berlin
        availability(w).body("open", equalTo(false)).body("nextOpenAt", equalTo("2026-04-06T07:00:00Z"));
    }

    @Test
    void aHandoffOutsideHoursSaysSoAndInsideKeepsTheBotsReason() {
        TestWorkspace w = TestWorkspaces.create();
        put(w, HOURS).statusCode(200);
        String inside = startWithApiKey(w);
        String question = (String) postAsCustomer(w, inside, "Can I talk to a person?").get("id");
        assertTrue(conversations.handoffIfUnanswered(UUID.fromString(question), HandoffReason.CUSTOMER_REQUEST,
                "A human agent will reply here shortly."));
        conversation(w, inside).body("status", equalTo("pending")).body("handoffReason", equalTo("customer_request"));

        clock.advance(Duration.ofMinutes(2)); // 17:01 in Berlin
        String outside = startWithApiKey(w);
        question = (String) postAsCustomer(w, outside, "Can I talk to a person?").get("id");
        assertTrue(conversations.handoffIfUnanswered(UUID.fromString(question), HandoffReason.CUSTOMER_REQUEST,
                "A human agent will reply here shortly."));
        conversation(w, outside).body("status", equalTo("pending"))
                .body("handoffReason", equalTo("outside_business_hours"));
        List<Map<String, Object>> messages = given().header("Authorization", w.bearer())
                .get("/api/v1/conversations/{id}/messages", outside).then().statusCode(200)
                .extract().jsonPath().getList("items");
        assertEquals(ConversationService.OUTSIDE_HOURS_NOTICE, messages.getLast().get("content"));
        assertEquals("system", messages.getLast().get("role"));
    }

    @Test
    void theVisitorLeavesAnEmailAddressThatAgentsSee() {
        TestWorkspace w = TestWorkspaces.create();
        WidgetConversation c = startWithSiteKey(w);
        widget(c).body(Map.of("email", "  ada@example.com ")).post("/api/v1/conversations/{id}/contact-email", c.id())
                .then().statusCode(200).body("contactEmail", equalTo("ada@example.com"));
        conversation(w, c.id()).body("contactEmail", equalTo("ada@example.com")).body("visitorEmail", nullValue());
        widget(c).body(Map.of("email", "not an address")).post("/api/v1/conversations/{id}/contact-email", c.id())
                .then().statusCode(400).contentType(PROBLEM).body("detail", containsString("email"));
        // Another visitor's token opens nothing.
        WidgetConversation other = startWithSiteKey(w);
        given().header("X-Site-Key", w.siteKey()).header("X-Visitor-Token", other.visitorToken())
                .contentType(ContentType.JSON).body(Map.of("email", "eve@example.com"))
                .post("/api/v1/conversations/{id}/contact-email", c.id()).then().statusCode(404);
        conversation(w, c.id()).body("contactEmail", equalTo("ada@example.com"));
    }

    @Test
    void theExpectedReplyTimeIsTheSettingOrTheRecentMedianFirstResponse() {
        TestWorkspace w = TestWorkspaces.create();
        availability(w).body("expectedReplyMinutes", nullValue()).body("expectedReplySource", nullValue());
        for (int minutes : new int[] {3, 7, 5}) {
            String id = startWithApiKey(w);
            String question = (String) postAsCustomer(w, id, "A person, please").get("id");
            conversations.handoffIfUnanswered(UUID.fromString(question), HandoffReason.CUSTOMER_REQUEST, "Soon.");
            clock.advance(Duration.ofMinutes(minutes).minusSeconds(30));
            conversations.agentReply(UUID.fromString(id), "Ada", "Hi, Ada here.");
        }
        // Median of 2.5, 6.5 and 4.5 minutes, rounded up.
        availability(w).body("expectedReplyMinutes", equalTo(5)).body("expectedReplySource", equalTo("recent"));
        Map<String, Object> withSetting = new java.util.HashMap<>(HOURS);
        withSetting.put("expectedReplyMinutes", 45);
        put(w, withSetting).statusCode(200).body("expectedReplyMinutes", equalTo(45));
        availability(w).body("expectedReplyMinutes", equalTo(45)).body("expectedReplySource", equalTo("setting"));
    }

    private static io.restassured.specification.RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + ADMIN_TOKEN);
    }

    private static ValidatableResponse put(TestWorkspace w, Map<String, Object> body) {
        return admin().contentType(ContentType.JSON).body(body).put("/api/v1/workspaces/{id}/hours", w.id()).then();
    }

    private static ValidatableResponse availability(TestWorkspace w) {
        return given().header("X-Site-Key", w.siteKey()).get("/api/v1/conversations/availability").then()
                .statusCode(200);
    }

    private static ValidatableResponse conversation(TestWorkspace w, String id) {
        return given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}", id).then()
                .statusCode(200);
    }

    private static io.restassured.specification.RequestSpecification widget(WidgetConversation c) {
        return given().header("X-Site-Key", c.siteKey()).header("X-Visitor-Token", c.visitorToken())
                .contentType(ContentType.JSON);
    }
}
