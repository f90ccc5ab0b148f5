package dev.switchboard.inference.server;

import dev.switchboard.inference.GenerationResult;

import java.util.List;

/**
 * Streams a chat answer that may be tool calls. Text goes out as content until its first non-blank character: an
 * answer that starts with '{' may be a call, so it is held back to the end, then sent as tool_calls chunks when it
 * parses as calls, else as content. Runs on the response's writer thread.
 */
final class ToolStream {
    private final ToolCalls tools;
    private final ChunkShapes shapes;
    private final LogprobShapes logprobs;
    private final SseStream sse;
    private final StringBuilder held = new StringBuilder();
    /** Null until the first non-blank character decides; true while text streams as content. */
    private Boolean plain;

    ToolStream(ToolCalls tools, ChunkShapes shapes, LogprobShapes logprobs, SseStream sse) {
        this.tools = tools;
        this.shapes = shapes;
        this.logprobs = logprobs;
        this.sse = sse;
        if (tools.constrained()) {
            plain = false; // the mask makes it a call
        }
    }

    /** A text delta from the engine; false when the client is gone. */
    boolean delta(String text) {
        if (Boolean.TRUE.equals(plain)) {
            return sse.send(shapes.deltaChunk(text, logprobs.next()));
        }
        held.append(text);
        if (plain == null && !held.toString().isBlank()) {
            plain = !held.toString().strip().startsWith("{");
            if (plain) {
                return flush();
            }
        }
        return true;
    }

    /** Sends held text as content; false when the client is gone. */
    boolean flush() {
        if (held.isEmpty()) {
            return true;
        }
        String text = held.toString();
        held.setLength(0);
        return sse.send(shapes.deltaChunk(text, logprobs.next()));
    }

    /** Ends the answer: tool_calls chunks and finish reason tool_calls if it was calls, else content and its own. */
    boolean finish(GenerationResult r) {
        List<ToolCalls.Call> calls = Boolean.TRUE.equals(plain) ? List.of() : tools.parse(held.toString());
        if (calls.isEmpty()) {
            return flush() && sse.send(shapes.finishChunk(r.finishReason(), logprobs.next()));
        }
        for (int i = 0; i < calls.size(); i++) {
            for (var chunk : shapes.callChunks(i, calls.get(i))) {
                if (!sse.send(chunk)) {
                    return false;
                }
            }
        }
        return sse.send(shapes.toolCallsFinishChunk(logprobs.next()));
    }
}
