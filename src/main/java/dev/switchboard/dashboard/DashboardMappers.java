package dev.switchboard.dashboard;

import io.vertx.core.http.HttpServerRequest;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

public class DashboardMappers {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance errorPage(int status, String title, String detail);
    }

    /** Refusals of dashboard pages as a page a person can read (the API's problem+json stays for the API). */
    @ServerExceptionMapper
    public Response page(PageError e) {
        return Response.status(e.status()).type(MediaType.TEXT_HTML_TYPE)
                .entity(Templates.errorPage(e.status(), e.title(), e.detail())).build();
    }

    /** To the login page, clearing a stale cookie. */
    @ServerExceptionMapper
    public Response toLogin(LoginRequired e, HttpServerRequest request) {
        return Response.seeOther(URI.create("/agent/login")).cookie(sessionCookie(request, "", 0)).build();
    }

    public static NewCookie sessionCookie(HttpServerRequest request, String value, int maxAge) {
        // Lax: top-level navigation from links keeps the session; cross-site POSTs do not carry it.
        return new NewCookie.Builder(AgentSessions.COOKIE).path("/agent").value(value).maxAge(maxAge)
                .httpOnly(true).secure(https(request)).sameSite(NewCookie.SameSite.LAX).build();
    }

    /** Behind TLS (directly, or at the ingress that forwards the scheme) cookies are sent over HTTPS only. */
    static boolean https(HttpServerRequest request) {
        return request.isSSL() || "https".equalsIgnoreCase(request.getHeader("X-Forwarded-Proto"));
    }
}
