package dev.switchboard.protection;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.common.Problem;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers a request whose declared Content-Length exceeds its limit with a 413 problem+json before the body is read,
 * like every other error of the API: {@value #MAX_BYTES} bytes, or {@code switchboard.attachments.max-size} for an
 * attachment upload. Quarkus's own check ({@code quarkus.http.limits.max-body-size}, set to the attachment limit)
 * still guards chunked bodies and answers without a body.
 *
 * <p>A JSON body of a declared length within the limit is read here, on the event loop, before the endpoint runs:
 * Quarkus REST reads the body of a blocking endpoint on its worker thread otherwise, parked until the event loop
 * hands over each chunk and the end, which under load cost the customer-message post more than its SQL.
 */
@ApplicationScoped
public class BodySizeLimit {

    /** Just before Quarkus's own upload-limit route (RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT = -2). */
    private static final int ORDER = -3;

    /** Far above the largest legitimate JSON body (an FAQ entry: 500 + 4000 characters). */
    public static final int MAX_BYTES = 256 * 1024;
    /** The two upload routes: the API's (widget, API key) and the dashboard's. */
    private static final Pattern UPLOAD = Pattern.compile("/(api/v1|agent)/conversations/[^/]+/attachments");

    @ConfigProperty(name = "switchboard.attachments.max-size", defaultValue = "5M")
    MemorySize maxAttachment;

    @Inject
    ObjectMapper json;

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(ctx -> {
            long max = UPLOAD.matcher(ctx.request().path()).matches() ? maxAttachment.asLongValue() : MAX_BYTES;
            String declared = ctx.request().getHeader("Content-Length");
            if (declared != null && exceeds(declared, max)) {
                String body = problem(ctx.request().path(), declared, max);
                ctx.response().setStatusCode(413).putHeader("Content-Type", Problem.MEDIA_TYPE)
                        .putHeader("Connection", "close").end(body);
            } else if (declared != null && ctx.request().version() != HttpVersion.HTTP_2
                    && isJson(ctx.request().getHeader("Content-Type"))) {
                // Not over HTTP/2: Quarkus REST pauses the request when it starts, and Vert.x refuses to pause an
                // HTTP/2 request already read to its end (a 500 for every JSON post over h2c).
                if ("100-continue".equalsIgnoreCase(ctx.request().getHeader("Expect"))) {
                    ctx.response().writeContinue(); // as Quarkus REST does when it reads the body: the client waits
                }
                ctx.request().body().onComplete(read -> {
                    if (read.succeeded()) {
                        ctx.setBody(read.result()); // what Quarkus REST hands the endpoint instead of a stream
                        ctx.next();
                    } else {
                        ctx.fail(read.cause());
                    }
                });
                ctx.request().resume(); // paused by then: without this the body never comes
            } else {
                ctx.next();
            }
        });
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
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
