package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.support.Browser;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/** A browser-like dashboard session for RestAssured: logs in through the form and keeps the cookie and CSRF token. */
record AgentLogin(String cookie, String csrf) {

    static final String PASSWORD = "correct horse battery";
    private static final Pattern HIDDEN_CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private static final Pattern META_CSRF = Pattern.compile("<meta name=\"csrf-token\" content=\"([^\"]+)\">");

    /** A new agent (random e-mail) of these workspaces, logged in. */
    static AgentLogin newAgent(AgentService agents, AgentRole role, UUID... workspaces) {
        String email = "agent-" + UUID.randomUUID() + "@example.com";
        agents.create(email, "Agent " + email.substring(6, 12), PASSWORD, role, List.of(workspaces));
        return login(email, PASSWORD);
    }

    static Response submitLogin(String email, String password) {
        return submitLogin(email, password, "http");
    }

    /** @param forwardedProto the scheme an ingress in front would report (X-Forwarded-Proto) */
    static Response submitLogin(String email, String password, String forwardedProto) {
        Response form = given().get("/agent/login");
        assertEquals(200, form.statusCode());
        return given().redirects().follow(false).header("X-Forwarded-Proto", forwardedProto)
                .cookie(LoginPages.LOGIN_CSRF_COOKIE, form.cookie(LoginPages.LOGIN_CSRF_COOKIE))
                .formParam("_csrf", find(HIDDEN_CSRF, form.asString())).formParam("email", email)
                .formParam("password", password).post("/agent/login");
    }

    static AgentLogin login(String email, String password) {
        Response r = submitLogin(email, password);
        assertEquals(303, r.statusCode(), r.asString());
        String cookie = r.cookie(AgentSessions.COOKIE);
        String page = given().cookie(AgentSessions.COOKIE, cookie).get("/agent").asString();
        return new AgentLogin(cookie, find(META_CSRF, page));
    }

    /** Logs in through the form in a real browser and waits for the inbox. */
    static void inBrowser(Browser browser, URI base, String email) {
        WebDriver page = browser.driver();
        page.get(base.resolve("/agent/login").toString());
        page.findElement(By.name("email")).sendKeys(email);
        page.findElement(By.name("password")).sendKeys(PASSWORD);
        page.findElement(By.cssSelector("form button")).click();
        browser.await("the inbox after login", d -> d.getCurrentUrl().contains("/inbox"));
    }

    /** A request in this session (redirects not followed, so tests see them). */
    RequestSpecification request() {
        return given().redirects().follow(false).cookie(AgentSessions.COOKIE, cookie);
    }

    /** A form POST with the CSRF token. */
    RequestSpecification form() {
        return request().formParam("_csrf", csrf);
    }

    static String find(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new AssertionError("no " + pattern + " in " + text);
        }
        return m.group(1);
    }
}
