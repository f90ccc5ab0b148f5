package dev.switchboard.inference.server;

import dev.switchboard.inference.json.Json;
import dev.switchboard.inference.json.JsonException;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A batch input file: JSON Lines, one request a line as OpenAI specifies,
 * {@code {"custom_id": "...", "method": "POST", "url": "/v1/chat/completions", "body": {...}}}. Checked whole at
 * upload, so that a batch never starts on a file it cannot run; each error names the file and the line. The bodies
 * are checked when their line runs, by the endpoint's own parser.
 */
record BatchInput(String url, List<Line> lines) {
    static final Set<String> ENDPOINTS = Set.of("/v1/chat/completions", "/v1/completions");
    /** OpenAI's limit of requests in one batch. */
    static final int MAX_LINES = 50_000;
    private static final Set<String> FIELDS = Set.of("custom_id", "method", "url", "body");

    record Line(int number, String customId, Object body) {
    }

    static BatchInput parse(String filename, byte[] content) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw invalid(filename + " is not UTF-8 text");
        }
        String[] rows = text.split("\n", -1);
        int count = rows.length;
        while (count > 0 && rows[count - 1].isBlank()) {
            count--; // trailing new lines end the file
        }
        if (count == 0) {
            throw invalid(filename + " holds no requests");
        }
        if (count > MAX_LINES) {
            throw invalid(filename + " holds " + count + " lines; a batch takes at most " + MAX_LINES + " requests");
        }
        List<Line> lines = new ArrayList<>(count);
        Map<String, Integer> seen = new HashMap<>();
        String url = null;
        for (int i = 0; i < count; i++) {
            String where = filename + " line " + (i + 1) + ": ";
            Object parsed;
            try {
                parsed = Json.parse(rows[i].strip());
            } catch (JsonException e) {
                throw invalid(where + "not valid JSON: " + e.getMessage());
            }
            if (!(parsed instanceof Map<?, ?> row)) {
                throw invalid(where + "must be a JSON object");
            }
            for (Object key : row.keySet()) {
                if (!FIELDS.contains(key)) {
                    throw invalid(where + "unknown field '" + key + "' (a line has custom_id, method, url, body)");
                }
            }
            if (!(row.get("custom_id") instanceof String id) || id.isEmpty()) {
                throw invalid(where + "'custom_id' must be a non-empty string");
            }
            Integer earlier = seen.putIfAbsent(id, i + 1);
            if (earlier != null) {
                throw invalid(where + "custom_id '" + id + "' is already used on line " + earlier);
            }
            if (!"POST".equals(row.get("method"))) {
                throw invalid(where + "'method' must be \"POST\"");
            }
            if (!(row.get("url") instanceof String lineUrl) || !ENDPOINTS.contains(lineUrl)) {
                throw invalid(where + "'url' must be \"/v1/chat/completions\" or \"/v1/completions\"");
            }
            if (url != null && !url.equals(lineUrl)) {
                throw invalid(where + "url '" + lineUrl + "' differs from line 1's '" + url
                        + "'; a batch runs one endpoint");
            }
            url = lineUrl;
            if (!(row.get("body") instanceof Map<?, ?> body)) {
                throw invalid(where + "'body' must be a JSON object (the request)");
            }
            lines.add(new Line(i + 1, id, body));
        }
        return new BatchInput(url, List.copyOf(lines));
    }

    private static ApiException invalid(String message) {
        return ApiException.badRequest("file", "invalid_batch_file", message);
    }
}
