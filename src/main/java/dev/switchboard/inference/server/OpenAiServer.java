package dev.switchboard.inference.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.inference.Cancellation;
import dev.switchboard.inference.DeltaWriter;
import dev.switchboard.inference.Engine;
import dev.switchboard.inference.FinishReason;
import dev.switchboard.inference.GenerationResult;
import dev.switchboard.inference.TokenListener;
import dev.switchboard.inference.json.Json;
import dev.switchboard.inference.json.JsonException;
import dev.switchboard.inference.sampling.GenerationControls;
import dev.switchboard.inference.sampling.Priority;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An OpenAI-compatible HTTP API over one {@link Engine}: chat completions and completions (streamed as server-sent
 * events or whole), the model list, llama.cpp-style /tokenize and /detokenize, /health, and /metrics (Prometheus
 * text). Each request runs on its own virtual thread; generations are batched by the engine's scheduler. A client
 * that goes away stops its generation: a failed write (a streamed delta, or a non-streamed response's heartbeat
 * space) cancels it. The Batch API ({@code /v1/files}, {@code /v1/batches}, see {@link BatchApi}) runs whole files
 * of requests through the same code path at batch priority.
 */
public final class OpenAiServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OpenAiServer.class.getName());
    /** Requests are small JSON documents; anything bigger is refused before it is read into memory. */
    static final int MAX_BODY_BYTES = 8 << 20;
    /** How long a non-streamed response waits silently before it starts checking for the client with spaces. */
    static final long HEARTBEAT_MILLIS = 500;

    private final Engine engine;
    private final byte[] apiKey;
    private final HttpServer http;
    private final ExecutorService executor;
    private final long created = System.currentTimeMillis() / 1000;
    private final SecureRandom ids = new SecureRandom();
    private final BatchApi batches;

    private OpenAiServer(Engine engine, String host, int port, String apiKey, BatchOptions batchOptions)
            throws IOException {
        this.engine = engine;
        this.apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey.getBytes(StandardCharsets.UTF_8);
        this.http = HttpServer.create(new InetSocketAddress(host, port), 0);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        this.batches = new BatchApi(batchOptions, this::runBatchLine);
    }

    /**
     * Starts serving on {@code host:port} (port 0 picks a free one).
     *
     * Batch API files and batches go to a directory of this server alone ({@link BatchOptions#ephemeral()}): an
     * embedded server never resumes or touches another's batches.
     *
     * @param apiKey when non-empty, every request but /health needs {@code Authorization: Bearer <apiKey>}
     */
    public static OpenAiServer start(Engine engine, String host, int port, String apiKey) {
        return start(engine, host, port, apiKey, BatchOptions.ephemeral());
    }

    /** Like {@link #start(Engine, String, int, String)}, with where and how the Batch API keeps and runs its work. */
    public static OpenAiServer start(Engine engine, String host, int port, String apiKey, BatchOptions batchOptions) {
        try {
            OpenAiServer server = new OpenAiServer(engine, host, port, apiKey, batchOptions);
            server.batches.resume(); // batches a stopped server left unfinished
            server.http.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** The base URL clients use, e.g. {@code http://127.0.0.1:8080/v1}. */
    public URI baseUri() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/v1");
    }

    /**
     * Stops accepting requests; running ones get a second to finish. Running batches stop where they are (their
     * lines in flight are cancelled and not recorded) and resume when a server starts on the same data directory.
     */
    @Override
    public void close() {
        batches.close();
        http.stop(1);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            try {
                route(ex);
            } catch (ApiException e) {
                sendError(ex, e);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "client connection failed: " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "request " + ex.getRequestURI() + " failed", e);
                sendError(ex, new ApiException(500, "server_error", null, null, "internal error: " + e.getMessage()));
            }
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (BatchApi.serves(path)) {
            authorize(ex);
            batches.handle(ex, path);
            return;
        }
        String method = switch (path) {
            case "/v1/chat/completions", "/v1/completions", "/tokenize", "/detokenize" -> "POST";
            case "/v1/models", "/health", "/metrics" -> "GET";
            default -> path.startsWith("/v1/models/") ? "GET" : null;
        };
        if (method == null) {
            throw new ApiException(404, "invalid_request_error", null, "not_found", "no such endpoint: " + path);
        }
        if (!method.equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().set("Allow", method);
            throw new ApiException(405, "invalid_request_error", null, "method_not_allowed",
                    path + " accepts " + method + ", not " + ex.getRequestMethod());
        }
        if (!path.equals("/health")) {
            authorize(ex);
        }
        switch (path) {
            case "/v1/chat/completions" -> generate(ex, true);
            case "/v1/completions" -> generate(ex, false);
            case "/tokenize" -> tokenize(ex);
            case "/detokenize" -> detokenize(ex);
            case "/v1/models" -> sendJson(ex, 200, Map.of("object", "list", "data", List.of(modelObject())));
            case "/health" -> sendJson(ex, 200, Map.of("status", "ok"));
            case "/metrics" -> sendText(ex, 200, PrometheusText.CONTENT_TYPE,
                    PrometheusText.format(engine.stats(), engine.modelName()));
            default -> {
                String id = path.substring("/v1/models/".length());
                if (!id.equals(engine.modelName())) {
                    throw new ApiException(404, "invalid_request_error", "model", "model_not_found",
                            "the model '" + id + "' does not exist");
                }
                sendJson(ex, 200, modelObject());
            }
        }
    }

    private Map<String, Object> modelObject() {
        // max_model_len as vLLM names it: the positions a prompt plus its completion may take
        return ordered("id", engine.modelName(), "object", "model", "created", created, "owned_by", "switchboard",
                "max_model_len", engine.config().contextLength());
    }

    private void authorize(HttpExchange ex) {
        if (apiKey == null) {
            return;
        }
        String header = ex.getRequestHeaders().getFirst("Authorization");
        byte[] given = header != null && header.startsWith("Bearer ")
                ? header.substring(7).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(given, apiKey)) { // constant time: no key guessing by response timing
            throw new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                    "missing or incorrect API key (send Authorization: Bearer <key>)");
        }
    }

    private void generate(HttpExchange ex, boolean chat) throws IOException {
        GenerationRequest request = GenerationRequest.parse(engine, readBody(ex), chat);
        String id = newId(chat ? "chatcmpl-" : "cmpl-");
        long createdAt = System.currentTimeMillis() / 1000;
        if (!request.stream()) {
            List<GenerationResult> results = generateWhole(ex, request);
            if (results != null) {
                finishWhole(ex, wholeBody(request, id, createdAt, results));
            }
            return;
        }
        ChunkShapes shapes = new ChunkShapes(chat, id, createdAt, engine.modelName());
        int n = request.n();
        List<LogprobShapes> logprobs = logprobShapes(request);
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0); // chunked
        OutputStream out = ex.getResponseBody();
        SseStream sse = new SseStream(out, request.includeUsage());
        for (int i = 0; i < n; i++) {
            if (chat && !sse.send(shapes.forChoice(i).roleChunk())) {
                return;
            }
        }
        List<ToolStream> toolStreams = new ArrayList<>();
        List<DeltaWriter> writers = new ArrayList<>();
        List<GenerationResult> results;
        try {
            for (int i = 0; i < n; i++) {
                ChunkShapes choice = shapes.forChoice(i);
                LogprobShapes choiceLogprobs = logprobs.get(i);
                ToolStream toolStream = request.tools() == null || !request.tools().callsPossible() ? null
                        : new ToolStream(request.tools(), choice, choiceLogprobs, sse);
                toolStreams.add(toolStream);
                writers.add(new DeltaWriter(toolStream != null ? toolStream::delta
                        : delta -> sse.send(choice.deltaChunk(delta, choiceLogprobs.next()))));
            }
            results = engine.generateChoices(request.prompt(), request.choiceParams(), request.choiceControls(),
                    List.copyOf(writers), new Cancellation(), request.speculation());
        } catch (RuntimeException e) {
            // The status line is gone already: report in the stream, as OpenAI does for mid-stream failures.
            LOG.log(System.Logger.Level.ERROR, "generation failed mid-stream", e);
            writers.forEach(DeltaWriter::close);
            sse.send(ordered("error", errorBody(new ApiException(500, "server_error", null, null, e.getMessage()))));
            return;
        }
        writers.forEach(DeltaWriter::close); // every delta is written before the finish chunks
        boolean sent = true;
        for (int i = 0; i < n; i++) {
            GenerationResult r = results.get(i);
            logGeneration(id, r);
            if (r.finishReason() == FinishReason.CANCELLED) {
                return; // the client is gone
            }
            ToolStream toolStream = toolStreams.get(i);
            sent = sent && (toolStream != null && r.finishReason() != FinishReason.LENGTH ? toolStream.finish(r)
                    : (toolStream == null || toolStream.flush()) && sse.send(shapes.forChoice(i)
                            .finishChunk(r.finishReason(), logprobs.get(i).next())));
        }
        if (sent && request.includeUsage()) {
            sse.send(shapes.usageChunk(results));
        }
        sse.done();
    }

    private String newId(String prefix) {
        byte[] random = new byte[12];
        ids.nextBytes(random);
        return prefix + HexFormat.of().formatHex(random);
    }

    /** A whole (non-streamed) answer's body: what the endpoint sends and what a batch line records. */
    private Map<String, Object> wholeBody(GenerationRequest request, String id, long createdAt,
            List<GenerationResult> results) {
        ChunkShapes shapes = new ChunkShapes(request.chat(), id, createdAt, engine.modelName());
        List<LogprobShapes> logprobs = logprobShapes(request);
        List<Map<String, Object>> choices = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            GenerationResult r = results.get(i);
            logGeneration(id, r);
            List<ToolCalls.Call> calls = request.tools() == null ? List.of() : request.tools().parse(r.text());
            choices.add(shapes.forChoice(i).choice(r, calls, logprobs.get(i).next()));
        }
        return shapes.whole(choices, results);
    }

    /** Each choice's log-probability shapes (its own recorder). */
    private List<LogprobShapes> logprobShapes(GenerationRequest request) {
        List<LogprobShapes> logprobs = new ArrayList<>();
        for (GenerationControls controls : request.choiceControls()) {
            logprobs.add(new LogprobShapes(request.chat(), engine.tokenizer(), controls.logprobs()));
        }
        return logprobs;
    }

    /**
     * One batch line: the request body parsed and answered as the interactive endpoint does, at batch priority.
     * Returns null when the generation was cancelled (the batch was cancelled, expired or the server stopped).
     */
    private Map<String, Object> runBatchLine(boolean chat, Object body, Cancellation cancellation) {
        GenerationRequest request = GenerationRequest.parse(engine, Fields.of(body), chat);
        long createdAt = System.currentTimeMillis() / 1000;
        if (request.stream()) {
            throw ApiException.badRequest("stream", "a batch request cannot be streamed");
        }
        List<GenerationControls> controls = request.choiceControls().stream()
                .map(c -> c.withPriority(Priority.BATCH)).toList();
        List<GenerationResult> results = engine.generateChoices(request.prompt(), request.choiceParams(), controls,
                Collections.nCopies(request.n(), TokenListener.IGNORE), cancellation, request.speculation());
        return results.stream().anyMatch(r -> r.finishReason() == FinishReason.CANCELLED) ? null
                : wholeBody(request, newId(chat ? "chatcmpl-" : "cmpl-"), createdAt, results);
    }

    /**
     * Runs a non-streamed generation while watching the client: the JDK's server tells nobody that a connection
     * closed, so after {@link #HEARTBEAT_MILLIS} the response starts (200, chunked JSON) and a space is written at
     * that interval, which JSON parsers skip. A failed write means the client is gone: the generation is cancelled
     * and null returned. A generation that fails before the response started fails the request as usual.
     */
    private List<GenerationResult> generateWhole(HttpExchange ex, GenerationRequest request) throws IOException {
        Cancellation cancellation = new Cancellation();
        List<TokenListener> listeners = Collections.nCopies(request.n(), TokenListener.IGNORE);
        Future<List<GenerationResult>> job = executor.submit(() -> engine.generateChoices(request.prompt(),
                request.choiceParams(), request.choiceControls(), listeners, cancellation, request.speculation()));
        OutputStream out = null;
        while (true) {
            try {
                return job.get(HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                try {
                    if (out == null) {
                        ex.getResponseHeaders().set("Content-Type", "application/json");
                        ex.sendResponseHeaders(200, 0);
                        out = ex.getResponseBody();
                    }
                    out.write(' ');
                    out.flush();
                } catch (IOException gone) {
                    cancellation.cancel();
                    waitQuietly(job);
                    LOG.log(System.Logger.Level.DEBUG, "client left a non-streamed generation: cancelled");
                    return null;
                }
            } catch (InterruptedException e) {
                cancellation.cancel();
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            }
        }
    }

    private static void waitQuietly(Future<?> job) {
        try {
            job.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "cancelled generation failed: " + e.getCause());
        }
    }

    /** Sends a whole response: as a normal body, or after the heartbeat spaces when those started it. */
    private static void finishWhole(HttpExchange ex, Map<String, Object> body) throws IOException {
        if (ex.getResponseCode() == -1) {
            sendJson(ex, 200, body);
            return;
        }
        try (OutputStream out = ex.getResponseBody()) {
            out.write(Json.write(body).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void logGeneration(String id, GenerationResult r) {
        LOG.log(System.Logger.Level.INFO, () -> String.format(Locale.ROOT,
                "%s: %d prompt + %d completion tokens, finish %s, first token after %.1f ms, then %.2f ms per token%s",
                id, r.promptTokens(), r.completionTokens(), r.finishReason().wireName(), r.timeToFirstTokenMillis(),
                r.meanInterTokenMillis(), r.draftedTokens() == 0 ? "" : String.format(Locale.ROOT,
                        ", %d of %d drafted tokens accepted (%.2f tokens per pass)", r.acceptedTokens(),
                        r.draftedTokens(), r.acceptanceLength())));
    }

    private void tokenize(HttpExchange ex) throws IOException {
        Fields body = readBody(ex);
        String content = body.requiredString("content");
        boolean addSpecial = body.bool("add_special", false);
        boolean parseSpecial = body.bool("parse_special", true);
        sendJson(ex, 200, Map.of("tokens", engine.encode(content, addSpecial, parseSpecial)));
    }

    private void detokenize(HttpExchange ex) throws IOException {
        Fields body = readBody(ex);
        List<?> list = body.list("tokens");
        if (list == null) {
            throw ApiException.badRequest("tokens", "'tokens' is required");
        }
        int[] ids = GenerationRequest.tokenIds(list, "tokens", engine.tokenizer().vocabSize());
        sendJson(ex, 200, Map.of("content", engine.tokenizer().decode(ids)));
    }

    static Fields readBody(HttpExchange ex) throws IOException {
        byte[] bytes;
        try (InputStream in = ex.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ApiException(413, "invalid_request_error", null, "request_too_large",
                    "the request body exceeds " + MAX_BODY_BYTES + " bytes");
        }
        try {
            return Fields.of(Json.parse(new String(bytes, StandardCharsets.UTF_8)));
        } catch (JsonException e) {
            throw ApiException.badRequest(null, "invalid_json", "the request body is not valid JSON: " + e.getMessage());
        }
    }

    static void sendJson(HttpExchange ex, int status, Object body) throws IOException {
        sendText(ex, status, "application/json", Json.write(body));
    }

    static void sendText(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sendError(HttpExchange ex, ApiException e) {
        if (ex.getResponseCode() != -1) {
            return; // headers already sent: nothing sensible to add
        }
        try {
            sendJson(ex, e.status, Map.of("error", errorBody(e)));
        } catch (IOException io) {
            LOG.log(System.Logger.Level.DEBUG, "could not send error to client: " + io.getMessage());
        }
    }

    static Map<String, Object> errorBody(ApiException e) {
        return ordered("message", e.getMessage(), "type", e.type, "param", e.param, "code", e.code);
    }

    /** A map that keeps the given order and allows null values (OpenAI's shapes have explicit nulls). */
    static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
