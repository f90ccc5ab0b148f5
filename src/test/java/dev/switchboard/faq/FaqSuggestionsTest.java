package dev.switchboard.faq;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;

import dev.switchboard.conversation.ConversationService;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Suggested entries from agents' repeated answers: grouped by meaning, only for questions the FAQ does not answer
 * and asked in several conversations, accepted into an entry with the customers' wordings as variants (then matched
 * by the bot), dismissed for good, and per workspace.
 */
@QuarkusTest
class FaqSuggestionsTest {

    private static final String WRAP_ANSWER = "Yes: tick 'gift wrap' at checkout, it costs £3 per order.";
    private static final List<String> WRAP_QUESTIONS = List.of("Do you offer gift wrapping?",
            "can you gift wrap my order", "is gift wrapping available");

    @Inject
    ConversationService conversations;

    /** A conversation in which the customer asks and an agent answers by hand. */
    private void answeredByHand(TestWorkspace w, String question, String answer) {
        String c = TestWorkspaces.startWithApiKey(w);
        TestWorkspaces.postAsCustomer(w, c, question);
        conversations.agentReply(UUID.fromString(c), "Ana", answer);
    }

    private static JsonPath suggestions(TestWorkspace w) {
        return given().header("Authorization", w.bearer()).get("/api/v1/faqs/suggestions").then().statusCode(200)
                .extract().jsonPath();
    }

    @Test
    void repeatedHandAnswersToOneQuestionAreSuggestedAndAcceptedIntoAMatchedEntry() {
        NoBot.install();
        TestWorkspace shop = TestWorkspaces.create();
        TestWorkspaces.addFaq(shop, "How much is delivery?", "Delivery is £2.99, free over £40.");
        WRAP_QUESTIONS.forEach(q -> answeredByHand(shop, q, WRAP_ANSWER));
        // asked once only: an anecdote, not an entry
        answeredByHand(shop, "Do you ship to the Faroe Islands?", "Not yet, sorry.");
        // the FAQ answers it already
        answeredByHand(shop, "how much is delivery", "It's £2.99.");
        answeredByHand(shop, "How much is delivery?", "£2.99, free over £40.");
        // about the customer's own order: never an FAQ entry, however often asked
        answeredByHand(shop, "where is my order #4411", "On its way, arriving tomorrow.");
        answeredByHand(shop, "where is my order #9876", "It left the warehouse today.");

        JsonPath s = suggestions(shop);
        given().header("Authorization", shop.bearer()).get("/api/v1/faqs/suggestions").then()
                .body("items.size()", equalTo(1))
                .body("items[0].conversations", equalTo(3))
                .body("items[0].answer", equalTo(WRAP_ANSWER))
                .body("items[0].language", equalTo("en"))
                .body("items[0].wordings", containsInAnyOrder(WRAP_QUESTIONS.toArray()));
        String id = s.getString("items[0].id");
        String question = s.getString("items[0].question");

        // per workspace: another one sees nothing of it and cannot accept it
        TestWorkspace other = TestWorkspaces.create();
        given().header("Authorization", other.bearer()).get("/api/v1/faqs/suggestions").then()
                .body("items.size()", equalTo(0));
        given().header("Authorization", other.bearer()).contentType(ContentType.JSON).body(Map.of())
                .post("/api/v1/faqs/suggestions/{id}/accept", id).then().statusCode(404)
                .contentType("application/problem+json");

        String entry = given().header("Authorization", shop.bearer()).contentType(ContentType.JSON).body(Map.of())
                .post("/api/v1/faqs/suggestions/{id}/accept", id).then().statusCode(201)
                .body("question", equalTo(question)).body("answer", equalTo(WRAP_ANSWER))
                .body("variants.size()", equalTo(2)).body("variants.source", everyItem(equalTo("agent")))
                .extract().path("id");
        given().header("Authorization", shop.bearer()).get("/api/v1/faqs/suggestions").then()
                .body("items.size()", equalTo(0));
        for (String q : WRAP_QUESTIONS) {
            given().header("Authorization", shop.bearer()).contentType(ContentType.JSON)
                    .body(Map.of("message", q)).post("/api/v1/faqs/match").then().statusCode(200)
                    .body("answerId", equalTo(entry));
        }
        // accepting twice is not possible: the suggestion is gone
        given().header("Authorization", shop.bearer()).contentType(ContentType.JSON).body(Map.of())
                .post("/api/v1/faqs/suggestions/{id}/accept", id).then().statusCode(404);
    }

    @Test
    void aDismissedSuggestionStaysGoneAndNeighbouringTopicsAreNotMerged() {
        NoBot.install();
        TestWorkspace shop = TestWorkspaces.create();
        answeredByHand(shop, "How long does delivery take?", "Usually 2-3 working days.");
        answeredByHand(shop, "how long will delivery take", "2-3 working days.");
        answeredByHand(shop, "How much does delivery cost?", "£2.99.");
        answeredByHand(shop, "what does delivery cost", "£2.99, free over £40.");

        JsonPath s = suggestions(shop);
        given().header("Authorization", shop.bearer()).get("/api/v1/faqs/suggestions").then()
                .body("items.size()", equalTo(2))
                .body("items.find { it.question.contains('long') }.wordings",
                        containsInAnyOrder("How long does delivery take?", "how long will delivery take"));
        String id = s.getString("items.find { it.question.contains('long') }.id");

        given().header("Authorization", shop.bearer()).post("/api/v1/faqs/suggestions/{id}/dismiss", id).then()
                .statusCode(204);
        given().header("Authorization", shop.bearer()).get("/api/v1/faqs/suggestions").then()
                .body("items.size()", equalTo(1)).body("items[0].question", containsString("cost"));
        given().header("Authorization", shop.bearer()).post("/api/v1/faqs/suggestions/{id}/dismiss", id).then()
                .statusCode(404).contentType("application/problem+json");
        given().header("Authorization", shop.bearer()).post("/api/v1/faqs/suggestions/{id}/dismiss", "nope").then()
                .statusCode(404).contentType("application/problem+json");
    }
}
