package dev.switchboard.inference.server;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code multipart/form-data} body (RFC 7578) as the OpenAI SDKs send a file upload: text fields and one or more
 * files, each part with a {@code Content-Disposition} naming it. Parts are kept as bytes; the last part of a name wins.
 */
final class Multipart {
    record Part(String name, String filename, byte[] content) {
        String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    private Multipart() {
    }

    /** The parts by name; a malformed body is a 400 that says what is wrong. */
    static Map<String, Part> parse(String contentType, byte[] body) {
        String boundary = boundary(contentType);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw malformed("the body has no part delimited by the boundary");
        }
        Map<String, Part> parts = new LinkedHashMap<>();
        while (true) {
            int after = at + delimiter.length;
            if (startsWith(body, after, "--")) {
                return parts; // the close delimiter
            }
            int headersStart = skipLineBreak(body, after);
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
            if (headersEnd < 0) {
                throw malformed("a part's headers do not end with an empty line");
            }
            int contentStart = headersEnd + 4;
            // The next delimiter starts on its own line: CRLF "--" boundary.
            byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
            int contentEnd = indexOf(body, next, contentStart);
            if (contentEnd < 0) {
                throw malformed("the body ends inside a part (no closing boundary)");
            }
            Part part = part(new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8),
                    Arrays.copyOfRange(body, contentStart, contentEnd));
            parts.put(part.name(), part);
            at = contentEnd + 2;
        }
    }

    private static String boundary(String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new ApiException(415, "invalid_request_error", null, "unsupported_media_type",
                    "a file upload must be multipart/form-data (fields 'purpose' and 'file'), got "
                            + (contentType == null ? "no Content-Type" : contentType));
        }
        for (String param : contentType.split(";")) {
            String p = param.strip();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = p.substring("boundary=".length());
                b = b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"") ? b.substring(1, b.length() - 1) : b;
                if (!b.isEmpty() && b.length() <= 70) {
                    return b;
                }
            }
        }
        throw malformed("the Content-Type names no boundary (1 to 70 characters)");
    }

    private static Part part(String headers, byte[] content) {
        String name = null, filename = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.substring(0, colon).strip().equalsIgnoreCase("Content-Disposition")) {
                continue;
            }
            for (String param : line.substring(colon + 1).split(";")) {
                String p = param.strip();
                int eq = p.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String key = p.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                String value = unquote(p.substring(eq + 1).strip());
                if (key.equals("name")) {
                    name = value;
                } else if (key.equals("filename")) {
                    filename = value;
                }
            }
        }
        if (name == null) {
            throw malformed("a part has no Content-Disposition name");
        }
        return new Part(name, filename, content);
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("%22", "\"");
        }
        return value;
    }

    private static int skipLineBreak(byte[] body, int at) {
        if (startsWith(body, at, "\r\n")) {
            return at + 2;
        }
        throw malformed("a boundary is not followed by a line break");
    }

    private static boolean startsWith(byte[] body, int at, String s) {
        if (at + s.length() > body.length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (body[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] body, byte[] needle, int from) {
        outer:
        for (int i = from; i <= body.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (body[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static ApiException malformed(String why) {
        return ApiException.badRequest(null, "invalid_multipart", "malformed multipart/form-data: " + why);
    }
}
