package dev.switchboard.inference.server;

import dev.switchboard.inference.json.Json;
import dev.switchboard.inference.json.JsonException;
import dev.switchboard.inference.structured.JsonAutomaton;
import dev.switchboard.inference.structured.JsonMask;
import dev.switchboard.inference.structured.JsonSchema;
import dev.switchboard.inference.tokenizer.Tokenizer;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Function calling the Llama 3.1 way (Meta's prompt format for JSON tool calls): the functions are described in a
 * system message, the model answers a call as {@code {"name": ..., "parameters": {...}}}, results come back in the
 * {@code ipython} role. {@code tool_choice} "required" or a named function constrains the answer to a valid call
 * (the name one of the tools, the parameters valid against that tool's schema); "auto" lets the model choose and
 * an answer that parses as a call of a known tool becomes one; "none" leaves the tools out of the answer.
 *
 * @param tools the functions, in request order (name to its {@code function} object)
 * @param choice "auto", "none", "required", or the name of the one function to call
 * @param parallel whether several calls (separated by ';' or new lines) may come in one answer
 */
record ToolCalls(Map<String, Map<?, ?>> tools, String choice, boolean parallel) {
    static final String AUTO = "auto";
    static final String NONE = "none";
    static final String REQUIRED = "required";
    private static final SecureRandom IDS = new SecureRandom();

    /** One call: the function's name and its arguments as a JSON text (OpenAI's shape). */
    record Call(String id, String name, String arguments) {
    }

    /** Reads {@code tools}, {@code tool_choice}, {@code parallel_tool_calls}; null when the request has no tools. */
    static ToolCalls parse(Fields body) {
        List<?> list = body.list("tools");
        Object choiceField = body.raw("tool_choice");
        boolean parallel = body.bool("parallel_tool_calls", true);
        if (list == null || list.isEmpty()) {
            if (choiceField != null && !NONE.equals(choiceField) && !AUTO.equals(choiceField)) {
                throw ApiException.badRequest("tool_choice", "tool_choice needs tools");
            }
            return null;
        }
        Map<String, Map<?, ?>> tools = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "tools[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> tool) || !"function".equals(tool.get("type"))
                    || !(tool.get("function") instanceof Map<?, ?> function)
                    || !(function.get("name") instanceof String name) || name.isEmpty()) {
                throw ApiException.badRequest(where, "'" + where + "' must be {\"type\": \"function\", \"function\": "
                        + "{\"name\": ..., \"parameters\": ...}}");
            }
            if (tools.put(name, function) != null) {
                throw ApiException.badRequest(where, "function '" + name + "' is defined twice");
            }
        }
        String choice;
        if (choiceField == null) {
            choice = AUTO;
        } else if (choiceField instanceof String s && List.of(AUTO, NONE, REQUIRED).contains(s)) {
            choice = s;
        } else if (choiceField instanceof Map<?, ?> named && named.get("function") instanceof Map<?, ?> f
                && f.get("name") instanceof String name) {
            if (!tools.containsKey(name)) {
                throw ApiException.badRequest("tool_choice", "tool_choice names '" + name + "', which is not in tools");
            }
            choice = name;
        } else {
            throw ApiException.badRequest("tool_choice", "tool_choice must be auto, none, required or "
                    + "{\"type\": \"function\", \"function\": {\"name\": ...}}");
        }
        return new ToolCalls(tools, choice, parallel);
    }

    boolean constrained() {
        return !choice.equals(AUTO) && !choice.equals(NONE);
    }

    /** Whether an answer may be a call. */
    boolean callsPossible() {
        return !choice.equals(NONE);
    }

    /** The system message that describes the tools, in Meta's JSON tool-calling wording. */
    String systemPrompt() {
        StringBuilder s = new StringBuilder();
        s.append("You have access to the following functions. To call a function, respond with a JSON object in the "
                + "format {\"name\": function name, \"parameters\": dictionary of argument name and its value}. "
                + "Do not use variables.");
        if (parallel) {
            s.append(" To call several functions, separate the objects with a new line.");
        }
        if (constrained()) {
            s.append(" You must call ").append(choice.equals(REQUIRED) ? "a function." : "the function " + choice + ".");
        } else {
            s.append(" When no function helps, answer in plain text.");
        }
        s.append("\n\n");
        for (Map<?, ?> f : tools.values()) {
            s.append(Json.write(f)).append("\n\n");
        }
        return s.toString().strip();
    }

    /** The mask that makes the answer one valid call, for "required" or a named function. */
    JsonMask mask(Tokenizer tokenizer) {
        List<String> prefixes = new ArrayList<>();
        List<JsonSchema> schemas = new ArrayList<>();
        for (Map.Entry<String, Map<?, ?>> e : tools.entrySet()) {
            if (!choice.equals(REQUIRED) && !choice.equals(e.getKey())) {
                continue;
            }
            Object parameters = e.getValue().get("parameters");
            JsonSchema schema;
            try {
                schema = parameters == null ? JsonSchema.parse(Map.of("type", "object", "properties", Map.of(),
                        "additionalProperties", false)) : JsonSchema.parse(parameters);
            } catch (IllegalArgumentException ex) {
                throw ApiException.badRequest("tools", "function '" + e.getKey() + "' parameters: " + ex.getMessage()
                        + " (a required or named tool_choice constrains the call to the strict schema subset)");
            }
            prefixes.add("{\"name\":" + Json.write(e.getKey()) + ",\"parameters\":");
            schemas.add(schema);
        }
        return new JsonMask(JsonAutomaton.startPrefixed(prefixes, schemas), tokenizer);
    }

    /** The calls an answer holds, or an empty list when it is plain text (or tool_choice is none). */
    List<Call> parse(String text) {
        if (!callsPossible()) {
            return List.of();
        }
        String trimmed = text.strip();
        if (!trimmed.startsWith("{")) {
            return List.of();
        }
        List<Call> calls = new ArrayList<>();
        for (String part : trimmed.split("\\s*(;|\\n)\\s*(?=\\{)")) {
            Object value;
            try {
                value = Json.parse(part);
            } catch (JsonException e) {
                return List.of();
            }
            if (!(value instanceof Map<?, ?> m) || !(m.get("name") instanceof String name) || !tools.containsKey(name)
                    || !(m.get("parameters") instanceof Map<?, ?> || m.get("arguments") instanceof Map<?, ?>)) {
                return List.of();
            }
            Object arguments = m.get("parameters") != null ? m.get("parameters") : m.get("arguments");
            calls.add(new Call(newId(), name, Json.write(arguments)));
        }
        return parallel ? calls : calls.subList(0, 1);
    }

    private static String newId() {
        byte[] b = new byte[12];
        IDS.nextBytes(b);
        return "call_" + HexFormat.of().formatHex(b);
    }

    /** An assistant message's tool_calls rendered as the model writes them. */
    static String renderCalls(List<?> toolCalls, String where) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < toolCalls.size(); i++) {
            if (!(toolCalls.get(i) instanceof Map<?, ?> call) || !(call.get("function") instanceof Map<?, ?> f)
                    || !(f.get("name") instanceof String name) || !(f.get("arguments") instanceof String arguments)) {
                throw ApiException.badRequest(where + ".tool_calls[" + i + "]", "a tool call needs function.name and "
                        + "function.arguments (a JSON string)");
            }
            Object parsed;
            try {
                parsed = Json.parse(arguments);
            } catch (JsonException e) {
                throw ApiException.badRequest(where + ".tool_calls[" + i + "]", "function.arguments is not JSON: "
                        + e.getMessage());
            }
            Map<String, Object> written = new LinkedHashMap<>();
            written.put("name", name);
            written.put("parameters", parsed);
            out.add(Json.write(written));
        }
        return String.join("\n", out);
    }

    /** OpenAI's tool_calls array of a whole message. */
    static List<Object> message(List<Call> calls) {
        List<Object> out = new ArrayList<>();
        for (Call c : calls) {
            out.add(OpenAiServer.ordered("id", c.id(), "type", "function", "function",
                    OpenAiServer.ordered("name", c.name(), "arguments", c.arguments())));
        }
        return out;
    }
}
