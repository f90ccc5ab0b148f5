package dev.switchboard.security;

import dev.switchboard.common.security.LogSafe;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Hostile text is a 400, limits count what is stored, logs and metrics cannot be flooded by paths (issue 17). */
@QuarkusTest
class InputHardeningTest {

    @BeforeEach
    void silenceBot() {
        NoBot.install();
    }

    @Test
    void nulAndLoneSurrogatesAreA400ProblemNotA500() {
        TestWorkspace w = TestWorkspaces.create();
        String c = TestWorkspaces.startWithApiKey(w);
        for (String body : new String[] {"{\"content\":\"a\\u0000b\"}", "{\"content\":\"a\\ud800b\"}",
                "{\"content\":\"\\udc00\"}"}) {
            given().header("Authorization", w.bearer()).contentType(ContentType.JSON).body(body)
                    .post("/api/v1/conversations/{id}/messages", c).then().statusCode(400)
                    .contentType("application/problem+json").body("detail", containsString("content"));
        }
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body("{\"visitorId\":\"v\\u0000\"}").post("/api/v1/conversations").then().statusCode(400);
        // A paired surrogate (an emoji) is text.
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body("{\"content\":\"hi \\ud83d\\ude00\"}").post("/api/v1/conversations/{id}/messages", c)
                .then().statusCode(201);
    }

    @Test
    void theLengthLimitCountsPaddingBecausePaddingIsStored() {
        TestWorkspace w = TestWorkspaces.create();
        String c = TestWorkspaces.startWithApiKey(w);
        String padded = " ".repeat(3000) + "hi" + "\n".repeat(2000); // 2 characters of text, 5002 stored
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(java.util.Map.of("content", padded)).post("/api/v1/conversations/{id}/messages", c)
                .then().statusCode(400).body("detail", containsString("at most 4000"));
    }

    @Test
    void randomPathsDoNotBecomeMetricLabels() {
        String marker = UUID.randomUUID().toString().substring(0, 8);
        TestWorkspace w = TestWorkspaces.create();
        for (String path : new String[] {"/x-" + marker, "/api/v1/x-" + marker, "/agent/x-" + marker,
                "/api/v1/conversations/x-" + marker, "/api/v1/conversations/x-" + marker + "/messages"}) {
            given().header("Authorization", w.bearer()).get(path);
            given().get(path);
        }
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertFalse(metrics.contains(marker), "a random path became a label");
    }

    @Test
    void pathValuesAreEscapedForLogs() {
        assertEquals("/a\\u000aINFO forged\\u000d", LogSafe.path("/a\nINFO forged\r"));
        assertEquals(203, LogSafe.path("x".repeat(500)).length());
    }
}
