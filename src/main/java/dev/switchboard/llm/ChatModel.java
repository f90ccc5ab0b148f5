package dev.switchboard.llm;

import java.util.List;
import java.util.function.Consumer;

/**
 * The port the bot talks to: one chat model that streams its answer. Implementations: an OpenAI-compatible HTTP
 * client ({@link OpenAiChatModel}) and, later, an in-process adapter over our own engine. Thread-safe.
 */
public interface ChatModel {

    /** The name recorded as the source of the answers this model writes. */
    String modelName();

    /**
     * Starts generating an answer and returns at once.
     *
     * @param onDelta receives each piece of text in order, on a thread of the model, never after the stream ended or
     *                was cancelled; it must not block for long (it holds up the stream)
     */
    ChatStream stream(List<ChatMessage> messages, ChatOptions options, Consumer<String> onDelta);
}
