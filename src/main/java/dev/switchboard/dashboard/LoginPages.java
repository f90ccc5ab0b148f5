package dev.switchboard.dashboard;

import dev.switchboard.common.SecretBox;
import dev.switchboard.common.Secrets;
import dev.switchboard.protection.ClientAddress;
import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import dev.switchboard.workspace.Workspace;
import io.vertx.core.http.HttpServerRequest;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Log in, log out, and the dashboard's entry point. */
@Path("/agent")
@Produces(MediaType.TEXT_HTML)
public class LoginPages {

    /** The login form's CSRF token lives in this cookie (double submit): there is no session yet to hold it. */
    static final String LOGIN_CSRF_COOKIE = "sb_login_csrf";
    private static final String LOGIN_CSRF_CONTEXT = "login-csrf";
    private static final Duration LOGIN_FORM_LIFETIME = Duration.ofHours(2);

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance login(String csrf, String email, String error);

        static native TemplateInstance noWorkspace(Nav nav);
    }

    @Inject
    Presence presence;

    @Inject
    AgentService agents;

    @Inject
    AgentSessions sessions;

    @Inject
    CurrentAgent current;

    @Inject
    HttpServerRequest request;

    @Inject
    LoginThrottle throttle;

    @Inject
    ClientAddress clientAddress;

    @Inject
    SecretBox box;

    @GET
    @RolesAllowed(Roles.AGENT)
    public Response home() {
        List<Workspace> workspaces = current.workspaces();
        if (!workspaces.isEmpty()) {
            return Response.seeOther(URI.create("/agent/w/" + workspaces.getFirst().id + "/inbox")).build();
        }
        return Response.ok(Templates.noWorkspace(current.nav(null, "none"))).build();
    }

    @GET
    @Path("login")
    @PermitAll
    public Response loginForm() {
        return loginPage(200, "", null);
    }

    @POST
    @Path("login")
    @PermitAll
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response login(@FormParam("_csrf") String csrf, @CookieParam(LOGIN_CSRF_COOKIE) String expectedCsrf,
            @FormParam("email") String email, @FormParam("password") String password) {
        if (csrf == null || expectedCsrf == null || !Secrets.constantTimeEquals(csrf, expectedCsrf)
                || !issuedByUs(csrf)) {
            return loginPage(403, email, "The form expired: please log in again.");
        }
        String address = clientAddress.current();
        Optional<Duration> locked = throttle.lockedFor(email, address);
        if (locked.isPresent()) {
            return loginPage(429, email, "Too many failed logins: this account or address is locked for "
                    + (locked.get().toSeconds() + 1) + " seconds. Try again later.");
        }
        Optional<Agent> agent = agents.authenticate(email, password);
        if (agent.isEmpty()) {
            throttle.failed(email, address);
            return loginPage(401, email, "Wrong e-mail or password.");
        }
        throttle.succeeded(email);
        AgentSessions.Opened opened = sessions.open(agent.get().id);
        return Response.seeOther(URI.create("/agent"))
                .cookie(DashboardMappers.sessionCookie(request, opened.token(), -1), loginCsrfCookie("", 0)).build();
    }

    @POST
    @Path("logout")
    @RolesAllowed(Roles.AGENT)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response logout(@CookieParam(AgentSessions.COOKIE) String token) {
        presence.offline(current.agent().id);
        sessions.close(token);
        return Response.seeOther(URI.create("/agent/login")).cookie(DashboardMappers.sessionCookie(request, "", 0)).build();
    }

    /**
     * The login form's token is sealed by this installation (with its issue time), so only a token Switchboard handed
     * out passes: an attacker cannot pick a cookie/field pair of its own.
     */
    private String newLoginToken() {
        return box.encrypt(Long.toString(Instant.now().getEpochSecond()), LOGIN_CSRF_CONTEXT);
    }

    private boolean issuedByUs(String token) {
        try {
            long issued = Long.parseLong(box.decrypt(token, LOGIN_CSRF_CONTEXT));
            return Instant.ofEpochSecond(issued).plus(LOGIN_FORM_LIFETIME).isAfter(Instant.now());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Response loginPage(int status, String email, String error) {
        String csrf = newLoginToken();
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE)
                .entity(Templates.login(csrf, email == null ? "" : email, error))
                .cookie(loginCsrfCookie(csrf, -1)).build();
    }

    private NewCookie loginCsrfCookie(String value, int maxAge) {
        return new NewCookie.Builder(LOGIN_CSRF_COOKIE).path("/agent/login").value(value).maxAge(maxAge)
                .httpOnly(true).secure(DashboardMappers.https(request)).sameSite(NewCookie.SameSite.STRICT).build();
    }
}
