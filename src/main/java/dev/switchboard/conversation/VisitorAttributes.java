package dev.switchboard.conversation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.common.ApiException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The custom attributes of identify(): a flat object of at most {@value #MAX_KEYS} keys (letters, digits, {@code _ . -},
 * up to {@value #MAX_KEY} characters) with strings (up to {@value #MAX_VALUE} characters), numbers, booleans or null;
 * anything else is a 400 naming the key.
 */
final class VisitorAttributes {

    static final int MAX_KEYS = 50;
    static final int MAX_KEY = 100;
    static final int MAX_VALUE = 500;
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_KEY + "}");

    private VisitorAttributes() {}

    /** The attributes as a JSON object ({} for none), after the checks. */
    static String toJson(ObjectMapper json, Map<String, Object> attributes) {
        if (attributes == null) {
            return "{}";
        }
        if (attributes.size() > MAX_KEYS) {
            throw ApiException.badRequest("Field 'attributes' may have at most " + MAX_KEYS + " keys");
        }
        Map<String, Object> checked = new LinkedHashMap<>();
        attributes.forEach((key, value) -> {
            if (key == null || !KEY.matcher(key).matches()) {
                throw ApiException.badRequest("Field 'attributes' has the key '" + key + "': keys are 1 to " + MAX_KEY
                        + " letters, digits, '_', '.' or '-'");
            }
            boolean ok = value == null || value instanceof Number || value instanceof Boolean
                    || (value instanceof String s && s.length() <= MAX_VALUE);
            if (!ok) {
                throw ApiException.badRequest("Field 'attributes." + key + "' must be a string of at most " + MAX_VALUE
                        + " characters, a number, true/false or null");
            }
            checked.put(key, value);
        });
        try {
            return json.writeValueAsString(checked);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("attributes not serialisable", e);
        }
    }
}
