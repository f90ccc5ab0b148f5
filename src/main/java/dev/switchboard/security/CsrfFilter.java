package dev.switchboard.security;

import dev.switchboard.common.security.Identities;
import dev.switchboard.common.Secrets;
import dev.switchboard.dashboard.AgentSession;
import dev.switchboard.dashboard.PageError;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.WithFormRead;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;

/**
 * CSRF for the whole dashboard in one place: every state-changing request of a logged-in agent carries its session's
 * token, as form field {@value #FIELD} or header {@value #HEADER} (from scripts); otherwise 403 before any handler
 * runs. Requests without a session are left to the endpoint's role check (which sends the browser to log in); the
 * login form has no session yet and checks its own signed token (LoginPages).
 */
public class CsrfFilter {

    public static final String FIELD = "_csrf";
    public static final String HEADER = "X-CSRF-Token";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    CurrentIdentityAssociation identities;

    @ServerRequestFilter
    @WithFormRead
    public Uni<Void> check(ResteasyReactiveContainerRequestContext context) {
        String path = context.getUriInfo().getPath();
        if (SAFE_METHODS.contains(context.getMethod()) || !(path.equals("/agent") || path.startsWith("/agent/"))
                || path.equals("/agent/login")) {
            return Uni.createFrom().voidItem();
        }
        String header = context.getHeaderString(HEADER);
        Object field = ((ResteasyReactiveRequestContext) context.getServerRequestContext())
                .getFormParameter(FIELD, true, false);
        String presented = header != null ? header : field instanceof String s ? s : null;
        return identities.getDeferredIdentity().invoke(identity -> {
            AgentSession session = identity.isAnonymous() ? null : Identities.session(identity);
            if (session != null && (presented == null || !Secrets.constantTimeEquals(presented, session.csrfToken))) {
                throw PageError.denied("The form's CSRF token is missing or wrong: reload the page and try again");
            }
        }).replaceWithVoid();
    }
}
