package dev.switchboard.dashboard;

import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

public class DashboardMappers {

    /** To the login page, clearing a stale cookie. */
    @ServerExceptionMapper
    public Response toLogin(LoginRequired e) {
        return Response.seeOther(URI.create("/agent/login")).cookie(sessionCookie("", 0)).build();
    }

    static NewCookie sessionCookie(String value, int maxAge) {
        // Lax: top-level navigation from links keeps the session; cross-site POSTs do not carry it.
        return new NewCookie.Builder(AgentSessions.COOKIE).path("/agent").value(value).maxAge(maxAge)
                .httpOnly(true).sameSite(NewCookie.SameSite.LAX).build();
    }
}
