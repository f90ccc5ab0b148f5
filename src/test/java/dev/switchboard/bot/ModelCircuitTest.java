package dev.switchboard.bot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.llm.FakeOpenAiResource;
import dev.switchboard.llm.FakeOpenAiServer;
import dev.switchboard.support.Await;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A dead inference service is not called for every message: after ten failures in a row the bot hands off at once. */
@QuarkusTest
class ModelCircuitTest {

    private static final String QUESTION = "Do you ship to Canada?";

    @FakeOpenAiResource.Inject
    FakeOpenAiServer model;

    @Inject
    CircuitBreakerMaintenance circuits;

    @Inject
    CustomerMessageConsumer consumer;

    private TestWorkspace workspace;

    @BeforeEach
    void setUp() {
        model.reset();
        circuits.reset(ModelCircuit.NAME);
        workspace = TestWorkspaces.create();
        given().header("Authorization", workspace.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", "What is your return policy?", "answer", "30 days, full refund."))
                .post("/api/v1/faqs").then().statusCode(201);
    }

    @AfterEach
    void closeCircuit() {
        circuits.reset(ModelCircuit.NAME);
        model.reset();
    }

    @Test
    void tenFailuresInARowOpenTheCircuitAndLaterMessagesHandOffWithoutACall() {
        for (int i = 0; i < 10; i++) {
            model.enqueue(new FakeOpenAiServer.Status(500, "{\"error\":{\"message\":\"engine crashed\"}}"));
        }
        for (int i = 0; i < 10; i++) {
            assertEquals("inference_unavailable", askAndAwaitHandoff());
        }
        assertEquals(10, model.requests().size());
        assertEquals(CircuitBreakerState.OPEN, circuits.currentState(ModelCircuit.NAME));

        assertEquals("inference_unavailable", askAndAwaitHandoff());
        assertEquals(10, model.requests().size(), "no call while the circuit is open");

        // Closed again (as after the delay and a successful trial call), the model answers.
        circuits.reset(ModelCircuit.NAME);
        model.enqueue(FakeOpenAiServer.answer("Yes, in 7 days."));
        String conversation = TestWorkspaces.startWithApiKey(workspace);
        TestWorkspaces.postAsCustomer(workspace, conversation, QUESTION);
        Await.until("the model's answer", () -> given().header("Authorization", workspace.bearer())
                .get("/api/v1/conversations/{id}/messages", conversation).then().extract()
                .<List<String>>path("items.content").contains("Yes, in 7 days."));
        assertEquals(11, model.requests().size());
    }

    private String askAndAwaitHandoff() {
        String conversation = TestWorkspaces.startWithApiKey(workspace);
        TestWorkspaces.postAsCustomer(workspace, conversation, QUESTION);
        Await.until("the handoff", () -> "pending".equals(status(conversation)));
        Await.until("the bot is done", consumer::idle);
        return given().header("Authorization", workspace.bearer()).get("/api/v1/conversations/{id}", conversation)
                .then().extract().path("handoffReason");
    }

    private String status(String conversation) {
        return given().header("Authorization", workspace.bearer()).get("/api/v1/conversations/{id}", conversation)
                .then().extract().path("status");
    }
}
