package dev.switchboard.resilience;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.llm.FakeOpenAiServer;
import dev.switchboard.support.Await;
import dev.switchboard.support.PackagedApp;
import dev.switchboard.support.ProcessIT;
import dev.switchboard.support.SseClient;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faults a test cannot inflict on its own JVM, against the packaged app as a child process on a PostgreSQL this test
 * owns (fixed port and data directory, so it can be stopped and started again under the running app): kill -9 while
 * a bot answer streams, a graceful stop with open event streams, PostgreSQL going away and coming back.
 */
@ProcessIT
class ResilienceIT {

    private static final String ADMIN = "resilience-admin";
    private static final String QUESTION = "Do you ship to Canada?";
    private static final String ANSWER_AFTER_RESTART = "Yes, we ship to Canada in 7 days.";
    /** A request that hangs fails the test instead of hanging it. */
    private static final RestAssuredConfig BOUNDED = RestAssuredConfig.config().httpClient(
            HttpClientConfig.httpClientConfig().setParam("http.socket.timeout", 30_000)
                    .setParam("http.connection.timeout", 30_000));

    private static Path work;
    private static int pgPort;
    private static EmbeddedPostgres postgres;
    private static FakeOpenAiServer model;
    private static PackagedApp app;

    @BeforeAll
    static void startEverything() throws Exception {
        Files.createDirectories(Path.of("target"));
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "resilience-it-");
        pgPort = PackagedApp.freePort();
        startPostgres();
        model = FakeOpenAiServer.start();
        app = new PackagedApp(work, Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + pgPort + "/postgres",
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "",
                "switchboard.admin-token", ADMIN,
                "switchboard.data-dir", work.resolve("data").toString(),
                "switchboard.demo.enabled", "false",
                "switchboard.inference.url", model.baseUrl().toString(),
                "switchboard.inference.model", "llama-test",
                "switchboard.sse.keep-alive", "1s"));
        app.start();
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (app != null) {
            app.close();
        }
        if (model != null) {
            model.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void killedWhileTheBotStreamsTheMessageIsKeptAndAnsweredOnceAfterTheRestart() throws Exception {
        String apiKey = workspaceWithFaq();
        model.enqueue(FakeOpenAiServer.answer("We ", "ship ", "to ", "Canada ", "eventually.")
                .slow(Duration.ZERO, Duration.ofSeconds(3)));
        model.setDefaultReply(FakeOpenAiServer.answer(ANSWER_AFTER_RESTART));
        String conversation = startConversation(apiKey);
        try (SseClient stream = SseClient.connect(app.base().resolve("/api/v1/conversations/" + conversation
                + "/events"), Map.of("Authorization", "Bearer " + apiKey))) {
            postMessage(apiKey, conversation, QUESTION);
            while (!stream.next().name().equals("bot.delta")) {
                // typing, message.created: wait for the answer to be streaming
            }
        }
        app.kill();

        app.start();
        Await.until("the answer after the restart", () -> messages(apiKey, conversation).size() >= 2);
        assertAnsweredOnce(apiKey, conversation);

        // A further restart (where a second answer could come from) changes nothing.
        app.stop();
        app.start();
        assertAnsweredOnce(apiKey, conversation);
    }

    @Test
    void aGracefulStopEndsOpenStreamsWithAFinalEvent() throws Exception {
        String apiKey = workspaceWithFaq();
        String conversation = startConversation(apiKey);
        try (SseClient stream = SseClient.connect(app.base().resolve("/api/v1/conversations/" + conversation
                + "/events"), Map.of("Authorization", "Bearer " + apiKey))) {
            assertEquals(200, stream.status());
            stream.nextComment(); // connected
            app.stop();
            SseClient.Event last = stream.next();
            assertEquals("stream.end", last.name());
            assertEquals("{\"reason\":\"shutdown\"}", last.data());
        } finally {
            app.start();
        }
    }

    @Test
    void withPostgresDownRequestsFailWith503AndRecoverWhenItIsBack() throws Exception {
        String apiKey = workspaceWithFaq();
        String conversation = startConversation(apiKey);
        postgres.close();
        try {
            api(apiKey).get("/api/v1/conversations/{id}", conversation).then().statusCode(503)
                    .contentType("application/problem+json").header("Retry-After", "5");
            api(apiKey).contentType(ContentType.JSON).body(Map.of("content", "Hello?"))
                    .post("/api/v1/conversations/{id}/messages", conversation).then().statusCode(503);
            given().config(BOUNDED).baseUri(app.base().toString()).get("/q/health/ready").then().statusCode(503);
        } finally {
            startPostgres();
        }
        Await.until("requests succeed again", () -> api(apiKey).get("/api/v1/conversations/{id}", conversation)
                .statusCode() == 200);
        api(apiKey).contentType(ContentType.JSON).body(Map.of("content", "Hello again"))
                .post("/api/v1/conversations/{id}/messages", conversation).then().statusCode(201);
    }

    private static void assertAnsweredOnce(String apiKey, String conversation) {
        List<Map<String, Object>> messages = messages(apiKey, conversation);
        assertEquals(List.of("customer", "bot"), messages.stream().map(m -> m.get("role")).toList(),
                "the customer's message once, one answer: " + messages);
        assertEquals(QUESTION, messages.get(0).get("content"));
        assertEquals(ANSWER_AFTER_RESTART, messages.get(1).get("content"));
    }

    private static void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder().setPort(pgPort).setDataDirectory(work.resolve("postgres"))
                .setCleanDataDirectory(false).start();
    }

    private static RequestSpecification api(String apiKey) {
        return given().config(BOUNDED).baseUri(app.base().toString()).header("Authorization", "Bearer " + apiKey);
    }

    private static String workspaceWithFaq() {
        String apiKey = given().config(BOUNDED).baseUri(app.base().toString())
                .header("Authorization", "Bearer " + ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", "Shop " + UUID.randomUUID())).post("/api/v1/workspaces")
                .then().statusCode(201).extract().path("apiKey");
        api(apiKey).contentType(ContentType.JSON)
                .body(Map.of("question", "What is your return policy?", "answer", "30 days, full refund."))
                .post("/api/v1/faqs").then().statusCode(201);
        return apiKey;
    }

    private static String startConversation(String apiKey) {
        return api(apiKey).contentType(ContentType.JSON).body(Map.of("visitorId", "v-" + UUID.randomUUID()))
                .post("/api/v1/conversations").then().statusCode(201).extract().path("id");
    }

    private static void postMessage(String apiKey, String conversation, String content) {
        api(apiKey).contentType(ContentType.JSON).body(Map.of("content", content))
                .post("/api/v1/conversations/{id}/messages", conversation).then().statusCode(201);
    }

    private static List<Map<String, Object>> messages(String apiKey, String conversation) {
        return api(apiKey).get("/api/v1/conversations/{id}/messages", conversation).then().statusCode(200)
                .extract().path("items");
    }
}
