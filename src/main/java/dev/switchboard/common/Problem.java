package dev.switchboard.common;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An RFC 9457 problem detail; {@code type} is omitted, which means about:blank. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String title, int status, String detail, String instance) {

    public static final String MEDIA_TYPE = "application/problem+json";
}
