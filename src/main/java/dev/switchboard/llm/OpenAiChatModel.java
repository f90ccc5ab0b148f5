package dev.switchboard.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.llm.ChatResult.FinishReason;
import dev.switchboard.llm.ChatResult.Usage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A client of the OpenAI chat-completions API with {@code stream: true}, for any server that speaks it: our engine's
 * server, vLLM, llama.cpp, a hosted API. Each answer is read on its own virtual thread; one timer thread enforces
 * the first-token and total timeouts by aborting the response.
 */
public final class OpenAiChatModel implements ChatModel, AutoCloseable {

    /**
     * @param baseUrl the API's base, before {@code /chat/completions} (http://host:8000/v1)
     * @param apiKey sent as a bearer token when present
     */
    public record Settings(URI baseUrl, String model, Optional<String> apiKey, Duration connectTimeout,
                           Duration firstTokenTimeout, Duration totalTimeout) {
        public Settings {
            Objects.requireNonNull(baseUrl, "baseUrl");
            String scheme = baseUrl.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("inference URL must be http or https, was " + baseUrl);
            }
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("a model name is required for " + baseUrl);
            }
            Objects.requireNonNull(apiKey, "apiKey");
            requirePositive(connectTimeout, "connectTimeout");
            requirePositive(firstTokenTimeout, "firstTokenTimeout");
            requirePositive(totalTimeout, "totalTimeout");
        }

        private static void requirePositive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How much of an error body or a malformed chunk goes into an exception message. */
    private static final int QUOTE_LIMIT = 300;

    private final Settings settings;
    private final URI endpoint;
    private final HttpClient http;
    private final ScheduledThreadPoolExecutor timer;

    public Settings settings() {
        return settings;
    }

    public OpenAiChatModel(Settings settings) {
        this.settings = settings;
        String base = settings.baseUrl().toString().replaceAll("/+$", "");
        this.endpoint = URI.create(base + "/chat/completions");
        // HTTP/1.1: the default HTTP/2 attempt sends an h2c upgrade on plain http that some servers mishandle.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .build();
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "openai-timeouts");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public String modelName() {
        return settings.model();
    }

    @Override
    public ChatStream stream(List<ChatMessage> messages, ChatOptions options, Consumer<String> onDelta) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(requestBody(messages, options)));
        settings.apiKey().ifPresent(key -> request.header("Authorization", "Bearer " + key));
        Call call = new Call(request.build(), Objects.requireNonNull(onDelta, "onDelta"));
        call.start();
        return call;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        http.shutdownNow();
    }

    private String requestBody(List<ChatMessage> messages, ChatOptions options) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", settings.model());
        ArrayNode list = body.putArray("messages");
        for (ChatMessage m : messages) {
            list.addObject().put("role", m.role().name().toLowerCase(Locale.ROOT)).put("content", m.content());
        }
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        // max_tokens rather than max_completion_tokens: every compatible server accepts it.
        body.put("max_tokens", options.maxTokens());
        body.put("temperature", options.temperature());
        ChatOptions.Drafting drafting = options.drafting();
        // Extension fields of our engine's server, sent only when configured: other servers may refuse them.
        if (drafting.enabled()) {
            body.put("draft", drafting.mode().wireName());
            body.put("draft_tokens", drafting.tokens());
            if (!drafting.corpus().isEmpty()) {
                ArrayNode corpus = body.putArray("draft_corpus");
                drafting.corpus().forEach(corpus::add);
            }
        }
        return body.toString();
    }

    private final class Call implements ChatStream {
        private final HttpRequest request;
        private final Consumer<String> onDelta;
        private final CompletableFuture<ChatResult> result = new CompletableFuture<>();
        /** Guards text and delivery, so that no delta is delivered once the result is settled. */
        private final Object lock = new Object();
        private final StringBuilder text = new StringBuilder();
        private volatile Thread reader;
        private volatile InputStream body;
        private ScheduledFuture<?> firstTokenTimer;
        private ScheduledFuture<?> totalTimer;

        Call(HttpRequest request, Consumer<String> onDelta) {
            this.request = request;
            this.onDelta = onDelta;
        }

        void start() {
            reader = Thread.ofVirtual().name("openai-stream").unstarted(this::run);
            firstTokenTimer = timer.schedule(() -> fail(new ChatModelException("no answer from " + endpoint
                    + " within the first-token timeout of " + settings.firstTokenTimeout())),
                    settings.firstTokenTimeout().toNanos(), TimeUnit.NANOSECONDS);
            totalTimer = timer.schedule(() -> fail(new ChatModelException("answer from " + endpoint
                    + " not complete within the total timeout of " + settings.totalTimeout())),
                    settings.totalTimeout().toNanos(), TimeUnit.NANOSECONDS);
            reader.start();
        }

        private void run() {
            try {
                HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                body = response.body();
                if (result.isDone()) {
                    return;
                }
                if (response.statusCode() / 100 != 2) {
                    throw httpError(response.statusCode(), body);
                }
                ChatResult finished = read(new SseEventReader(
                        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))));
                if (finished != null) {
                    result.complete(finished);
                }
            } catch (ChatModelException e) {
                fail(e);
            } catch (ConnectException e) {
                fail(new ChatModelException("inference server at " + endpoint + " is unreachable: " + e, e));
            } catch (IOException | InterruptedException | RuntimeException e) {
                fail(new ChatModelException("inference request to " + endpoint + " failed: " + e, e));
            } finally {
                firstTokenTimer.cancel(false);
                totalTimer.cancel(false);
                closeBody();
            }
        }

        /** Reads the stream to its end; null when the call was settled meanwhile (cancelled, timed out). */
        private ChatResult read(SseEventReader events) throws IOException {
            FinishReason finish = null;
            Usage usage = Usage.UNKNOWN;
            for (SseEventReader.Event event; (event = events.next()) != null; ) {
                if (result.isDone()) {
                    return null;
                }
                if (event.data().equals("[DONE]")) {
                    return settle(finish == null ? FinishReason.STOP : finish, usage);
                }
                JsonNode chunk = parseChunk(event.data());
                if ("error".equals(event.type()) || chunk.has("error")) {
                    throw new ChatModelException("inference server at " + endpoint + " failed mid-answer: "
                            + errorMessage(chunk, event.data()));
                }
                JsonNode u = chunk.get("usage");
                if (u != null && u.isObject()) {
                    usage = new Usage(u.path("prompt_tokens").asInt(-1), u.path("completion_tokens").asInt(-1));
                }
                JsonNode choices = chunk.get("choices");
                if (choices == null || !choices.isArray()) {
                    throw new ChatModelException("malformed chunk from " + endpoint + " (no choices array): "
                            + quote(event.data()));
                }
                if (choices.isEmpty()) {
                    continue; // the usage-only chunk that include_usage adds at the end
                }
                JsonNode choice = choices.get(0);
                JsonNode content = choice.path("delta").path("content");
                if (content.isTextual() && !content.asText().isEmpty()) {
                    deliver(content.asText());
                }
                JsonNode reason = choice.get("finish_reason");
                if (reason != null && reason.isTextual()) {
                    finish = finishReason(reason.asText());
                }
            }
            if (result.isDone()) {
                return null;
            }
            // A server that closes after its finishing chunk without "[DONE]" still gave a whole answer.
            if (finish != null) {
                return settle(finish, usage);
            }
            throw new ChatModelException("inference stream from " + endpoint
                    + " ended before the answer was complete (no finish_reason, no [DONE])");
        }

        private ChatResult settle(FinishReason finish, Usage usage) {
            synchronized (lock) {
                return new ChatResult(text.toString(), finish, usage);
            }
        }

        private JsonNode parseChunk(String data) {
            try {
                JsonNode chunk = JSON.readTree(data);
                if (chunk == null || !chunk.isObject()) {
                    throw new ChatModelException("malformed chunk from " + endpoint + " (not a JSON object): "
                            + quote(data));
                }
                return chunk;
            } catch (JsonProcessingException e) {
                throw new ChatModelException("malformed chunk from " + endpoint + " (" + e.getOriginalMessage()
                        + "): " + quote(data), e);
            }
        }

        private void deliver(String delta) {
            synchronized (lock) {
                if (result.isDone()) {
                    return;
                }
                firstTokenTimer.cancel(false);
                text.append(delta);
                onDelta.accept(delta);
            }
        }

        private void fail(ChatModelException e) {
            synchronized (lock) {
                if (!result.completeExceptionally(e)) {
                    return;
                }
            }
            abort();
        }

        @Override
        public void cancel() {
            synchronized (lock) {
                if (!result.complete(new ChatResult(text.toString(), FinishReason.CANCELLED, Usage.UNKNOWN))) {
                    return;
                }
            }
            abort();
        }

        /** Stops the exchange: closing the body drops the connection, which tells the server to stop generating. */
        private void abort() {
            if (body != null) {
                closeBody();
            } else {
                Thread t = reader;
                if (t != null && t != Thread.currentThread()) {
                    t.interrupt(); // still waiting for the response headers: interrupting send() cancels it
                }
            }
        }

        private void closeBody() {
            InputStream b = body;
            if (b != null) {
                try {
                    b.close();
                } catch (IOException ignored) {
                    // the connection is being dropped either way
                }
            }
        }

        @Override
        public ChatResult await() {
            try {
                return result.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof ChatModelException cme) {
                    throw cme;
                }
                throw new ChatModelException("inference request to " + endpoint + " failed: " + e.getCause(),
                        e.getCause());
            } catch (InterruptedException e) {
                cancel();
                Thread.currentThread().interrupt();
                throw new ChatModelException("interrupted while waiting for " + endpoint, e);
            }
        }
    }

    private ChatModelException httpError(int status, InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(16 * 1024);
        String raw = new String(bytes, StandardCharsets.UTF_8);
        String detail;
        try {
            detail = errorMessage(JSON.readTree(raw), raw);
        } catch (JsonProcessingException e) {
            detail = quote(raw);
        }
        String hint = status == 401 || status == 403 ? " (check switchboard.inference.api-key)"
                : status == 404 ? " (check switchboard.inference.url and switchboard.inference.model)" : "";
        return new ChatModelException("inference server at " + endpoint + " answered HTTP " + status + ": "
                + detail + hint);
    }

    /** The message of the error shapes seen in the wild: OpenAI's {"error":{"message"}}, vLLM's, FastAPI's. */
    private static String errorMessage(JsonNode json, String raw) {
        if (json != null) {
            JsonNode error = json.get("error");
            if (error != null && error.isObject() && error.path("message").isTextual()) {
                return error.get("message").asText();
            }
            if (error != null && error.isTextual()) {
                return error.asText();
            }
            for (String field : List.of("message", "detail")) {
                if (json.path(field).isTextual()) {
                    return json.get(field).asText();
                }
            }
        }
        return quote(raw);
    }

    private static String quote(String s) {
        String oneLine = s.strip().replace('\n', ' ');
        return oneLine.length() <= QUOTE_LIMIT ? oneLine : oneLine.substring(0, QUOTE_LIMIT) + "...";
    }

    private static FinishReason finishReason(String reason) {
        return switch (reason) {
            case "stop" -> FinishReason.STOP;
            case "length" -> FinishReason.LENGTH;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }
}
