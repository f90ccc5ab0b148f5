package dev.switchboard.security;

import dev.switchboard.common.security.Roles;
import dev.switchboard.common.security.LogSafe;
import dev.switchboard.common.ProblemMappers;
import dev.switchboard.dashboard.DashboardMappers;
import dev.switchboard.dashboard.PageError;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Refusals by Quarkus Security, said the way the rest of Switchboard says them: a problem+json naming the credential
 * the endpoint wants (API), or the login page and an error page (dashboard). The refusal is logged without the
 * credential.
 */
public class SecurityMappers {

    private static final Logger LOG = Logger.getLogger(SecurityMappers.class);

    private final DashboardMappers dashboard = new DashboardMappers();

    /** A credential was sent but is wrong (unknown key, ended session). */
    @ServerExceptionMapper
    public Response failed(AuthenticationFailedException e, UriInfo uri, HttpServerRequest request) {
        if (dashboard(uri)) {
            return toLogin(request);
        }
        LOG.debugf("Refused %s %s: %s", request.method(), LogSafe.path(uri.getPath()), e.getMessage());
        return withChallenge(ProblemMappers.problem(401, "Unauthorized",
                e.getMessage() != null ? e.getMessage() : "The credentials are not valid", uri));
    }

    /** No credential for an endpoint that needs one. */
    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri, ResourceInfo resource,
            HttpServerRequest request) {
        if (dashboard(uri)) {
            return toLogin(request);
        }
        List<String> roles = roles(resource);
        String detail = roles.equals(List.of(Roles.OWNER))
                ? "The admin API needs Authorization: Bearer <admin token> (it is off unless Switchboard starts "
                        + "with SWITCHBOARD_ADMIN_TOKEN)"
                : roles.equals(List.of(Roles.API))
                        ? "This endpoint needs a workspace API key: Authorization: Bearer <API key>"
                        : "Send a site key (X-Site-Key header or site_key parameter) or Authorization: Bearer "
                                + "<API key>";
        return withChallenge(ProblemMappers.problem(401, "Unauthorized", detail, uri));
    }

    /** Authenticated, but not in a role the endpoint allows. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri, ResourceInfo resource, HttpServerRequest request) {
        List<String> roles = roles(resource);
        LOG.infof("Denied %s %s: needs one of %s", request.method(), LogSafe.path(uri.getPath()), roles);
        if (dashboard(uri)) {
            return dashboard.page(PageError.denied(roles.contains(Roles.OWNER) && !roles.contains(Roles.ADMIN)
                    ? "Only owners of this installation do this" : "Only admins manage agents"));
        }
        String detail = roles.equals(List.of(Roles.OWNER))
                ? "This needs the admin token (Authorization: Bearer <admin token>), not a workspace's key"
                : roles.equals(List.of(Roles.API)) ? "This needs an API key, not a site key"
                : roles.equals(List.of(Roles.WIDGET))
                        ? "Only the customer does this: use the site key and visitor token, not an API key"
                        : "These credentials do not allow this request";
        return ProblemMappers.problem(403, "Forbidden", detail, uri);
    }

    private static Response toLogin(HttpServerRequest request) {
        return Response.seeOther(URI.create("/agent/login"))
                .cookie(DashboardMappers.sessionCookie(request, "", 0)).build();
    }

    private static Response withChallenge(Response problem) {
        return Response.fromResponse(problem).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    private static boolean dashboard(UriInfo uri) {
        String path = uri.getPath();
        return path.equals("/agent") || path.startsWith("/agent/");
    }

    /** The roles the matched endpoint allows: its method's annotation, else its class's. */
    static List<String> roles(ResourceInfo resource) {
        Method m = resource == null ? null : resource.getResourceMethod();
        if (m == null) {
            return List.of();
        }
        RolesAllowed allowed = m.isAnnotationPresent(RolesAllowed.class) ? m.getAnnotation(RolesAllowed.class)
                : m.getDeclaringClass().getAnnotation(RolesAllowed.class);
        return allowed == null ? List.of() : List.of(allowed.value());
    }
}
