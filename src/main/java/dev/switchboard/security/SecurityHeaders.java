package dev.switchboard.security;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Security headers on every response (pages, API, static files): no MIME sniffing, a referrer policy, and on HTML a
 * Content-Security-Policy with scripts from this origin only (no inline script) that no other site may frame.
 * Dashboard pages are never cached. The demo page allows inline styles: the chat widget styles its shadow root.
 */
@ApplicationScoped
public class SecurityHeaders {

    static final String DASHBOARD_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";
    static final String PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";

    void install(@Observes Router router) {
        router.route().order(-200).handler(context -> {
            boolean dashboard = context.normalizedPath().equals("/agent")
                    || context.normalizedPath().startsWith("/agent/");
            context.addHeadersEndHandler(ignored -> apply(context.response().headers(), dashboard));
            context.next();
        });
    }

    static void apply(MultiMap headers, boolean dashboard) {
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", dashboard ? "same-origin" : "strict-origin-when-cross-origin");
        String type = headers.get("Content-Type");
        if (type != null && type.startsWith("text/html")) {
            headers.set("Content-Security-Policy", dashboard ? DASHBOARD_CSP : PAGE_CSP);
            headers.set("X-Frame-Options", "DENY");
        }
        if (dashboard && (type == null || !type.startsWith("text/css") && !type.contains("javascript"))) {
            headers.set("Cache-Control", "no-store");
        }
    }
}
