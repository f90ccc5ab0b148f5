package dev.switchboard.faq;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.switchboard.common.Times;
import dev.switchboard.faq.match.TextEmbedder;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class FaqResourceTest {

    @Inject
    TextEmbedder embedder;

    @Inject
    FaqService faqs;

    @Test
    void createReadUpdateDeleteWithEmbeddings() {
        TestWorkspace w = TestWorkspaces.create();
        String id = given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", " Do you ship to Austria? ", "answer", "Yes, in 3-5 days."))
                .post("/api/v1/faqs")
                .then().statusCode(201).header("Location", containsString("/api/v1/faqs/"))
                .body("question", equalTo("Do you ship to Austria?")).body("hitCount", equalTo(0))
                .extract().path("id");
        FaqEntry stored = load(id);
        assertArrayEquals(embedder.embed("Do you ship to Austria?"), stored.embedding, 1e-5f);
        assertEquals(embedder.modelName(), stored.embeddingModel);

        given().header("Authorization", w.bearer()).get("/api/v1/faqs/{id}", id)
                .then().statusCode(200).body("answer", equalTo("Yes, in 3-5 days."));
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", "Do you deliver to Austria?", "answer", "Yes, in 2-4 days."))
                .put("/api/v1/faqs/{id}", id)
                .then().statusCode(200).body("question", equalTo("Do you deliver to Austria?"));
        FaqEntry updated = load(id);
        assertArrayEquals(embedder.embed("Do you deliver to Austria?"), updated.embedding, 1e-5f);
        given().header("Authorization", w.bearer()).get("/api/v1/faqs")
                .then().statusCode(200).body("items.id", equalTo(List.of(id)))
                .body("items[0].answer", equalTo("Yes, in 2-4 days."));
        assertEquals(1, faqs.candidates(UUID.fromString(w.id())).size());

        given().header("Authorization", w.bearer()).delete("/api/v1/faqs/{id}", id).then().statusCode(204);
        given().header("Authorization", w.bearer()).get("/api/v1/faqs/{id}", id)
                .then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void changesClearTheWorkspacesCachedAnswersOnly() {
        TestWorkspace w = TestWorkspaces.create();
        TestWorkspace other = TestWorkspaces.create();
        String id = createFaq(w, "Opening hours?", "9 to 5.");
        String otherCached = cacheAnswer(other);

        cacheAnswer(w);
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", "Opening hours?", "answer", "9 to 6.")).put("/api/v1/faqs/{id}", id)
                .then().statusCode(200);
        assertEquals(0, cachedCount(w));

        cacheAnswer(w);
        createFaq(w, "Parking?", "Yes, behind the shop.");
        assertEquals(0, cachedCount(w));

        cacheAnswer(w);
        given().header("Authorization", w.bearer()).delete("/api/v1/faqs/{id}", id).then().statusCode(204);
        assertEquals(0, cachedCount(w));
        assertNotNull(CachedAnswer.findById(UUID.fromString(otherCached)));
    }

    @Test
    void entriesOfAnotherWorkspaceAreNotFound() {
        TestWorkspace a = TestWorkspaces.create();
        TestWorkspace b = TestWorkspaces.create();
        String id = createFaq(a, "Returns?", "30 days.");
        given().header("Authorization", b.bearer()).get("/api/v1/faqs/{id}", id).then().statusCode(404);
        given().header("Authorization", b.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", "Returns?", "answer", "never")).put("/api/v1/faqs/{id}", id)
                .then().statusCode(404);
        given().header("Authorization", b.bearer()).delete("/api/v1/faqs/{id}", id).then().statusCode(404);
        given().header("Authorization", a.bearer()).get("/api/v1/faqs/{id}", id)
                .then().statusCode(200).body("answer", equalTo("30 days."));
    }

    @Test
    void invalidInputIsRejectedWithTheField() {
        TestWorkspace w = TestWorkspaces.create();
        rejected(w, Map.of("question", "q".repeat(501), "answer", "a")).body("detail", containsString("'question'"))
                .body("detail", containsString("500"));
        rejected(w, Map.of("question", "q", "answer", "a".repeat(4001))).body("detail", containsString("'answer'"));
        rejected(w, Map.of("question", "   ", "answer", "a")).body("detail", containsString("'question'"));
        rejected(w, Map.of("answer", "a")).body("detail", containsString("'question' is required"));
        rejected(w, Map.of("question", "q", "answer", "a", "tags", List.of())).body("detail",
                containsString("Unknown field 'tags'"));
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", "q".repeat(500), "answer", "a".repeat(4000))).post("/api/v1/faqs")
                .then().statusCode(201);
        // The widget's site key does not manage the FAQ.
        given().header("X-Site-Key", w.siteKey()).get("/api/v1/faqs")
                .then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("API key"));
        given().header("Authorization", w.bearer()).get("/api/v1/faqs/{id}", "42")
                .then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", w.bearer()).get("/api/v1/faqs").then().body("items.size()", greaterThan(0));
    }

    private static ValidatableResponse rejected(TestWorkspace w, Map<String, ?> body) {
        return given().header("Authorization", w.bearer()).contentType(ContentType.JSON).body(body)
                .post("/api/v1/faqs")
                .then().statusCode(400).contentType("application/problem+json");
    }

    private static String createFaq(TestWorkspace w, String question, String answer) {
        return given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", question, "answer", answer)).post("/api/v1/faqs")
                .then().statusCode(201).extract().path("id");
    }

    private String cacheAnswer(TestWorkspace w) {
        return QuarkusTransaction.requiringNew().call(() -> {
            CachedAnswer a = new CachedAnswer();
            a.id = UUID.randomUUID();
            a.workspaceId = UUID.fromString(w.id());
            a.question = "When are you open?";
            a.embedding = embedder.embed(a.question);
            a.embeddingModel = embedder.modelName();
            a.answer = "From 9.";
            a.model = "test-model";
            a.createdAt = Times.now(Clock.systemUTC());
            a.expiresAt = a.createdAt.plus(Duration.ofHours(1));
            a.persist();
            return a.id.toString();
        });
    }

    /** Read in a transaction of its own: what is committed, not what the test's session remembers. */
    private static FaqEntry load(String id) {
        return QuarkusTransaction.requiringNew().call(() -> FaqEntry.findById(UUID.fromString(id)));
    }

    private static long cachedCount(TestWorkspace w) {
        return CachedAnswer.count("workspaceId", UUID.fromString(w.id()));
    }
}
