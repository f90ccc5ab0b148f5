package dev.switchboard.inference.server;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Typed reads of a parsed JSON request body; a wrong type fails with a 400 that names the field. */
final class Fields {
    private final Map<String, Object> body;

    private Fields(Map<String, Object> body) {
        this.body = body;
    }

    @SuppressWarnings("unchecked")
    static Fields of(Object parsed) {
        if (!(parsed instanceof Map<?, ?>)) {
            throw ApiException.badRequest(null, "the request body must be a JSON object");
        }
        return new Fields((Map<String, Object>) parsed);
    }

    /** The names of the fields present (null-valued ones included). */
    Set<String> names() {
        return body.keySet();
    }

    boolean has(String name) {
        return body.get(name) != null;
    }

    Object raw(String name) {
        return body.get(name);
    }

    String string(String name) {
        Object v = body.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw ApiException.badRequest(name, "'" + name + "' must be a string");
        }
        return s;
    }

    String requiredString(String name) {
        String s = string(name);
        if (s == null) {
            throw ApiException.badRequest(name, "'" + name + "' is required");
        }
        return s;
    }

    boolean bool(String name, boolean fallback) {
        Object v = body.get(name);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw ApiException.badRequest(name, "'" + name + "' must be true or false");
        }
        return b;
    }

    double number(String name, double fallback) {
        Object v = body.get(name);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n)) {
            throw ApiException.badRequest(name, "'" + name + "' must be a number");
        }
        return n.doubleValue();
    }

    /** An integer within int range; 3.0 counts as an integer (some clients write all numbers as floats). */
    Integer integer(String name) {
        Long v = longInteger(name);
        if (v == null) {
            return null;
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw ApiException.badRequest(name, "'" + name + "' is out of range: " + v);
        }
        return v.intValue();
    }

    Long longInteger(String name) {
        Object v = body.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p63) {
            return d.longValue();
        }
        throw ApiException.badRequest(name, "'" + name + "' must be an integer");
    }

    Fields object(String name) {
        Object v = body.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?>)) {
            throw ApiException.badRequest(name, "'" + name + "' must be an object");
        }
        return of(v);
    }

    List<?> list(String name) {
        Object v = body.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> l)) {
            throw ApiException.badRequest(name, "'" + name + "' must be an array");
        }
        return l;
    }
}
