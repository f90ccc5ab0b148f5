package dev.switchboard.common;

import java.util.UUID;

/** Checks of request fields; failures are 400 problems naming the field. */
public final class Validation {

    private Validation() {}

    public static <T> T requireBody(T body) {
        if (body == null) {
            throw ApiException.badRequest("The request needs a JSON body");
        }
        return body;
    }

    /**
     * A whole-number query parameter; absent or blank gives the fallback. Declared as a String in resources because
     * JAX-RS answers an unconvertible query parameter with a bare 404.
     */
    public static int wholeNumber(String value, String parameter, int fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Parameter '" + parameter + "' must be a whole number, not '"
                    + (value.length() > 20 ? value.substring(0, 20) + "…" : value) + "'");
        }
    }

    /**
     * An id given in a query parameter or form field (a 400 naming it when it is no UUID, where {@link Ids#parse}
     * treats a malformed id in a URL path as unknown: 404); {@code what} says what it must be.
     */
    public static UUID id(String value, String parameter, String what) {
        try {
            return UUID.fromString(value.strip());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("Parameter '" + parameter + "' must be " + what);
        }
    }

    /**
     * Requires 1..max characters (code points, counted on the text as sent, padding included: it is stored too) with
     * something besides whitespace, and no NUL or lone surrogate (no valid text holds them; PostgreSQL refuses NUL);
     * returns the value verbatim, because what people type (leading spaces, line breaks) is theirs to keep.
     */
    public static String requireText(String value, String field, int max) {
        if (value == null) {
            throw ApiException.badRequest("Field '" + field + "' is required");
        }
        if (value.strip().isEmpty()) {
            throw ApiException.badRequest("Field '" + field + "' must not be empty or only whitespace");
        }
        requireValidCharacters(value, field);
        int length = value.codePointCount(0, value.length());
        if (length > max) {
            throw ApiException.badRequest("Field '" + field + "' has " + length + " characters; at most " + max
                    + " are allowed");
        }
        return value;
    }

    /** A 400 for a NUL character or a lone (unpaired) UTF-16 surrogate anywhere in the value. */
    public static void requireValidCharacters(String value, String field) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw ApiException.badRequest("Field '" + field + "' contains a NUL character");
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ApiException.badRequest("Field '" + field + "' contains an unpaired surrogate (not valid text)");
            }
        }
    }
}
