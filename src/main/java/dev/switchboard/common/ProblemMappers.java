package dev.switchboard.common;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.switchboard.common.db.DatabaseOutage;
import dev.switchboard.common.security.LogSafe;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error of the REST API as application/problem+json with a detail a developer can act on. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    private static final long DATABASE_RETRY_AFTER_SECONDS = 5;

    @ServerExceptionMapper
    public Response api(ApiException e, UriInfo uri) {
        Response.ResponseBuilder response = Response.fromResponse(problem(e.status(), e.title(), e.detail(), uri));
        e.headers().forEach(response::header);
        return response.build();
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e, UriInfo uri) {
        return problem(400, "Bad Request", "Unknown field '" + e.getPropertyName() + "'"
                + (e.getKnownPropertyIds() == null ? "" : "; known fields: " + e.getKnownPropertyIds().stream()
                        .map(Object::toString).sorted().collect(Collectors.joining(", "))), uri);
    }

    @ServerExceptionMapper
    public Response wrongType(MismatchedInputException e, UriInfo uri) {
        String field = fieldPath(e);
        return problem(400, "Bad Request", field.isEmpty()
                ? "The request body has the wrong shape: expected a JSON object"
                : "Field '" + field + "' must be " + expected(e.getTargetType()), uri);
    }

    /** A JSON value of the type, in the API's words: Jackson's own messages name Java types and its settings. */
    static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        Class<?> t = type.isPrimitive() ? java.lang.invoke.MethodType.methodType(type).wrap().returnType() : type;
        if (t == String.class || t == Character.class) {
            return "a string";
        }
        if (t == Integer.class || t == Long.class || t == Short.class || t == Byte.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(t)) {
            return "a number";
        }
        if (t == Boolean.class) {
            return "true or false";
        }
        if (t == java.util.UUID.class) {
            return "a UUID string";
        }
        if (java.time.temporal.Temporal.class.isAssignableFrom(t)) {
            return "an ISO-8601 timestamp string";
        }
        if (t.isEnum() && Coded.class.isAssignableFrom(t)) {
            return "one of " + java.util.Arrays.stream(t.getEnumConstants()).map(c -> ((Coded) c).code()).toList();
        }
        if (t.isArray() || java.util.Collection.class.isAssignableFrom(t)) {
            return "an array";
        }
        return "a JSON object";
    }

    @ServerExceptionMapper
    public Response unmappable(JsonMappingException e, UriInfo uri) {
        String field = fieldPath(e);
        return problem(400, "Bad Request", (field.isEmpty() ? "Invalid request body: " : "Field '" + field + "': ")
                + rootMessage(e), uri);
    }

    @ServerExceptionMapper
    public Response malformed(JsonParseException e, UriInfo uri) {
        return problem(400, "Bad Request", "Malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), uri);
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e, Request request, UriInfo uri) {
        var allowed = e.getResponse().getAllowedMethods();
        return problem(405, "Method Not Allowed", request.getMethod() + " is not supported on " + uri.getPath()
                + (allowed.isEmpty() ? "" : "; allowed: " + String.join(", ", allowed)), uri);
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e, HttpHeaders headers, UriInfo uri) {
        String type = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
        return problem(415, "Unsupported Media Type", "Content-Type "
                + (type == null ? "is missing" : "'" + type + "' is not supported") + "; send application/json", uri);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        // The JSON reader may wrap Jackson's exception in a plain 400: report what Jackson found.
        switch (e.getCause()) {
            case UnrecognizedPropertyException u -> {
                return unknownField(u, uri);
            }
            case MismatchedInputException m -> {
                return wrongType(m, uri);
            }
            case JsonMappingException m -> {
                return unmappable(m, uri);
            }
            case JsonParseException p -> {
                return malformed(p, uri);
            }
            case null, default -> { }
        }
        Response.StatusType status = e.getResponse().getStatusInfo();
        return problem(status.getStatusCode(), status.getReasonPhrase(),
                status.getStatusCode() == 404 ? "No resource at " + uri.getPath() : e.getMessage(), uri);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        if (DatabaseOutage.causedBy(e)) {
            LOG.warnf("Database unavailable on %s: %s", LogSafe.path(uri.getPath()), e.getMessage());
            return api(ApiException.serviceUnavailable("The database is unavailable; retry shortly",
                    DATABASE_RETRY_AFTER_SECONDS), uri);
        }
        if (invalidText(e)) {
            // A text the fields' checks did not cover (a NUL PostgreSQL refuses): the client's fault, not a 500.
            return problem(400, "Bad Request", "A text field contains a NUL character or other invalid text", uri);
        }
        LOG.errorf(e, "Unexpected error on %s", LogSafe.path(uri.getPath()));
        return problem(500, "Internal Server Error", "An unexpected error occurred; it has been logged", uri);
    }

    public static Response problem(int status, String title, String detail, UriInfo uri) {
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem(title, status, detail, uri.getPath())).build();
    }

    /** PostgreSQL's "invalid byte sequence" / "character not in repertoire" (a NUL in text), anywhere in the causes. */
    private static boolean invalidText(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql
                    && ("22021".equals(sql.getSQLState()) || "22P05".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    private static String fieldPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof JsonMappingException j ? j.getOriginalMessage() : t.getMessage();
    }
}
