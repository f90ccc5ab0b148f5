package dev.switchboard.common;

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
     * Requires 1..max characters (code points) after trimming; returns the value verbatim, because what people
     * type (leading spaces, line breaks) is theirs to keep.
     */
    public static String requireText(String value, String field, int max) {
        if (value == null) {
            throw ApiException.badRequest("Field '" + field + "' is required");
        }
        String trimmed = value.strip();
        if (trimmed.isEmpty()) {
            throw ApiException.badRequest("Field '" + field + "' must not be empty or only whitespace");
        }
        int length = trimmed.codePointCount(0, trimmed.length());
        if (length > max) {
            throw ApiException.badRequest("Field '" + field + "' has " + length + " characters; at most " + max
                    + " are allowed");
        }
        return value;
    }
}
