package dev.switchboard.inference.hf;

import dev.switchboard.inference.json.Json;
import dev.switchboard.inference.json.JsonException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A JSON object read from one of a checkpoint's files; every error names the file and the key. */
record JsonFile(Path file, Map<String, Object> map) {

    /** Reads {@code file}, which must hold a JSON object. */
    @SuppressWarnings("unchecked")
    static JsonFile read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new HfException(file, "is missing");
        }
        Object parsed;
        try {
            parsed = Json.parse(Files.readString(file));
        } catch (IOException e) {
            throw new HfException(file, "cannot be read: " + e.getMessage(), e);
        } catch (JsonException e) {
            throw new HfException(file, "is not valid JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> m)) {
            throw new HfException(file, "does not hold a JSON object");
        }
        return new JsonFile(file, (Map<String, Object>) m);
    }

    /** The file if it exists, else null. */
    static JsonFile readOptional(Path file) {
        return Files.isRegularFile(file) ? read(file) : null;
    }

    boolean has(String key) {
        return map.get(key) != null;
    }

    HfException fail(String problem) {
        return new HfException(file, problem);
    }

    <T> T get(String key, Class<T> type, String expected) {
        Object v = map.get(key);
        if (v == null) {
            throw fail("key '" + key + "' is missing");
        }
        if (!type.isInstance(v)) {
            throw fail("key '" + key + "' is " + Json.write(v) + ", expected " + expected);
        }
        return type.cast(v);
    }

    int positiveInt(String key) {
        long v = get(key, Long.class, "a positive integer");
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw fail("key '" + key + "' is " + v + ", expected a positive integer");
        }
        return (int) v;
    }

    int positiveInt(String key, int fallback) {
        return has(key) ? positiveInt(key) : fallback;
    }

    double number(String key, double fallback) {
        return has(key) ? get(key, Number.class, "a number").doubleValue() : fallback;
    }

    String string(String key, String fallback) {
        return has(key) ? get(key, String.class, "a string") : fallback;
    }

    boolean bool(String key, boolean fallback) {
        return has(key) ? get(key, Boolean.class, "true or false") : fallback;
    }

    @SuppressWarnings("unchecked")
    JsonFile object(String key) {
        return new JsonFile(file, get(key, Map.class, "an object"));
    }

    /** An int or a list of ints (as {@code eos_token_id} may be), or an empty array when absent. */
    int[] ints(String key) {
        Object v = map.get(key);
        if (v == null) {
            return new int[0];
        }
        List<?> list = v instanceof List<?> l ? l : List.of(v);
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long n) || n < 0 || n > Integer.MAX_VALUE) {
                throw fail("key '" + key + "' is " + Json.write(v) + ", expected a token id or a list of them");
            }
            out[i] = (int) (long) n;
        }
        return out;
    }
}
