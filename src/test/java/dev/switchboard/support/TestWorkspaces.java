package dev.switchboard.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Creates workspaces and conversations through the public API, as a client would. */
public final class TestWorkspaces {

    public static final String ADMIN_TOKEN = "test-admin-token";

    public record TestWorkspace(String id, String siteKey, String apiKey) {

        public String bearer() {
            return "Bearer " + apiKey;
        }
    }

    /** A conversation started by the widget: the site key and the visitor token open it. */
    public record WidgetConversation(String id, String siteKey, String visitorToken) {}

    private TestWorkspaces() {}

    public static TestWorkspace create() {
        return create(List.of());
    }

    public static TestWorkspace create(List<String> allowedOrigins) {
        Map<String, Object> created = given().header("Authorization", "Bearer " + ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "Shop " + UUID.randomUUID(), "allowedOrigins", allowedOrigins))
                .post("/api/v1/workspaces")
                .then().statusCode(201).extract().jsonPath().getMap("");
        return new TestWorkspace((String) created.get("id"), (String) created.get("siteKey"),
                (String) created.get("apiKey"));
    }

    public static String startWithApiKey(TestWorkspace w) {
        return given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("visitorId", "visitor-" + UUID.randomUUID()))
                .post("/api/v1/conversations")
                .then().statusCode(201).extract().path("id");
    }

    public static WidgetConversation startWithSiteKey(TestWorkspace w) {
        Map<String, Object> c = given().header("X-Site-Key", w.siteKey()).contentType(ContentType.JSON)
                .body(Map.of("visitorId", "visitor-" + UUID.randomUUID()))
                .post("/api/v1/conversations")
                .then().statusCode(201).extract().jsonPath().getMap("");
        return new WidgetConversation((String) c.get("id"), w.siteKey(), (String) c.get("visitorToken"));
    }

    public static Map<String, Object> postAsCustomer(TestWorkspace w, String conversationId, String content) {
        return given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("content", content))
                .post("/api/v1/conversations/{id}/messages", conversationId)
                .then().statusCode(201).extract().jsonPath().getMap("");
    }

    /**
     * A message the matcher is unsure of but offers entries for (a bot without a model offers them), given an FAQ
     * with a return-policy and a delivery-time entry: found through the dry run, so a retuned matcher still finds
     * one of these.
     */
    public static String messageWithOffers(TestWorkspace w) {
        for (String m : List.of("returns policy for delivery", "when can I return a delivery",
                "how soon will it get to me", "can I send it back for free")) {
            if (!offersFor(w, m).isEmpty()) {
                return m;
            }
        }
        throw new AssertionError("none of the messages gets entries offered with this FAQ");
    }

    /** The ids of the entries the dry run says a bot without a model offers for the message. */
    public static List<String> offersFor(TestWorkspace w, String message) {
        return given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("message", message)).post("/api/v1/faqs/match").then().statusCode(200)
                .extract().jsonPath().getList("offers");
    }

    /** Adds an FAQ entry through the API; returns its id. */
    public static String addFaq(TestWorkspace w, String question, String answer) {
        return given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", question, "answer", answer))
                .post("/api/v1/faqs").then().statusCode(201).extract().path("id");
    }
}
