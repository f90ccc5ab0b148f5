package dev.switchboard.llm;

import java.io.BufferedReader;
import java.io.IOException;

/**
 * Splits a text/event-stream into events, following the WHATWG server-sent events rules that matter for one HTTP
 * response: {@code data:} lines (several join with a newline), an optional {@code event:} type, comment lines
 * starting with a colon, and a blank line ending each event. {@code id:} and {@code retry:} only matter for
 * reconnecting, which a chat completion never does, so they are skipped.
 */
final class SseEventReader {

    /** One event: its type ({@code event:} field, null when absent) and its data lines joined by newlines. */
    record Event(String type, String data) {}

    private final BufferedReader in;

    SseEventReader(BufferedReader in) {
        this.in = in;
    }

    /** The next event, or null at the end of the stream. */
    Event next() throws IOException {
        StringBuilder data = null;
        String type = null;
        for (String line; (line = in.readLine()) != null; ) {
            if (line.isEmpty()) {
                if (data != null) {
                    return new Event(type, data.toString());
                }
                type = null;
                continue;
            }
            if (line.charAt(0) == ':') {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder(value);
                    } else {
                        data.append('\n').append(value);
                    }
                }
                case "event" -> type = value;
                default -> { }
            }
        }
        // The spec drops an event the stream ends inside; some servers close right after their last data line
        // (often "[DONE]") without the blank line, and that event is what tells us the answer is complete.
        return data == null ? null : new Event(type, data.toString());
    }
}
