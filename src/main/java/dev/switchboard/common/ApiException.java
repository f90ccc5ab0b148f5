package dev.switchboard.common;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A client error with an HTTP status, rendered as application/problem+json by {@link ProblemMappers}. */
public class ApiException extends RuntimeException {

    private final int status;
    private final String title;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ApiException(int status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    /** Response headers that go with the problem (Retry-After, ...). */
    public Map<String, String> headers() {
        return Collections.unmodifiableMap(headers);
    }

    public ApiException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(400, "Bad Request", detail);
    }

    public static ApiException unauthorized(String detail) {
        return new ApiException(401, "Unauthorized", detail);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(403, "Forbidden", detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, "Not Found", detail);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(409, "Conflict", detail);
    }

    /** A 429 telling the client when the limit lets it in again. */
    public static ApiException tooManyRequests(String detail, long retryAfterSeconds) {
        return new ApiException(429, "Too Many Requests", detail)
                .withHeader("Retry-After", Long.toString(retryAfterSeconds));
    }

    public static ApiException serviceUnavailable(String detail, long retryAfterSeconds) {
        return new ApiException(503, "Service Unavailable", detail)
                .withHeader("Retry-After", Long.toString(retryAfterSeconds));
    }
}
