package dev.switchboard.workspace;

import static dev.switchboard.support.TestWorkspaces.ADMIN_TOKEN;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.switchboard.common.Secrets;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class WorkspaceResourceTest {

    private static final String ADMIN = "Bearer " + ADMIN_TOKEN;

    @Inject
    AgroalDataSource db;

    @Test
    void createReturnsKeysOnceAndStoresOnlyTheApiKeyHash() throws Exception {
        Map<String, Object> created = given().header("Authorization", ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", "  Bike Shop ", "allowedOrigins", List.of("https://Bikes.example", "http://localhost:3000")))
                .post("/api/v1/workspaces")
                .then().statusCode(201)
                .header("Location", containsString("/api/v1/workspaces/"))
                .body("name", equalTo("Bike Shop"))
                .body("siteKey", startsWith("sk_"))
                .body("apiKey", startsWith("sb_"))
                .body("allowedOrigins", equalTo(List.of("https://bikes.example", "http://localhost:3000")))
                .extract().jsonPath().getMap("");
        String id = (String) created.get("id");
        String apiKey = (String) created.get("apiKey");

        given().header("Authorization", ADMIN).get("/api/v1/workspaces/{id}", id)
                .then().statusCode(200).body("siteKey", equalTo(created.get("siteKey"))).body("apiKey", nullValue());
        given().header("Authorization", ADMIN).get("/api/v1/workspaces")
                .then().statusCode(200).body("items.id", hasItem(id)).body("items.apiKey", not(hasItem(apiKey)));

        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("select key_hash from api_keys where workspace_id = ?::uuid")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                assertHash(rs.getString(1), apiKey);
            }
        }
    }

    private static void assertHash(String stored, String apiKey) {
        assertEquals(Secrets.sha256Hex(apiKey), stored);
        assertFalse(stored.contains(apiKey));
    }

    @Test
    void adminEndpointsNeedTheAdminToken() {
        given().contentType(ContentType.JSON).body(Map.of("name", "x")).post("/api/v1/workspaces")
                .then().statusCode(401).contentType("application/problem+json")
                .body("detail", containsString("Authorization: Bearer"));
        given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON).body(Map.of("name", "x"))
                .post("/api/v1/workspaces")
                .then().statusCode(401).contentType("application/problem+json")
                .body("detail", containsString("not valid"));
        TestWorkspace w = TestWorkspaces.create();
        // A workspace API key is not an admin token.
        given().header("Authorization", w.bearer()).get("/api/v1/workspaces")
                .then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void patchReplacesAllowedOriginsAndRejectsNonOrigins() {
        TestWorkspace w = TestWorkspaces.create(List.of("https://a.example"));
        given().header("Authorization", ADMIN).contentType(ContentType.JSON)
                .body(Map.of("allowedOrigins", List.of("https://b.example:8443")))
                .patch("/api/v1/workspaces/{id}", w.id())
                .then().statusCode(200).body("allowedOrigins", equalTo(List.of("https://b.example:8443")))
                .body("name", startsWith("Shop "));
        given().header("Authorization", ADMIN).contentType(ContentType.JSON)
                .body(Map.of("allowedOrigins", List.of("https://b.example/path")))
                .patch("/api/v1/workspaces/{id}", w.id())
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("'https://b.example/path'"));
        given().header("Authorization", ADMIN).contentType(ContentType.JSON).body(Map.of("allowedOrigins", List.of()))
                .patch("/api/v1/workspaces/{id}", "00000000-0000-0000-0000-000000000000")
                .then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void widgetFromAnOriginNotAllowedIsForbidden() {
        TestWorkspace w = TestWorkspaces.create(List.of("https://shop.example"));
        given().header("X-Site-Key", w.siteKey()).header("Origin", "https://evil.example")
                .contentType(ContentType.JSON).body(Map.of("visitorId", "v"))
                .post("/api/v1/conversations")
                .then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("https://evil.example"));
        given().header("X-Site-Key", w.siteKey()).header("Origin", "https://shop.example")
                .contentType(ContentType.JSON).body(Map.of("visitorId", "v"))
                .post("/api/v1/conversations")
                .then().statusCode(201);
    }

    @Test
    void rotationIssuesANewKeyAndInvalidatesTheOld() {
        TestWorkspace w = TestWorkspaces.create();
        given().header("Authorization", w.bearer()).get("/api/v1/faqs").then().statusCode(200);
        String newKey = given().header("Authorization", ADMIN)
                .post("/api/v1/workspaces/{id}/api-key/rotate", w.id())
                .then().statusCode(200).body("apiKey", notNullValue()).extract().path("apiKey");
        given().header("Authorization", w.bearer()).get("/api/v1/faqs")
                .then().statusCode(401).contentType("application/problem+json")
                .body("detail", containsString("rotated"));
        given().header("Authorization", "Bearer " + newKey).get("/api/v1/faqs").then().statusCode(200);
    }
}
