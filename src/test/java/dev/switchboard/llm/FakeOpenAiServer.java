package dev.switchboard.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A local server speaking the OpenAI chat-completions streaming protocol, byte for byte as OpenAI sends it
 * ({@code chat.completion.chunk} objects, a usage chunk, {@code [DONE]}), with scripted misbehaviour: slow
 * streams, disconnects, error statuses, malformed chunks. Each request takes the next queued reply, or the default.
 */
public final class FakeOpenAiServer implements AutoCloseable {

    /** What the server does with one request. */
    public sealed interface Reply permits Stream, Status, Raw {}

    /**
     * Streams {@code deltas} as content chunks.
     *
     * @param firstDelay wait before the first chunk (after the headers)
     * @param interval wait between chunks
     * @param disconnectAfter drop the connection after this many content chunks (-1: never)
     * @param done whether to end with the finishing chunk, the usage chunk and {@code [DONE]}
     */
    public record Stream(List<String> deltas, Duration firstDelay, Duration interval, int disconnectAfter,
                         boolean done) implements Reply {
        public Stream slow(Duration firstDelay, Duration interval) {
            return new Stream(deltas, firstDelay, interval, disconnectAfter, done);
        }

        public Stream disconnectAfter(int chunks) {
            return new Stream(deltas, firstDelay, interval, chunks, false);
        }
    }

    /** Answers with this status and JSON body instead of a stream. */
    public record Status(int code, String body) implements Reply {}

    /** Sends this text/event-stream body verbatim. */
    public record Raw(String body) implements Reply {}

    public static Stream answer(String... deltas) {
        return new Stream(List.of(deltas), Duration.ZERO, Duration.ZERO, -1, true);
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration KEEP_ALIVE = Duration.ofMillis(50);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentLinkedQueue<Reply> queued = new ConcurrentLinkedQueue<>();
    private volatile Reply defaultReply = answer("Hello", " from", " the", " model.");
    private final BlockingQueue<JsonNode> requests = new LinkedBlockingQueue<>();
    private final List<String> authorizations = new ArrayList<>();
    private final BlockingQueue<Integer> aborts = new LinkedBlockingQueue<>();

    private FakeOpenAiServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    public static FakeOpenAiServer start() {
        try {
            return new FakeOpenAiServer();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake OpenAI server", e);
        }
    }

    /** The base URL to configure, ending in /v1. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    public void enqueue(Reply reply) {
        queued.add(reply);
    }

    public void setDefaultReply(Reply reply) {
        defaultReply = reply;
    }

    /** Forgets queued replies and recorded requests. */
    public void reset() {
        queued.clear();
        requests.clear();
        aborts.clear();
        synchronized (authorizations) {
            authorizations.clear();
        }
        defaultReply = answer("Hello", " from", " the", " model.");
    }

    /** The request bodies received so far, oldest first, without waiting. */
    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    /** Takes the oldest request not yet taken, waiting up to 10 s; fails when none came. */
    public JsonNode takeRequest() throws InterruptedException {
        JsonNode r = requests.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the fake OpenAI server received no request within 10 s");
        }
        return r;
    }

    public List<String> authorizations() {
        synchronized (authorizations) {
            return List.copyOf(authorizations);
        }
    }

    /**
     * Waits up to 10 s for a stream the client dropped before its end; returns how many content chunks had been
     * written, or fails when no stream was dropped.
     */
    public int awaitAbortedStream() throws InterruptedException {
        Integer written = aborts.poll(10, TimeUnit.SECONDS);
        if (written == null) {
            throw new AssertionError("no stream was dropped by the client within 10 s");
        }
        return written;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            synchronized (authorizations) {
                authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            }
            requests.add(body);
            Reply reply = queued.poll();
            if (reply == null) {
                reply = defaultReply;
            }
            switch (reply) {
                case Status s -> {
                    byte[] bytes = s.body().getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(s.code(), bytes.length);
                    exchange.getResponseBody().write(bytes);
                }
                case Raw r -> {
                    startEventStream(exchange);
                    exchange.getResponseBody().write(r.body().getBytes(StandardCharsets.UTF_8));
                }
                case Stream s -> stream(exchange, body.path("model").asText(), s);
            }
        }
    }

    private static void startEventStream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
    }

    private void stream(HttpExchange exchange, String model, Stream s) throws IOException {
        startEventStream(exchange);
        OutputStream out = exchange.getResponseBody();
        String id = "chatcmpl-" + Long.toHexString(System.nanoTime());
        long created = System.currentTimeMillis() / 1000;
        int written = 0;
        try {
            send(out, chunk(id, created, model, delta("role", "assistant").put("content", ""), null));
            idle(out, s.firstDelay());
            for (String d : s.deltas()) {
                if (written == s.disconnectAfter()) {
                    return; // closing the exchange without the terminating chunk drops the stream mid-answer
                }
                if (written > 0) {
                    idle(out, s.interval());
                }
                send(out, chunk(id, created, model, delta("content", d), null));
                written++;
            }
            if (s.done()) {
                send(out, chunk(id, created, model, JSON.createObjectNode(), "stop"));
                ObjectNode usage = JSON.createObjectNode();
                usage.put("id", id).put("object", "chat.completion.chunk").put("created", created)
                        .put("model", model).put("system_fingerprint", "fp_fake");
                usage.putArray("choices");
                usage.putObject("usage").put("prompt_tokens", 11).put("completion_tokens", s.deltas().size())
                        .put("total_tokens", 11 + s.deltas().size());
                send(out, usage.toString());
                send(out, "[DONE]");
            }
        } catch (IOException e) {
            aborts.add(written);
        }
    }

    private static ObjectNode delta(String field, String value) {
        ObjectNode d = JSON.createObjectNode();
        d.put(field, value);
        return d;
    }

    private static String chunk(String id, long created, String model, ObjectNode delta, String finishReason) {
        ObjectNode c = JSON.createObjectNode();
        c.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model)
                .put("system_fingerprint", "fp_fake");
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0).set("delta", delta);
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        c.putNull("usage");
        return c.toString();
    }

    private static void send(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * Waits, writing SSE comment lines as keep-alives (as real servers do while a model thinks); they also make a
     * client's disconnect show up at once rather than at the next chunk.
     */
    private static void idle(OutputStream out, Duration d) throws IOException {
        long end = System.nanoTime() + d.toNanos();
        try {
            for (long left; (left = end - System.nanoTime()) > 0; ) {
                Thread.sleep(Duration.ofNanos(Math.min(left, KEEP_ALIVE.toNanos())));
                out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
