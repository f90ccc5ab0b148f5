package dev.switchboard.demo;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.workspace.Workspace;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

@QuarkusTest
class DemoSeedTest {

    @Inject
    DemoSeed seed;

    @Test
    void demoWorkspaceHasADozenFaqEntriesUsableWithThePrintedKeys() throws Exception {
        Workspace demo = Workspace.findById(DemoSeed.WORKSPACE_ID);
        assertEquals("Demo Shop", demo.name);
        String apiKey = Files.readString(seed.keyFile()).strip();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(seed.keyFile())));

        String banner = seed.banner();
        assertTrue(banner.contains("site key: " + demo.siteKey), banner);
        assertTrue(banner.contains("API key:  in " + seed.keyFile()), banner);
        assertTrue(!banner.contains(apiKey), "no secret in the log: " + banner);

        given().header("Authorization", "Bearer " + apiKey).get("/api/v1/faqs")
                .then().statusCode(200).body("items.size()", equalTo(12))
                .body("items.question", hasItems("How much does shipping cost?", "What is your return policy?",
                        "Which payment methods do you accept?", "What are your customer service opening hours?"));
        given().header("X-Site-Key", demo.siteKey).contentType("application/json").body("{\"visitorId\":\"demo\"}")
                .post("/api/v1/conversations").then().statusCode(201);
    }
}
