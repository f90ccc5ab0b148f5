package dev.switchboard.conversation;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A client that retries after a lost response stores its message once (issue 17). */
@QuarkusTest
class IdempotencyKeyTest {

    @BeforeEach
    void silenceBot() {
        NoBot.install();
    }

    @Test
    void aRetriedMessageWithTheSameKeyIsStoredOnceAndAnsweredTheSame() {
        TestWorkspace w = TestWorkspaces.create();
        String c = TestWorkspaces.startWithApiKey(w);
        String key = UUID.randomUUID().toString();
        Response first = post(w, c, "messages", key, Map.of("content", "Where is my parcel?"));
        first.then().statusCode(201);
        Response retry = post(w, c, "messages", key, Map.of("content", "Where is my parcel?"));
        retry.then().statusCode(201).header("Idempotent-Replayed", "true")
                .body("id", equalTo(first.path("id"))).header("Location", first.header("Location"));
        post(w, c, "messages", key, Map.of("content", "Something else")).then().statusCode(422);
        post(w, c, "messages", null, Map.of("content", "Where is my parcel?")).then().statusCode(201);

        List<String> contents = given().header("Authorization", w.bearer())
                .get("/api/v1/conversations/{id}/messages", c).then().extract().path("items.content");
        assertEquals(2, contents.stream().filter("Where is my parcel?"::equals).count(), contents.toString());
    }

    @Test
    void repliesTakeAKeyToo() {
        TestWorkspace w = TestWorkspaces.create();
        String c = TestWorkspaces.startWithApiKey(w);
        Map<String, String> reply = Map.of("agentName", "Ada", "content", "On its way");
        String id = post(w, c, "replies", "r-1", reply).then().statusCode(201).extract().path("id");
        post(w, c, "replies", "r-1", reply).then().statusCode(201).body("id", equalTo(id));
        List<String> contents = given().header("Authorization", w.bearer())
                .get("/api/v1/conversations/{id}/messages", c).then().extract().path("items.content");
        assertEquals(1, contents.stream().filter("On its way"::equals).count(), contents.toString());
        post(w, c, "replies", "bad key with spaces", reply).then().statusCode(400);
    }

    private static Response post(TestWorkspace w, String c, String what, String key, Map<String, String> body) {
        var request = given().header("Authorization", w.bearer()).contentType(ContentType.JSON).body(body);
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return request.post("/api/v1/conversations/{id}/" + what, c);
    }
}
