package dev.switchboard.protection;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.common.Problem;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers a request whose declared Content-Length exceeds {@code quarkus.http.limits.max-body-size} with a 413
 * problem+json before the body is read, like every other error of the API (Quarkus's own check, which still guards
 * chunked bodies, answers without a body).
 */
@ApplicationScoped
public class BodySizeLimit {

    /** Just before Quarkus's own upload-limit route (RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT = -2). */
    private static final int ORDER = -3;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
    MemorySize maxBodySize;

    @Inject
    ObjectMapper json;

    void install(@Observes Router router) {
        long max = maxBodySize.asLongValue();
        router.route().order(ORDER).handler(ctx -> {
            String declared = ctx.request().getHeader("Content-Length");
            if (declared != null && exceeds(declared, max)) {
                String body = problem(ctx.request().path(), declared, max);
                ctx.response().setStatusCode(413).putHeader("Content-Type", Problem.MEDIA_TYPE)
                        .putHeader("Connection", "close").end(body);
            } else {
                ctx.next();
            }
        });
    }

    private static boolean exceeds(String declared, long max) {
        try {
            return Long.parseLong(declared.strip()) > max;
        } catch (NumberFormatException e) {
            return false; // a malformed length is the HTTP codec's to reject
        }
    }

    private String problem(String path, String declared, long max) {
        try {
            return json.writeValueAsString(new Problem("Content Too Large", 413,
                    "The request body has " + declared.strip() + " bytes; at most " + max + " are accepted", path));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a Problem is always serialisable", e);
        }
    }
}
