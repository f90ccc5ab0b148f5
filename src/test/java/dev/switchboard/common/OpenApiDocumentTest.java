package dev.switchboard.common;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API document at /q/openapi is valid OpenAPI 3 (checked by the reference parser) and tells the truth about the
 * real API: the enum spellings it lists are the ones the API accepts, creation is 201, every operation names its
 * credentials, and the dashboard's HTML routes are not in it. Plus the error bodies a client reads beside it.
 */
@QuarkusTest
class OpenApiDocumentTest {

    private static OpenAPI document;

    @BeforeEach
    void load() {
        NoBot.install();
        if (document == null) {
            String json = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract()
                    .asString();
            ParseOptions options = new ParseOptions();
            options.setResolve(true);
            SwaggerParseResult result = new OpenAPIV3Parser().readContents(json, null, options);
            assertEquals(List.of(), result.getMessages() == null ? List.of() : result.getMessages(),
                    "the OpenAPI validator's findings");
            document = result.getOpenAPI();
        }
    }

    @Test
    void onlyTheRestApiIsDocumented() {
        Set<String> outside = new TreeSet<>();
        document.getPaths().keySet().stream().filter(p -> !p.startsWith("/api/v1/")).forEach(outside::add);
        assertEquals(Set.of(), outside, "paths outside the REST API");
        Set<String> schemas = document.getComponents().getSchemas() == null ? Set.of()
                : document.getComponents().getSchemas().keySet();
        assertTrue(schemas.stream().noneMatch(s -> s.contains("Template") || s.contains("Nav") || s.contains("Inbox")),
                "dashboard and template internals: " + schemas);
    }

    @Test
    void enumsAreListedAsTheApiSpellsAndAcceptsThem() {
        List<String> statuses = enumOf("ConversationStatus");
        assertEquals(List.of("bot", "pending", "open", "resolved"), statuses);
        assertEquals(List.of("customer", "bot", "agent", "system"), enumOf("MessageRole"));
        assertTrue(enumOf("HandoffReason").contains("customer_request"), enumOf("HandoffReason").toString());
        TestWorkspace w = TestWorkspaces.create();
        for (String status : statuses) {
            given().header("Authorization", w.bearer()).queryParam("status", status).get("/api/v1/conversations")
                    .then().statusCode(200);
        }
        given().header("Authorization", w.bearer()).queryParam("status", "PENDING").get("/api/v1/conversations")
                .then().statusCode(400).contentType(Problem.MEDIA_TYPE);
    }

    @Test
    void creationIsDocumentedAs201AndAnswersWith201() {
        TestWorkspace w = TestWorkspaces.create();
        Map<String, Operation> creations = Map.of(
                "/api/v1/conversations", post("/api/v1/conversations"),
                "/api/v1/conversations/{id}/messages", post("/api/v1/conversations/{id}/messages"),
                "/api/v1/conversations/{id}/replies", post("/api/v1/conversations/{id}/replies"),
                "/api/v1/faqs", post("/api/v1/faqs"),
                "/api/v1/workspaces", post("/api/v1/workspaces"),
                "/api/v1/webhooks", post("/api/v1/webhooks"));
        creations.forEach((path, op) -> {
            assertNotNull(op.getResponses().get("201"), path + " documents 201: " + op.getResponses().keySet());
            assertFalse(op.getResponses().containsKey("200"), path + " documents no 200");
            assertNotNull(op.getResponses().get("201").getContent(), path + " documents the created body");
        });
        String conversation = TestWorkspaces.startWithApiKey(w); // asserts 201
        TestWorkspaces.postAsCustomer(w, conversation, "Hello"); // asserts 201
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("agentName", "Ada", "content", "Hi")).post("/api/v1/conversations/{id}/replies", conversation)
                .then().statusCode(201);
        TestWorkspaces.addFaq(w, "Do you ship?", "Yes."); // asserts 201
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("url", "http://127.0.0.1:9/hook", "events", List.of("message.created")))
                .post("/api/v1/webhooks").then().statusCode(201);
    }

    @Test
    void everyOperationNamesItsCredentialsAsDeclaredSecuritySchemes() {
        Set<String> schemes = document.getComponents().getSecuritySchemes().keySet();
        assertEquals(Set.of("apiKey", "adminToken", "siteKey", "visitorToken"), schemes);
        document.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
            assertNotNull(op.getSecurity(), method + " " + path);
            assertFalse(op.getSecurity().isEmpty(), method + " " + path);
            op.getSecurity().forEach(r -> assertTrue(schemes.containsAll(r.keySet()), method + " " + path + ": " + r));
            if (op.getParameters() != null) {
                op.getParameters().forEach(p -> assertFalse(p.getName().equalsIgnoreCase("Authorization"),
                        "credentials are schemes, not parameters: " + method + " " + path));
            }
        }));
        assertEquals(List.of(Map.of("adminToken", List.of())), post("/api/v1/workspaces").getSecurity().stream()
                .map(r -> Map.copyOf(r)).toList());
    }

    @Test
    void badParametersAndBodiesAre400ProblemsInTheApisOwnWords() {
        TestWorkspace w = TestWorkspaces.create();
        given().header("Authorization", w.bearer()).queryParam("limit", "abc").get("/api/v1/conversations").then()
                .statusCode(400).contentType(Problem.MEDIA_TYPE).body("detail", containsString("limit"));
        given().header("Authorization", w.bearer()).queryParam("limit", "0").get("/api/v1/conversations").then()
                .statusCode(400).contentType(Problem.MEDIA_TYPE);
        var widget = TestWorkspaces.startWithSiteKey(w);
        for (Object score : List.of("", "abc", List.of(1), Map.of("a", 1), 4.5)) {
            String detail = given().header("X-Site-Key", widget.siteKey()).header("X-Visitor-Token", widget.visitorToken())
                    .contentType(ContentType.JSON).body(Map.of("score", score))
                    .post("/api/v1/conversations/{id}/rating", widget.id()).then().statusCode(400)
                    .contentType(Problem.MEDIA_TYPE).extract().path("detail");
            assertTrue(detail.contains("'score'"), detail);
            for (String leak : List.of("CoercionConfig", "java.", "`", "jackson")) {
                assertFalse(detail.contains(leak), "library text in: " + detail);
            }
        }
    }

    @Test
    void anOversizedHeaderIsA431Problem() {
        given().header("X-Padding", "p".repeat(20 * 1024)).get("/api/v1/faqs").then().statusCode(431)
                .contentType(Problem.MEDIA_TYPE).body("status", equalTo(431))
                .body("detail", containsString("header")).body("detail", not(containsString("Exception")));
    }

    private static Operation post(String path) {
        assertNotNull(document.getPaths().get(path), path + " is documented");
        return document.getPaths().get(path).getPost();
    }

    @SuppressWarnings("unchecked")
    private static List<String> enumOf(String schema) {
        Schema<Object> s = document.getComponents().getSchemas().get(schema);
        assertNotNull(s, schema + " in " + document.getComponents().getSchemas().keySet());
        return s.getEnum().stream().map(Object::toString).toList();
    }
}
