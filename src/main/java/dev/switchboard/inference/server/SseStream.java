package dev.switchboard.inference.server;

import dev.switchboard.inference.json.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes server-sent events ({@code data: JSON\n\n}), flushing each so tokens reach the client as they are made.
 * A failed write means the client went away: from then on {@link #send} returns false, which the generation
 * listener passes on to stop the generation. Thread-safe: the choices of one response ({@code n > 1}) write from
 * their own writer threads, one whole event at a time.
 */
final class SseStream {
    private final OutputStream out;
    private final boolean usageField;
    private boolean broken;

    /** @param usageField whether chunks carry {@code "usage": null} (OpenAI adds it when usage was requested) */
    SseStream(OutputStream out, boolean usageField) {
        this.out = out;
        this.usageField = usageField;
    }

    synchronized boolean send(Map<String, Object> chunk) {
        if (usageField && !chunk.containsKey("usage") && !chunk.containsKey("error")) {
            chunk.put("usage", null);
        }
        return write("data: " + Json.write(chunk) + "\n\n");
    }

    synchronized void done() {
        write("data: [DONE]\n\n");
    }

    private synchronized boolean write(String event) {
        if (broken) {
            return false;
        }
        try {
            out.write(event.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        } catch (IOException e) {
            broken = true;
            return false;
        }
    }
}
