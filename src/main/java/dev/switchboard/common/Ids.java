package dev.switchboard.common;

import java.util.UUID;

public final class Ids {

    private Ids() {}

    /** Parses an id from a URL: a malformed id names nothing, so it is a 404 like an unknown one. */
    public static UUID parse(String value, String what) {
        try {
            if (value != null && value.length() == 36) {
                return UUID.fromString(value);
            }
        } catch (IllegalArgumentException ignored) {
            // fall through to the 404
        }
        throw ApiException.notFound("No " + what + " with id '" + value + "' (ids are UUIDs)");
    }
}
