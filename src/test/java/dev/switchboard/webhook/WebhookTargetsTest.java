package dev.switchboard.webhook;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.support.Await;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks cannot reach inside: every test URL here is refused before any connection, and the only names that
 * resolve do so through {@link StubHostResolver} (no test request leaves for any address).
 */
@QuarkusTest
class WebhookTargetsTest {

    @BeforeEach
    void silenceBot() {
        NoBot.install();
    }

    @Test
    void internalAndObscureTargetsAreRefusedAtRegistration() {
        StubHostResolver.answer("loopback.example", "127.0.0.1");
        StubHostResolver.answer("metadata.example", "169.254.169.254");
        StubHostResolver.answer("private.example", "10.1.2.3");
        StubHostResolver.answer("cgnat.example", "100.64.0.1");
        StubHostResolver.answer("mapped.example", "::ffff:127.0.0.1");
        StubHostResolver.answer("ula.example", "fd00::1");
        StubHostResolver.answer("mixed.example", "93.184.215.14", "192.168.1.1");
        TestWorkspace w = TestWorkspaces.create();
        for (String url : List.of("http://hooks.example/in", // public, but not https
                // (127.0.0.1 itself is the tests' allow-listed receiver)
                "https://127.0.0.2/", "https://[::1]/", "https://0.0.0.0/", "https://169.254.169.254/latest/meta-data",
                "https://10.0.0.1/", "https://172.16.5.4/", "https://192.168.0.10/", "https://100.100.1.1/",
                "https://224.0.0.1/", "https://[fe80::1]/", "https://[fc00::1]/", "https://[::ffff:127.0.0.1]/",
                "https://[::ffff:a9fe:a9fe]/", "https://[64:ff9b::7f00:1]/", "https://[2002:7f00:1::]/",
                "https://[::]/",
                "https://2130706433/", "https://0x7f.0.0.1/", "https://0177.0.0.1/", "https://127.1/",
                "https://017700000001/", "https://0x7f000001/",
                "https://loopback.example/", "https://metadata.example/", "https://private.example/",
                "https://cgnat.example/", "https://mapped.example/", "https://ula.example/", "https://mixed.example/",
                "https://nowhere.invalid/", "ftp://hooks.example/", "https://user:pw@hooks.example/")) {
            given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                    .body(Map.of("url", url, "events", List.of("message.created"))).post("/api/v1/webhooks")
                    .then().statusCode(400).body("detail", containsString("Field 'url'"))
                    .body("detail", not(containsString("127.0.0.1"))); // the refusal names the rule, not the address
        }
        given().header("Authorization", w.bearer()).get("/api/v1/webhooks").then().body("items", equalTo(List.of()));
        // A public https target is fine.
        given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("url", "https://hooks.example/in", "events", List.of("message.created")))
                .post("/api/v1/webhooks").then().statusCode(201);
    }

    @Test
    void aNameThatResolvesInsideByDeliveryTimeIsNotContacted() {
        StubHostResolver.answer("rebind.example", "93.184.215.14");
        TestWorkspace w = TestWorkspaces.create();
        String id = given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("url", "https://rebind.example/hook", "events", List.of("conversation.created")))
                .post("/api/v1/webhooks").then().statusCode(201).extract().path("id");
        StubHostResolver.answer("rebind.example", "127.0.0.1"); // DNS rebinding after registration
        TestWorkspaces.startWithApiKey(w);
        Await.until("the delivery attempt is logged", () -> {
            List<String> errors = given().header("Authorization", w.bearer())
                    .get("/api/v1/webhooks/{id}/deliveries", id).then().statusCode(200).extract()
                    .path("items.lastError");
            return !errors.isEmpty() && errors.getFirst() != null;
        });
        String error = given().header("Authorization", w.bearer()).get("/api/v1/webhooks/{id}/deliveries", id)
                .then().extract().path("items[0].lastError");
        assertTrue(error.startsWith("refused: the host resolves to"), error);
        assertFalse(error.contains("127.0.0.1") || error.contains("Exception"), error);
    }

    @Test
    void addressRulesCoverTheSpecialRanges() throws Exception {
        for (String a : List.of("127.0.0.1", "10.0.0.1", "100.64.0.1", "100.127.255.255", "169.254.169.254",
                "172.31.0.1", "192.168.1.1", "0.0.0.0", "224.0.0.251", "255.255.255.255", "198.18.0.1", "::1", "::",
                "fe80::1", "fd12:3456::1", "ff02::1", "::ffff:10.0.0.1", "2001:db8::1", "64:ff9b::a00:1")) {
            assertFalse(WebhookTargets.isPublic(InetAddress.getByName(a)), a);
        }
        for (String a : List.of("93.184.215.14", "1.1.1.1", "100.63.255.255", "100.128.0.1", "2606:4700::1111")) {
            assertTrue(WebhookTargets.isPublic(InetAddress.getByName(a)), a);
        }
        for (String h : List.of("2130706433", "0x7f.0.0.1", "0177.0.0.1", "127.1", "1.2.3", "01.2.3.4")) {
            assertTrue(WebhookTargets.obscureIpv4(h), h);
        }
        for (String h : List.of("1.2.3.4", "hooks.example", "deadbeef", "1.example")) {
            assertFalse(WebhookTargets.obscureIpv4(h), h);
        }
    }
}
