package dev.switchboard.faq;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.switchboard.faq.match.Calibration;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Variants, learning from agents and its undo, per-workspace isolation, languages and small-talk replies. */
@QuarkusTest
class FaqLearningTest {

    private static final String QUESTION = "How do I reset my password?";
    private static final String ANSWER = "Click 'Forgot password?' on the sign-in page; the link is valid for an hour.";
    /** Nothing in the entry's wording: only a learned variant gets it answered. */
    private static final String CUSTOMER = "locked out and the login keeps rejecting me";

    @Inject
    FaqMatching matching;

    @Inject
    FaqService faqs;

    @Test
    void variantsAreStoredShownEditedAndMatched() {
        TestWorkspace w = TestWorkspaces.create();
        String id = create(w, QUESTION, ANSWER, List.of("I forgot my password", "password reset link"), "en");
        given().header("Authorization", w.bearer()).get("/api/v1/faqs/{id}", id).then().statusCode(200)
                .body("language", equalTo("en"))
                .body("variants.text", equalTo(List.of("I forgot my password", "password reset link")))
                .body("variants.source", equalTo(List.of("author", "author")));
        assertEquals(id, match(w, "I forgot my password").getString("answerId"));

        // a PUT without variants keeps them; an empty list removes them
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", QUESTION, "answer", ANSWER)).put("/api/v1/faqs/{id}", id)
                .then().statusCode(200).body("variants.size()", equalTo(2));
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", QUESTION, "answer", ANSWER, "variants", List.of()))
                .put("/api/v1/faqs/{id}", id).then().statusCode(200).body("variants.size()", equalTo(0));

        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", QUESTION, "answer", ANSWER, "language", "English"))
                .post("/api/v1/faqs").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("language"));
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", QUESTION, "answer", ANSWER, "variants", List.of("x".repeat(501))))
                .post("/api/v1/faqs").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("variants[0]"));
    }

    @Test
    void anAgentsAnswerTeachesTheCustomersWordingAndRemovingItUndoesThat() {
        TestWorkspace w = TestWorkspaces.create();
        UUID ws = UUID.fromString(w.id());
        String id = create(w, QUESTION, ANSWER, List.of(), "en");
        create(w, "How much does the Business plan cost?", "EUR 49 per month.", List.of(), "en");
        assertNull(match(w, CUSTOMER).getString("answerId"), "precondition: not answered before learning");

        FaqVariant learned = matching.learn(ws, UUID.fromString(id), CUSTOMER);
        assertNotNull(learned);
        given().header("Authorization", w.bearer()).get("/api/v1/faqs/{id}", id).then().statusCode(200)
                .body("variants.text", equalTo(List.of(CUSTOMER))).body("variants.source", equalTo(List.of("agent")));
        assertEquals(id, match(w, CUSTOMER).getString("answerId"));
        assertEquals(1, faqs.calibration(ws, 2.0).outcomes(), "the agent's answer was recorded as an outcome");

        given().header("Authorization", w.bearer()).delete("/api/v1/faqs/{id}/variants/{v}", id, learned.id)
                .then().statusCode(204);
        assertNull(match(w, CUSTOMER).getString("answerId"), "the removed variant still answers");
        given().header("Authorization", w.bearer()).delete("/api/v1/faqs/{id}/variants/{v}", id, learned.id)
                .then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void whatOneWorkspaceLearnsNeverReachesAnother() {
        TestWorkspace a = TestWorkspaces.create();
        TestWorkspace b = TestWorkspaces.create();
        String idA = create(a, QUESTION, ANSWER, List.of(), "en");
        String idB = create(b, QUESTION, ANSWER, List.of(), "en");
        matching.learn(UUID.fromString(a.id()), UUID.fromString(idA), CUSTOMER);
        for (int i = 0; i < Calibration.MIN_OUTCOMES; i++) {
            faqs.recordOutcome(UUID.fromString(a.id()), 1.9, true);
        }

        assertEquals(idA, match(a, CUSTOMER).getString("answerId"));
        assertNull(match(b, CUSTOMER).getString("answerId"), "workspace B answered from A's learned variant");
        given().header("Authorization", b.bearer()).get("/api/v1/faqs/{id}", idB).then()
                .body("variants.size()", equalTo(0));
        assertEquals(Calibration.MIN_OUTCOMES + 1, faqs.calibration(UUID.fromString(a.id()), 2.0).outcomes());
        assertEquals(Calibration.NONE, faqs.calibration(UUID.fromString(b.id()), 2.0));
        // another workspace cannot read or remove A's variants
        String variant = given().header("Authorization", a.bearer()).get("/api/v1/faqs/{id}", idA)
                .then().extract().path("variants[0].id");
        given().header("Authorization", b.bearer()).delete("/api/v1/faqs/{id}/variants/{v}", idA, variant)
                .then().statusCode(404);
    }

    @Test
    void aMessageIsAnsweredOnlyFromAnEntryInItsOwnLanguage() {
        TestWorkspace w = TestWorkspaces.create();
        String en = create(w, "How much does delivery cost?", "Delivery is EUR 4.95.", List.of(), "en");
        String de = create(w, "Wie viel kostet der Versand?", "Der Versand kostet 4,95 EUR.", List.of(), "de");
        assertEquals(en, match(w, "How much does delivery cost?").getString("answerId"));
        JsonPath german = match(w, "Wie viel kostet der Versand?");
        assertEquals(de, german.getString("answerId"));
        assertEquals("de", german.getString("language"));
        JsonPath spanish = match(w, "¿Cuánto cuesta el envío?");
        assertNull(spanish.getString("answerId"), "a Spanish message got an answer in another language");
        assertEquals("es", spanish.getString("language"));
    }

    @Test
    void smallTalkRepliesAreConfigurablePerWorkspace() {
        TestWorkspace w = TestWorkspaces.create();
        given().header("Authorization", w.bearer()).get("/api/v1/faqs/small-talk").then().statusCode(200)
                .body("greeting", equalTo(SmallTalkReplies.DEFAULT_GREETING));
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("greeting", "Moin! What can we do for you?", "thanks", "Gern geschehen!"))
                .put("/api/v1/faqs/small-talk").then().statusCode(200).body("thanks", equalTo("Gern geschehen!"));
        given().header("Authorization", TestWorkspaces.create().bearer()).get("/api/v1/faqs/small-talk")
                .then().body("thanks", equalTo(SmallTalkReplies.DEFAULT_THANKS));
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("greeting", "x".repeat(501))).put("/api/v1/faqs/small-talk")
                .then().statusCode(400).contentType("application/problem+json");
        assertEquals(Boolean.TRUE, match(w, "hello there").getBoolean("smallTalk"));
    }

    private static String create(TestWorkspace w, String question, String answer, List<String> variants,
                                 String language) {
        Map<String, Object> body = new HashMap<>(Map.of("question", question, "answer", answer, "variants", variants,
                "language", language));
        return given().header("Authorization", w.bearer()).contentType(ContentType.JSON).body(body)
                .post("/api/v1/faqs").then().statusCode(201).extract().path("id");
    }

    private static JsonPath match(TestWorkspace w, String message) {
        return given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("message", message)).post("/api/v1/faqs/match")
                .then().statusCode(200).extract().jsonPath();
    }
}
