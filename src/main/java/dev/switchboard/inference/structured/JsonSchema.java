package dev.switchboard.inference.structured;

import dev.switchboard.inference.json.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The subset of JSON Schema that OpenAI's strict structured outputs use: {@code type} (one or an array of object,
 * array, string, number, integer, boolean, null), {@code properties}, {@code required}, {@code additionalProperties:
 * false}, {@code items}, {@code enum}, {@code const}, string {@code minLength}/{@code maxLength}, array
 * {@code minItems}/{@code maxItems}, and the annotations {@code title}, {@code description}, {@code $schema}. Any
 * other keyword is refused by name: constrained decoding that silently ignored one would produce output that does
 * not validate. An object with properties must close them ({@code additionalProperties: false}); an object without
 * properties takes any members.
 */
public final class JsonSchema {
    static final int OBJECT = 1;
    static final int ARRAY = 2;
    static final int STRING = 4;
    static final int NUMBER = 8;
    static final int INTEGER = 16;
    static final int BOOLEAN = 32;
    static final int NULL = 64;
    static final int ANY_TYPE = OBJECT | ARRAY | STRING | NUMBER | BOOLEAN | NULL;
    /** More properties than fit a long's bits are refused (the automaton tracks used keys in one). */
    static final int MAX_PROPERTIES = 64;

    private static final Set<String> KEYWORDS = Set.of("type", "properties", "required", "additionalProperties",
            "items", "enum", "const", "minLength", "maxLength", "minItems", "maxItems", "title", "description",
            "$schema");

    /** Any JSON value. */
    public static final JsonSchema ANY = new JsonSchema(ANY_TYPE, null, Set.of(), null, null, 0, Integer.MAX_VALUE, 0,
            Integer.MAX_VALUE);
    /** Any JSON object: what {@code response_format: json_object} asks for. */
    public static final JsonSchema ANY_OBJECT = new JsonSchema(OBJECT, null, Set.of(), null, null, 0,
            Integer.MAX_VALUE, 0, Integer.MAX_VALUE);

    final int types;
    /** Null for an open object (any members of any value). */
    final Map<String, JsonSchema> properties;
    final Set<String> required;
    final JsonSchema items;
    /** The allowed values, written as compact JSON; null for no enum. */
    final List<String> enumValues;
    final int minLength;
    final int maxLength;
    final int minItems;
    final int maxItems;

    private JsonSchema(int types, Map<String, JsonSchema> properties, Set<String> required, JsonSchema items,
            List<String> enumValues, int minLength, int maxLength, int minItems, int maxItems) {
        this.types = types;
        this.properties = properties;
        this.required = required;
        this.items = items;
        this.enumValues = enumValues;
        this.minLength = minLength;
        this.maxLength = maxLength;
        this.minItems = minItems;
        this.maxItems = maxItems;
    }

    /**
     * Reads a parsed schema document.
     *
     * @throws IllegalArgumentException naming the path of the unsupported or malformed part, e.g.
     *     {@code schema.properties.age: keyword 'minimum' is not supported}
     */
    public static JsonSchema parse(Object schema) {
        return parse(schema, "schema");
    }

    /** A closed object schema of the given properties, all required (what a tool call's envelope is). */
    static JsonSchema closedObject(Map<String, JsonSchema> properties) {
        return new JsonSchema(OBJECT, properties, properties.keySet(), null, null, 0, Integer.MAX_VALUE, 0,
                Integer.MAX_VALUE);
    }

    /** A string that is one of the given values. */
    static JsonSchema stringEnum(List<String> values) {
        List<String> written = values.stream().map(Json::write).toList();
        return new JsonSchema(STRING, null, Set.of(), null, written, 0, Integer.MAX_VALUE, 0, Integer.MAX_VALUE);
    }

    private static JsonSchema parse(Object node, String path) {
        if (!(node instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(path + ": a schema must be an object");
        }
        for (Object key : map.keySet()) {
            if (!KEYWORDS.contains((String) key)) {
                throw new IllegalArgumentException(path + ": keyword '" + key + "' is not supported (supported: "
                        + String.join(", ", KEYWORDS.stream().sorted().toList()) + ")");
            }
        }
        List<String> enumValues = null;
        if (map.containsKey("enum") || map.containsKey("const")) {
            Object values = map.containsKey("const") ? List.of(String.valueOf(Json.write(map.get("const")))) : null;
            if (values == null) {
                if (!(map.get("enum") instanceof List<?> list) || list.isEmpty()) {
                    throw new IllegalArgumentException(path + ".enum: must be a non-empty array");
                }
                List<String> written = new ArrayList<>();
                for (Object v : list) {
                    if (v instanceof Map<?, ?> || v instanceof List<?>) {
                        throw new IllegalArgumentException(path + ".enum: only strings, numbers, booleans and null");
                    }
                    written.add(Json.write(v));
                }
                values = written;
            }
            @SuppressWarnings("unchecked") List<String> list = (List<String>) values;
            enumValues = List.copyOf(new LinkedHashSet<>(list));
        }
        int types = types(map.get("type"), path, enumValues != null);
        Map<String, JsonSchema> properties = null;
        Set<String> required = Set.of();
        if (map.get("properties") != null) {
            if (!(map.get("properties") instanceof Map<?, ?> props)) {
                throw new IllegalArgumentException(path + ".properties: must be an object");
            }
            if (props.size() > MAX_PROPERTIES) {
                throw new IllegalArgumentException(path + ".properties: at most " + MAX_PROPERTIES + " are supported");
            }
            if (!Boolean.FALSE.equals(map.get("additionalProperties"))) {
                throw new IllegalArgumentException(path + ".additionalProperties: must be false for an object with "
                        + "properties (strict structured output)");
            }
            properties = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : props.entrySet()) {
                properties.put((String) e.getKey(), parse(e.getValue(), path + ".properties." + e.getKey()));
            }
            required = new LinkedHashSet<>();
            if (map.get("required") instanceof List<?> list) {
                for (Object r : list) {
                    if (!(r instanceof String name) || !properties.containsKey(name)) {
                        throw new IllegalArgumentException(path + ".required: '" + r + "' is not a property");
                    }
                    required.add(name);
                }
            } else if (map.get("required") != null) {
                throw new IllegalArgumentException(path + ".required: must be an array of property names");
            }
            required = Set.copyOf(required);
        } else if (Boolean.FALSE.equals(map.get("additionalProperties"))) {
            properties = Map.of(); // a closed object without properties: {}
        }
        JsonSchema items = map.get("items") == null ? ANY : parse(map.get("items"), path + ".items");
        return new JsonSchema(types, properties, required, items, enumValues, bound(map, "minLength", 0, path),
                bound(map, "maxLength", Integer.MAX_VALUE, path), bound(map, "minItems", 0, path),
                bound(map, "maxItems", Integer.MAX_VALUE, path));
    }

    private static int bound(Map<?, ?> map, String key, int fallback, String path) {
        Object v = map.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(path + "." + key + ": must be a non-negative integer");
        }
        return (int) (long) l;
    }

    private static int types(Object type, String path, boolean hasEnum) {
        if (type == null) {
            return ANY_TYPE;
        }
        List<?> names = type instanceof List<?> l ? l : List.of(type);
        int types = 0;
        for (Object name : names) {
            types |= switch (String.valueOf(name)) {
                case "object" -> OBJECT;
                case "array" -> ARRAY;
                case "string" -> STRING;
                case "number" -> NUMBER;
                case "integer" -> INTEGER;
                case "boolean" -> BOOLEAN;
                case "null" -> NULL;
                default -> throw new IllegalArgumentException(path + ".type: unknown type '" + name + "'");
            };
        }
        if (types == 0 && !hasEnum) {
            throw new IllegalArgumentException(path + ".type: must name at least one type");
        }
        return types;
    }

    /** The schema of array items (any value when none is given). */
    JsonSchema items() {
        return items == null ? ANY : items;
    }

    boolean allows(int type) {
        return (types & type) != 0;
    }

    /**
     * Checks a parsed JSON value against the schema; returns null when it validates, else where and why not. The
     * automaton makes valid output by construction: this is the independent check tests and tool-call parsing use.
     */
    public String validate(Object value) {
        return validate(value, "$");
    }

    private String validate(Object value, String path) {
        if (enumValues != null && !enumValues.contains(Json.write(value))) {
            return path + ": not one of " + enumValues;
        }
        if (value instanceof Map<?, ?> map) {
            if (!allows(OBJECT)) {
                return path + ": an object is not allowed";
            }
            if (properties != null) {
                for (String r : required) {
                    if (!map.containsKey(r)) {
                        return path + ": required property '" + r + "' is missing";
                    }
                }
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    JsonSchema p = properties.get((String) e.getKey());
                    if (p == null) {
                        return path + ": property '" + e.getKey() + "' is not allowed";
                    }
                    String why = p.validate(e.getValue(), path + "." + e.getKey());
                    if (why != null) {
                        return why;
                    }
                }
            }
            return null;
        }
        if (value instanceof List<?> list) {
            if (!allows(ARRAY)) {
                return path + ": an array is not allowed";
            }
            if (list.size() < minItems || list.size() > maxItems) {
                return path + ": " + list.size() + " items, outside " + minItems + ".." + maxItems;
            }
            for (int i = 0; i < list.size(); i++) {
                String why = items().validate(list.get(i), path + "[" + i + "]");
                if (why != null) {
                    return why;
                }
            }
            return null;
        }
        if (value instanceof String s) {
            int length = s.codePointCount(0, s.length());
            if (enumValues == null && !allows(STRING)) {
                return path + ": a string is not allowed";
            }
            return length < minLength || length > maxLength
                    ? path + ": length " + length + " outside " + minLength + ".." + maxLength : null;
        }
        if (value instanceof Long || value instanceof java.math.BigInteger) {
            return enumValues != null || allows(INTEGER | NUMBER) ? null : path + ": a number is not allowed";
        }
        if (value instanceof Double) {
            return enumValues != null || allows(NUMBER) ? null : path + ": a non-integer number is not allowed";
        }
        if (value instanceof Boolean) {
            return enumValues != null || allows(BOOLEAN) ? null : path + ": a boolean is not allowed";
        }
        return enumValues != null || allows(NULL) ? null : path + ": null is not allowed";
    }
}
