package dev.switchboard.inference.server;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.TinyChatModel;
import dev.switchboard.inference.TokenListener;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.tokenizer.ChatMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The server through LangChain4j's OpenAI client, as a real application would talk to it (with an API key). */
class RealOpenAiClientTest {
    private static final String KEY = "test-key";
    private static final List<ChatMessage> MESSAGES = List.of(new ChatMessage("system", "Be brief."),
            new ChatMessage("user", "Hello there"));
    private static final ChatRequest REQUEST = ChatRequest.builder()
            .messages(SystemMessage.from("Be brief."), UserMessage.from("Hello there")).build();
    static Engine engine;
    static OpenAiServer server;

    @BeforeAll
    static void start(@TempDir Path dir) {
        engine = Engine.load(EngineOptions.of(TinyChatModel.write(dir).toString()).withThreads(1));
        server = OpenAiServer.start(engine, "127.0.0.1", 0, KEY);
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    private static String expected(int maxTokens) {
        return engine.chat(MESSAGES, SamplingParams.greedy(maxTokens), TokenListener.IGNORE).text();
    }

    @Test
    void chatModel() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.baseUri().toString()).apiKey(KEY)
                .modelName(TinyChatModel.NAME).temperature(0.0).maxTokens(10).timeout(Duration.ofMinutes(1)).build();
        ChatResponse response = model.chat(REQUEST);
        assertEquals(expected(10), response.aiMessage().text());
        assertEquals(FinishReason.LENGTH, response.finishReason());
        assertEquals(engine.encodeChat(MESSAGES).length, response.tokenUsage().inputTokenCount());
        assertEquals(10, response.tokenUsage().outputTokenCount());
        assertEquals(TinyChatModel.NAME, response.modelName());
    }

    @Test
    void chatModelWithStopString() {
        String free = expected(20);
        String stop = free.substring(4, 7);
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.baseUri().toString()).apiKey(KEY)
                .modelName(TinyChatModel.NAME).temperature(0.0).maxTokens(20).stop(List.of(stop)).build();
        ChatResponse response = model.chat(REQUEST);
        assertEquals(free.substring(0, free.indexOf(stop)), response.aiMessage().text());
        assertEquals(FinishReason.STOP, response.finishReason());
    }

    @Test
    void streamingChatModel() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(server.baseUri().toString())
                .apiKey(KEY).modelName(TinyChatModel.NAME).temperature(0.0).maxTokens(12)
                .timeout(Duration.ofMinutes(1)).build();
        StringBuilder partials = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(REQUEST, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(1, TimeUnit.MINUTES);
        String expected = expected(12);
        assertEquals(expected, partials.toString());
        assertEquals(expected, response.aiMessage().text());
        assertEquals(FinishReason.LENGTH, response.finishReason());
        assertEquals(12, response.tokenUsage().outputTokenCount());
    }
}
