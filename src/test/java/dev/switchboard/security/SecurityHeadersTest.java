package dev.switchboard.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SecurityHeadersTest {

    @Test
    void dashboardPagesHaveAStrictPolicyAndAreNotCached() {
        given().get("/agent/login").then().statusCode(200)
                .header("Content-Security-Policy", allOf(containsString("script-src 'self';"),
                        containsString("frame-ancestors 'none'"), not(containsString("unsafe-inline"))))
                .header("X-Content-Type-Options", equalTo("nosniff"))
                .header("X-Frame-Options", equalTo("DENY"))
                .header("Referrer-Policy", equalTo("same-origin"))
                .header("Cache-Control", containsString("no-store"));
    }

    @Test
    void theDemoPageAllowsNoInlineScriptAndNoFraming() {
        given().get("/").then().statusCode(200)
                .header("Content-Security-Policy", allOf(containsString("script-src 'self';"),
                        containsString("frame-ancestors 'none'")))
                .header("X-Content-Type-Options", equalTo("nosniff"));
    }

    @Test
    void apiAndStaticResponsesAreNotSniffed() {
        given().get("/api/v1/faqs").then().statusCode(401).header("X-Content-Type-Options", equalTo("nosniff"))
                .header("Referrer-Policy", equalTo("strict-origin-when-cross-origin"));
        given().get("/widget.js").then().statusCode(200).header("X-Content-Type-Options", equalTo("nosniff"));
    }
}
