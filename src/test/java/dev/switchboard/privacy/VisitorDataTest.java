package dev.switchboard.privacy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.common.Times;
import dev.switchboard.conversation.ConversationService;
import dev.switchboard.faq.CachedAnswer;
import dev.switchboard.llm.FakeOpenAiResource;
import dev.switchboard.llm.FakeOpenAiServer;
import dev.switchboard.support.Await;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestClock;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class VisitorDataTest {

    @Inject
    ConversationService conversations;

    @Inject
    RetentionJob retention;

    @FakeOpenAiResource.Inject
    FakeOpenAiServer model;

    @Test
    void exportHoldsEveryConversationOfTheVisitorAndNothingElse() {
        NoBot.install();
        TestWorkspace w = TestWorkspaces.create();
        String first = start(w, "alice@example.com");
        TestWorkspaces.postAsCustomer(w, first, "Where is my parcel?");
        String second = start(w, "alice@example.com");
        TestWorkspaces.postAsCustomer(w, second, "<b>bold</b> & \"quoted\"");
        String bobs = start(w, "bob");
        TestWorkspaces.postAsCustomer(w, bobs, "Bob's question");

        given().header("Authorization", w.bearer()).get("/api/v1/visitors/{v}/export", "alice@example.com").then()
                .statusCode(200)
                .body("visitorId", equalTo("alice@example.com"))
                .body("workspaceId", equalTo(w.id()))
                .body("conversations.conversation.id", equalTo(List.of(first, second)))
                .body("conversations[0].messages.content", equalTo(List.of("Where is my parcel?")))
                .body("conversations[1].messages.content", equalTo(List.of("<b>bold</b> & \"quoted\"")))
                .body("conversations[0].events.type", equalTo(List.of("message.created")))
                .body("conversations[0].events[0].data.content", equalTo("Where is my parcel?"));

        // Another workspace's key finds no such visitor there.
        given().header("Authorization", TestWorkspaces.create().bearer())
                .get("/api/v1/visitors/{v}/export", "alice@example.com").then().statusCode(200)
                .body("conversations", empty());
        given().get("/api/v1/visitors/{v}/export", "alice@example.com").then().statusCode(401);
        given().header("Authorization", w.bearer()).get("/api/v1/visitors/{v}/export", "x".repeat(201)).then()
                .statusCode(400);
    }

    @Test
    void erasureRemovesConversationsMessagesEventsCachedAnswersAndWebhookDeliveries() {
        NoBot.install();
        TestWorkspace w = TestWorkspaces.create();
        String hookId = given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("url", "http://127.0.0.1:9/hooks", "events", List.of("message.created")))
                .post("/api/v1/webhooks").then().statusCode(201).extract().path("id");
        String alices = start(w, "alice");
        TestWorkspaces.postAsCustomer(w, alices, "Can I pay by invoice?");
        conversations.resolve(UUID.fromString(alices));
        String bobs = start(w, "bob");
        TestWorkspaces.postAsCustomer(w, bobs, "Do you ship to Norway?");
        UUID alicesAnswer = cacheAnswer(w.id(), "Can I pay by invoice?");
        UUID bobsAnswer = cacheAnswer(w.id(), "Do you ship to Norway?");
        given().header("Authorization", w.bearer()).get("/api/v1/webhooks/{id}/deliveries", hookId).then()
                .body("items", hasSize(2));

        given().header("Authorization", w.bearer()).delete("/api/v1/visitors/{v}", "alice").then().statusCode(200)
                .body("conversations", equalTo(1)).body("messages", equalTo(1))
                .body("events", equalTo(2)) // message.created and the resolution's status change
                .body("cachedAnswers", equalTo(1));

        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}", alices).then().statusCode(404);
        given().header("Authorization", w.bearer()).get("/api/v1/visitors/{v}/export", "alice").then()
                .body("conversations", empty());
        given().header("Authorization", w.bearer()).get("/api/v1/webhooks/{id}/deliveries", hookId).then()
                .body("items", hasSize(1));
        assertEquals(List.of(bobsAnswer), QuarkusTransaction.requiringNew().call(() -> CachedAnswer
                .<CachedAnswer>list("id in ?1", List.of(alicesAnswer, bobsAnswer)).stream().map(a -> a.id).toList()));
        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}/messages", bobs).then()
                .body("items.content", equalTo(List.of("Do you ship to Norway?")));
        // Erasing again finds nothing: not an error.
        given().header("Authorization", w.bearer()).delete("/api/v1/visitors/{v}", "alice").then().statusCode(200)
                .body("conversations", equalTo(0));
    }

    @Test
    void resolvedConversationsAreDeletedAfterTheWorkspaceRetentionPeriod() {
        NoBot.install();
        TestWorkspace kept = TestWorkspaces.create();
        TestWorkspace limited = TestWorkspaces.create();
        given().header("Authorization", "Bearer " + TestWorkspaces.ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("retentionDays", 1)).put("/api/v1/workspaces/{id}/policy", limited.id()).then()
                .statusCode(200);
        String resolved = start(limited, "v1");
        conversations.resolve(UUID.fromString(resolved));
        String open = start(limited, "v2");
        String resolvedElsewhere = start(kept, "v3");
        conversations.resolve(UUID.fromString(resolvedElsewhere));

        TestClock clock = TestClock.install(Instant.now().plus(Duration.ofHours(23)));
        retention.deleteExpired();
        given().header("Authorization", limited.bearer()).get("/api/v1/conversations/{id}", resolved).then()
                .statusCode(200);

        clock.advance(Duration.ofHours(2));
        retention.deleteExpired();
        given().header("Authorization", limited.bearer()).get("/api/v1/conversations/{id}", resolved).then()
                .statusCode(404);
        given().header("Authorization", limited.bearer()).get("/api/v1/conversations/{id}", open).then()
                .statusCode(200);
        given().header("Authorization", kept.bearer()).get("/api/v1/conversations/{id}", resolvedElsewhere).then()
                .statusCode(200);
    }

    /** The bot answers here (the other tests silence it): its cache must forget an erased visitor's question. */
    @Test
    void anErasedVisitorsQuestionIsNoLongerAnsweredFromTheCache() {
        model.reset();
        TestWorkspace w = TestWorkspaces.create();
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", "What is your return policy?", "answer", "30 days, full refund."))
                .post("/api/v1/faqs").then().statusCode(201);
        model.enqueue(FakeOpenAiServer.answer("We ship to Canada in 7 days."));
        assertEquals("We ship to Canada in 7 days.", askAndAwaitAnswer(w, "carol"));
        Await.until("the answer cached", () -> QuarkusTransaction.requiringNew().call(() ->
                CachedAnswer.count("workspaceId", UUID.fromString(w.id()))) == 1);
        assertEquals("We ship to Canada in 7 days.", askAndAwaitAnswer(w, "dave"));
        assertEquals(1, model.requests().size(), "the second answer came from the cache");

        given().header("Authorization", w.bearer()).delete("/api/v1/visitors/{v}", "carol").then().statusCode(200)
                .body("cachedAnswers", equalTo(1));
        model.enqueue(FakeOpenAiServer.answer("Yes, Canada too."));
        assertEquals("Yes, Canada too.", askAndAwaitAnswer(w, "erin"));
        assertEquals(2, model.requests().size());
    }

    private String askAndAwaitAnswer(TestWorkspace w, String visitorId) {
        String conversation = start(w, visitorId);
        TestWorkspaces.postAsCustomer(w, conversation, "Do you ship to Canada?");
        Await.until("the bot's answer", () -> given().header("Authorization", w.bearer())
                .get("/api/v1/conversations/{id}/messages", conversation).then().extract()
                .<List<String>>path("items.role").contains("bot"));
        return given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}/messages", conversation)
                .then().extract().path("items[1].content");
    }

    private static String start(TestWorkspace w, String visitorId) {
        return given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("visitorId", visitorId)).post("/api/v1/conversations").then().statusCode(201)
                .extract().path("id");
    }

    private static UUID cacheAnswer(String workspaceId, String question) {
        return QuarkusTransaction.requiringNew().call(() -> {
            CachedAnswer a = new CachedAnswer();
            a.id = UUID.randomUUID();
            a.workspaceId = UUID.fromString(workspaceId);
            a.question = question;
            a.embedding = new float[] {1f, 0f};
            a.embeddingModel = "test";
            a.answer = "An answer";
            a.model = "llama-test";
            a.createdAt = Times.now(Clock.systemUTC());
            a.expiresAt = a.createdAt.plus(Duration.ofHours(1));
            a.persist();
            return a.id;
        });
    }
}
