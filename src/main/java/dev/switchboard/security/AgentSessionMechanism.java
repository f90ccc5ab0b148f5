package dev.switchboard.security;

import dev.switchboard.dashboard.AgentSessions;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/** The dashboard's session cookie, under /agent only: the agent's roles. */
@ApplicationScoped
public class AgentSessionMechanism extends CredentialMechanism {

    @Override
    Credential read(RoutingContext context) {
        if (!dashboard(context)) {
            return null;
        }
        Cookie cookie = context.request().getCookie(AgentSessions.COOKIE);
        return cookie == null || cookie.getValue().isBlank() ? null
                : new Credential(Credential.Kind.AGENT_SESSION, cookie.getValue());
    }

    @Override
    public int getPriority() {
        return 1000;
    }
}
