package dev.switchboard.inference.server;

import dev.switchboard.inference.FinishReason;
import dev.switchboard.inference.GenerationResult;

import java.util.List;
import java.util.Map;

import static dev.switchboard.inference.server.OpenAiServer.ordered;

/**
 * The JSON shapes of one response, in OpenAI's formats: {@code chat.completion} / {@code chat.completion.chunk}
 * for chat, {@code text_completion} (whole and streamed) for completions. Every chunk of a stream shares the id;
 * a stream's chunks carry the {@code index} of their choice ({@link #forChoice}).
 */
record ChunkShapes(boolean chat, String id, long created, String model, int index) {

    /** The shapes of choice 0. */
    ChunkShapes(boolean chat, String id, long created, String model) {
        this(chat, id, created, model, 0);
    }

    /** The same response's shapes for choice {@code i}. */
    ChunkShapes forChoice(int i) {
        return new ChunkShapes(chat, id, created, model, i);
    }

    /**
     * This choice of a whole answer: its text, or (chat) its tool calls with no content and finish reason
     * tool_calls.
     *
     * @param logprobs the choice's log-probabilities in this endpoint's shape, or null
     */
    Map<String, Object> choice(GenerationResult r, List<ToolCalls.Call> calls, Map<String, Object> logprobs) {
        if (!calls.isEmpty()) {
            return ordered("index", index, "message", ordered("role", "assistant", "content", null,
                    "tool_calls", ToolCalls.message(calls)), "logprobs", logprobs, "finish_reason", "tool_calls");
        }
        return chat
                ? ordered("index", index, "message", ordered("role", "assistant", "content", r.text()),
                        "logprobs", logprobs, "finish_reason", r.finishReason().wireName())
                : ordered("text", r.text(), "index", index, "logprobs", logprobs, "finish_reason",
                        r.finishReason().wireName());
    }

    /** A whole answer of these choices, with the usage of their generations. */
    Map<String, Object> whole(List<Map<String, Object>> choices, List<GenerationResult> results) {
        Map<String, Object> body = envelope(chat ? "chat.completion" : "text_completion", List.copyOf(choices));
        body.put("usage", usage(results));
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
    Map<String, Object> usageChunk(List<GenerationResult> results) {
        Map<String, Object> body = envelope(chunkObject(), List.of());
        body.put("usage", usage(results));
        return body;
    }

    private Map<String, Object> chunk(Object deltaOrText, Map<String, Object> logprobs, String finishReason) {
        Map<String, Object> choice = chat
                ? ordered("index", index, "delta", deltaOrText, "logprobs", logprobs, "finish_reason", finishReason)
                : ordered("text", deltaOrText, "index", index, "logprobs", logprobs, "finish_reason", finishReason);
        return envelope(chunkObject(), List.of(choice));
    }

    private String chunkObject() {
        return chat ? "chat.completion.chunk" : "text_completion";
    }

    private Map<String, Object> envelope(String object, List<?> choices) {
        return ordered("id", id, "object", object, "created", created, "model", model, "choices", choices);
    }

    /**
     * The prompt counts once (the choices share it; cached tokens are those the first choice found in the prefix
     * cache), completion tokens add up over the choices.
     */
    private static Map<String, Object> usage(List<GenerationResult> results) {
        GenerationResult first = results.getFirst();
        int completion = results.stream().mapToInt(GenerationResult::completionTokens).sum();
        return ordered("prompt_tokens", first.promptTokens(), "completion_tokens", completion,
                "total_tokens", first.promptTokens() + completion,
                "prompt_tokens_details", ordered("cached_tokens", first.cachedPromptTokens()));
    }
}
