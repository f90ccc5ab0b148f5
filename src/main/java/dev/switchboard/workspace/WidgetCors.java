package dev.switchboard.workspace;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * CORS for the widget's API (conversations), which runs on the businesses' websites. A response carries
 * {@code Access-Control-Allow-Origin} only when {@link WorkspaceAuth} accepted the request's site key from that
 * origin (one of the workspace's allowed origins, or Switchboard's own); every other cross-origin response is
 * unreadable to the page, and the request itself is refused with a 403 before it has any effect.
 */
@ApplicationScoped
public class WidgetCors {

    static final String PATH_PREFIX = "/api/v1/conversations";
    private static final String ACCEPTED_ORIGIN = "switchboard.widget.accepted-origin";
    private static final String ALLOWED_HEADERS = "X-Site-Key, X-Visitor-Token, Content-Type, Last-Event-ID";

    @Inject
    CurrentVertxRequest request;

    /** Before every other route, so that preflights never reach the REST layer. */
    void register(@Observes Router router) {
        router.route().order(-100).handler(this::filter);
    }

    void filter(RoutingContext rc) {
        String origin = rc.request().getHeader("Origin");
        if (origin == null || !rc.normalizedPath().startsWith(PATH_PREFIX)) {
            rc.next();
            return;
        }
        if (rc.request().method() == HttpMethod.OPTIONS
                && rc.request().getHeader("Access-Control-Request-Method") != null) {
            // A preflight carries no site key (browsers send no custom header values in it), so it cannot be tied
            // to a workspace. It is answered for any origin, with only the widget's methods and headers: it grants
            // nothing by itself, because the request that follows is checked against the site key's workspace and
            // gets neither an effect nor a readable response from an origin that workspace does not allow.
            rc.response().setStatusCode(204)
                    .putHeader("Access-Control-Allow-Origin", origin)
                    .putHeader("Access-Control-Allow-Methods", "GET, POST")
                    .putHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS)
                    .putHeader("Access-Control-Max-Age", "600")
                    .putHeader("Vary", "Origin")
                    .end();
            return;
        }
        rc.addHeadersEndHandler(ignored -> {
            if (origin.equals(rc.get(ACCEPTED_ORIGIN))) {
                // Retry-After: a rate-limited widget tells its visitor when to try again.
                rc.response().putHeader("Access-Control-Allow-Origin", origin)
                        .putHeader("Access-Control-Expose-Headers", "Retry-After");
            }
            rc.response().headers().add("Vary", "Origin");
        });
        rc.next();
    }

    /** The current request's site key is valid from {@code origin}: its response (errors included) may be read. */
    void accept(String origin) {
        RoutingContext rc = request.getCurrent();
        if (rc != null) {
            rc.put(ACCEPTED_ORIGIN, origin);
        }
    }
}
