package dev.switchboard.protection;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.common.Problem;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;

/**
 * Answers a request whose headers exceed {@link #MAX_BYTES} with a 431 problem+json. The HTTP codec's own limit
 * ({@code quarkus.http.limits.max-header-size}, set four times higher) still guards memory, but answers without a
 * body; below it, this check gives clients the same problem body as every other error.
 */
@ApplicationScoped
public class HeaderSizeLimit {

    public static final int MAX_BYTES = 16 * 1024;

    @Inject
    ObjectMapper json;

    void install(@Observes Router router) {
        router.route().order(-4).handler(ctx -> {
            long size = 0;
            for (Map.Entry<String, String> h : ctx.request().headers()) {
                size += h.getKey().length() + h.getValue().length() + 4; // "name: value\r\n"
            }
            if (size > MAX_BYTES) {
                ctx.response().setStatusCode(431).putHeader("Content-Type", Problem.MEDIA_TYPE)
                        .putHeader("Connection", "close").end(problem(ctx.request().path(), size));
            } else {
                ctx.next();
            }
        });
    }

    private String problem(String path, long size) {
        try {
            return json.writeValueAsString(new Problem("Request Header Fields Too Large", 431,
                    "The request headers have " + size + " bytes; at most " + MAX_BYTES + " are accepted", path));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a Problem is always serialisable", e);
        }
    }
}
