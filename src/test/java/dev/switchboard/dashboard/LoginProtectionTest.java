package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.support.TestClock;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Password guessing, login CSRF, session lifetime, password change and reset, the first owner (issue 17). */
@QuarkusTest
class LoginProtectionTest {

    @Inject
    AgentService agents;

    @Inject
    AgentSessions sessions;

    @Inject
    LoginThrottle throttle;

    @Inject
    DashboardConfig config;

    @Inject
    FirstOwner firstOwner;

    UUID shopId;

    @BeforeEach
    void setUp() {
        NoBot.install();
        throttle.reset();
        shopId = UUID.fromString(TestWorkspaces.create().id());
    }

    @AfterEach
    void tearDown() {
        throttle.reset();
    }

    @Test
    void repeatedWrongPasswordsLockTheAccountEvenForTheRightOneWithBackoff() {
        Instant start = Instant.now();
        TestClock.install(start); // a slow bcrypt must not outlast the 1 s lockout
        String email = newAgent(AgentRole.AGENT);
        for (int i = 0; i < config.loginFailuresPerAccount(); i++) {
            assertEquals(401, AgentLogin.submitLogin(email, "wrong password " + i).statusCode());
        }
        Response locked = AgentLogin.submitLogin(email, AgentLogin.PASSWORD);
        assertEquals(429, locked.statusCode());
        assertTrue(locked.asString().contains("Too many failed logins"), locked.asString());
        assertEquals(null, locked.cookie(AgentSessions.COOKIE));

        Instant later = start.plusSeconds(3);
        TestClock.install(later);
        assertEquals(401, AgentLogin.submitLogin(email, "still wrong").statusCode()); // the lockout doubles
        TestClock.install(later.plusSeconds(1));
        assertEquals(429, AgentLogin.submitLogin(email, AgentLogin.PASSWORD).statusCode());
        TestClock.install(later.plusSeconds(5));
        assertEquals(303, AgentLogin.submitLogin(email, AgentLogin.PASSWORD).statusCode());
    }

    @Test
    void oneAddressGuessingManyAccountsIsLockedToo() {
        TestClock.install(Instant.now());
        for (int i = 0; i < config.loginFailuresPerAddress(); i++) {
            AgentLogin.submitLogin("nobody-" + UUID.randomUUID() + "@example.com", "guess " + i);
        }
        String email = newAgent(AgentRole.AGENT);
        assertEquals(429, AgentLogin.submitLogin(email, AgentLogin.PASSWORD).statusCode());
    }

    @Test
    void theLoginFormAcceptsOnlyTokensItIssuedNotAPairTheAttackerChose() {
        String email = newAgent(AgentRole.AGENT);
        given().redirects().follow(false).cookie(LoginPages.LOGIN_CSRF_COOKIE, "attacker-chosen")
                .formParam("_csrf", "attacker-chosen").formParam("email", email)
                .formParam("password", AgentLogin.PASSWORD).post("/agent/login").then().statusCode(403);
        assertEquals(303, AgentLogin.submitLogin(email, AgentLogin.PASSWORD).statusCode());
    }

    @Test
    void aSessionEndsAfterItsAbsoluteLifetimeHoweverBusy() {
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        Instant start = Instant.now();
        Duration step = config.sessionIdleTimeout().dividedBy(2);
        for (Instant t = start; t.isBefore(start.plus(config.sessionAbsoluteTimeout())); t = t.plus(step)) {
            TestClock.install(t);
            a.request().get("/agent/w/" + shopId + "/inbox").then().statusCode(200);
        }
        TestClock.install(start.plus(config.sessionAbsoluteTimeout()).plusSeconds(1));
        a.request().get("/agent/w/" + shopId + "/inbox").then().statusCode(303);
    }

    @Test
    void everyAgentChangesItsPasswordAndOnlyAnOwnerResetsOthers() {
        String email = newAgent(AgentRole.AGENT);
        AgentLogin a = AgentLogin.login(email, AgentLogin.PASSWORD);
        AgentLogin other = AgentLogin.login(email, AgentLogin.PASSWORD);
        a.form().formParam("current", "not it at all").formParam("password", "a brand new secret")
                .post("/agent/account/password").then().statusCode(403);
        String cookie = a.form().formParam("current", AgentLogin.PASSWORD).formParam("password", "a brand new secret")
                .post("/agent/account/password").then().statusCode(303).extract().cookie(AgentSessions.COOKIE);
        other.request().get("/agent/account").then().statusCode(303); // the other session ended
        given().redirects().follow(false).cookie(AgentSessions.COOKIE, cookie).get("/agent/account").then()
                .statusCode(200);
        assertEquals(401, AgentLogin.submitLogin(email, AgentLogin.PASSWORD).statusCode());
        assertEquals(303, AgentLogin.submitLogin(email, "a brand new secret").statusCode());

        UUID id = QuarkusTransaction.requiringNew().call(() -> Agent.findByEmail(email).orElseThrow().id);
        AgentLogin.newAgent(agents, AgentRole.ADMIN, shopId).form().post("/agent/admin/agents/" + id + "/password")
                .then().statusCode(403);
        String page = AgentLogin.newAgent(agents, AgentRole.OWNER).form()
                .post("/agent/admin/agents/" + id + "/password").then().statusCode(200).extract().asString();
        String reset = AgentLogin.find(java.util.regex.Pattern.compile("<code id=\"invited-password\">([^<]+)</code>"),
                page);
        assertEquals(303, AgentLogin.submitLogin(email, reset).statusCode());
    }

    @Test
    void theFirstOwnerIsCreatedWithTheOneTimeTokenFromTheDataDirectory() throws Exception {
        // Other tests make owners: start from an installation without one, as a fresh one is at its first start.
        QuarkusTransaction.requiringNew().run(() -> Agent.delete("role", AgentRole.OWNER));
        firstOwner.issueToken();
        String token = Files.readString(firstOwner.tokenFile()).strip();
        String email = "owner-" + UUID.randomUUID() + "@example.com";
        given().redirects().follow(false).formParam("token", "setup_wrong").formParam("email", email)
                .formParam("displayName", "Owner").formParam("password", AgentLogin.PASSWORD).post("/agent/setup")
                .then().statusCode(403);
        given().redirects().follow(false).formParam("token", token).formParam("email", email)
                .formParam("displayName", "Owner").formParam("password", AgentLogin.PASSWORD).post("/agent/setup")
                .then().statusCode(303);
        assertEquals(AgentRole.OWNER, QuarkusTransaction.requiringNew()
                .call(() -> Agent.findByEmail(email).orElseThrow().role));
        assertTrue(Files.notExists(firstOwner.tokenFile()));
        given().redirects().follow(false).formParam("token", token).formParam("email", "x" + email)
                .formParam("displayName", "Owner").formParam("password", AgentLogin.PASSWORD).post("/agent/setup")
                .then().statusCode(404).body(containsString("has an owner"));
    }

    private String newAgent(AgentRole role) {
        String email = "login-" + UUID.randomUUID() + "@example.com";
        agents.create(email, "Login", AgentLogin.PASSWORD, role, List.of(shopId));
        return email;
    }
}
