package dev.switchboard.inference.server;

import dev.switchboard.inference.FinishReason;
import dev.switchboard.inference.GenerationResult;

import java.util.List;
import java.util.Map;

import static dev.switchboard.inference.server.OpenAiServer.ordered;

/**
 * The JSON shapes of one response, in OpenAI's formats: {@code chat.completion} / {@code chat.completion.chunk}
 * for chat, {@code text_completion} (whole and streamed) for completions. Every chunk of a stream shares the id.
 */
record ChunkShapes(boolean chat, String id, long created, String model) {

    /** @param logprobs the choice's log-probabilities in this endpoint's shape, or null */
    Map<String, Object> complete(GenerationResult r, Map<String, Object> logprobs) {
        Map<String, Object> choice = chat
                ? ordered("index", 0, "message", ordered("role", "assistant", "content", r.text()),
                        "logprobs", logprobs, "finish_reason", r.finishReason().wireName())
                : ordered("text", r.text(), "index", 0, "logprobs", logprobs, "finish_reason",
                        r.finishReason().wireName());
        Map<String, Object> body = envelope(chat ? "chat.completion" : "text_completion", List.of(choice));
        body.put("usage", usage(r));
        return body;
    }

    /** A whole chat answer that is tool calls: no content, finish reason tool_calls. */
    Map<String, Object> completeWithCalls(GenerationResult r, List<ToolCalls.Call> calls, Map<String, Object> logprobs) {
        Map<String, Object> choice = ordered("index", 0, "message", ordered("role", "assistant", "content", null,
                "tool_calls", ToolCalls.message(calls)), "logprobs", logprobs, "finish_reason", "tool_calls");
        Map<String, Object> body = envelope("chat.completion", List.of(choice));
        body.put("usage", usage(r));
        return body;
    }

    /**
     * The chunks that stream one call as OpenAI does: the first names it (id, type, name, empty arguments), the
     * second carries the arguments.
     */
    List<Map<String, Object>> callChunks(int index, ToolCalls.Call call) {
        Map<String, Object> head = ordered("index", index, "id", call.id(), "type", "function", "function",
                ordered("name", call.name(), "arguments", ""));
        Map<String, Object> arguments = ordered("index", index, "function", ordered("arguments", call.arguments()));
        return List.of(chunk(ordered("tool_calls", List.of(head)), null, null),
                chunk(ordered("tool_calls", List.of(arguments)), null, null));
    }

    /** The last chunk of an answer that was tool calls. */
    Map<String, Object> toolCallsFinishChunk(Map<String, Object> logprobs) {
        return chunk(ordered(), logprobs, "tool_calls");
    }

    /** The first chat chunk: the assistant role with empty content, as OpenAI sends it. */
    Map<String, Object> roleChunk() {
        return chunk(ordered("role", "assistant", "content", ""), null, null);
    }

    /** @param logprobs the log-probabilities of the tokens since the last chunk, or null */
    Map<String, Object> deltaChunk(String text, Map<String, Object> logprobs) {
        return chat ? chunk(ordered("content", text), logprobs, null) : chunk(text, logprobs, null);
    }

    /** The last choice chunk: no new text (log-probabilities of tokens that added none), the finish reason. */
    Map<String, Object> finishChunk(FinishReason reason, Map<String, Object> logprobs) {
        return chat ? chunk(ordered(), logprobs, reason.wireName()) : chunk("", logprobs, reason.wireName());
    }

    /** With {@code stream_options.include_usage}: a final chunk with no choices and the token counts. */
    Map<String, Object> usageChunk(GenerationResult r) {
        Map<String, Object> body = envelope(chunkObject(), List.of());
        body.put("usage", usage(r));
        return body;
    }

    private Map<String, Object> chunk(Object deltaOrText, Map<String, Object> logprobs, String finishReason) {
        Map<String, Object> choice = chat
                ? ordered("index", 0, "delta", deltaOrText, "logprobs", logprobs, "finish_reason", finishReason)
                : ordered("text", deltaOrText, "index", 0, "logprobs", logprobs, "finish_reason", finishReason);
        return envelope(chunkObject(), List.of(choice));
    }

    private String chunkObject() {
        return chat ? "chat.completion.chunk" : "text_completion";
    }

    private Map<String, Object> envelope(String object, List<Object> choices) {
        return ordered("id", id, "object", object, "created", created, "model", model, "choices", choices);
    }

    private static Map<String, Object> usage(GenerationResult r) {
        return ordered("prompt_tokens", r.promptTokens(), "completion_tokens", r.completionTokens(),
                "total_tokens", r.promptTokens() + r.completionTokens(),
                "prompt_tokens_details", ordered("cached_tokens", r.cachedPromptTokens()));
    }
}
