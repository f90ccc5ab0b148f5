package dev.switchboard.common;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;

import dev.switchboard.support.TestWorkspaces;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PlatformEndpointsTest {

    @Test
    void healthIncludesTheDatabase() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Database")));
    }

    @Test
    void metricsArePublishedForPrometheus() {
        TestWorkspaces.TestWorkspace w = TestWorkspaces.create();
        TestWorkspaces.postAsCustomer(w, TestWorkspaces.startWithApiKey(w), "Hello");
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("switchboard_sse_subscribers"))
                .body(containsString("switchboard_conversations_started_total"))
                .body(containsString("switchboard_messages_total{role=\"customer\"}"));
    }

    @Test
    void openApiDescribesTheApi() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("paths", hasKey("/api/v1/conversations/{id}/messages"))
                .body("paths", hasKey("/api/v1/faqs"))
                .body("paths", hasKey("/api/v1/workspaces"));
    }

    @Test
    void unknownApiPathsAreProblemsToo() {
        given().get("/api/v1/nothing-here").then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("/api/v1/nothing-here"));
    }
}
