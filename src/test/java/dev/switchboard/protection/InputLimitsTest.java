package dev.switchboard.protection;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.empty;

import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The size limits of what clients send, at their exact edges. */
@QuarkusTest
class InputLimitsTest {

    private TestWorkspace w;

    @BeforeEach
    void setUp() {
        NoBot.install();
        w = TestWorkspaces.create();
    }

    @Test
    void messagesHoldUpTo4000CharactersCountedAsCodePointsAsSent() {
        String conversation = TestWorkspaces.startWithApiKey(w);
        postMessage(conversation, "a".repeat(4000)).statusCode(201);
        postMessage(conversation, "a".repeat(4001)).statusCode(400)
                .contentType("application/problem+json")
                .body("detail", equalTo("Field 'content' has 4001 characters; at most 4000 are allowed"));
        // 4000 emoji are 8000 UTF-16 units: the limit counts what people see.
        postMessage(conversation, "\uD83D\uDE00".repeat(4000)).statusCode(201);
        // Surrounding whitespace is kept, so it counts (issue 17).
        String padded = "  \n" + "b".repeat(3994) + "\n  ";
        postMessage(conversation, padded).statusCode(201).body("content", equalTo(padded));
        postMessage(conversation, " " + padded).statusCode(400);
        postMessage(conversation, " \n\t ").statusCode(400);
    }

    @Test
    void faqEntriesHoldQuestionsUpTo500AndAnswersUpTo4000Characters() {
        postFaq("q".repeat(500), "a".repeat(4000)).statusCode(201);
        postFaq("q".repeat(501), "a").statusCode(400).body("detail", containsString("'question' has 501"));
        postFaq("q", "a".repeat(4001)).statusCode(400).body("detail", containsString("'answer' has 4001"));
    }

    @Test
    void anOversizedBodyIsRefusedBeforeItIsRead() {
        String conversation = TestWorkspaces.startWithApiKey(w);
        postMessage(conversation, "x".repeat(300 * 1024)).statusCode(413)
                .contentType("application/problem+json")
                .body("detail", containsString("at most 262144 are accepted"));
        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}/messages", conversation).then()
                .statusCode(200).body("items", empty());
    }

    @Test
    void oversizedHeadersAreRefused() {
        given().header("Authorization", w.bearer()).header("X-Padding", "p".repeat(20 * 1024))
                .get("/api/v1/faqs").then().statusCode(431);
    }

    private ValidatableResponse postMessage(String conversation, String content) {
        return given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("content", content)).post("/api/v1/conversations/{id}/messages", conversation).then();
    }

    private ValidatableResponse postFaq(String question, String answer) {
        return given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", question, "answer", answer)).post("/api/v1/faqs").then();
    }
}
