package dev.switchboard.inference.server;

import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.json.Json;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Interactive latency beside batch work, through the server over HTTP: time to first token (p50/p99) of streamed
 * interactive completions with no batch running, then the throughput of a batch alone, then both at once. Run by
 * {@code bench/batch.sh}; args {@code [model] [batch lines] [batch max_tokens] [interactive requests] [threads] [lines in
 * flight]}.
 * The figures show what the scheduler makes of Priority.BATCH: before it honours it, batch lines queue with
 * interactive requests as equals.
 */
public final class BatchBench {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private BatchBench() {
    }

    public static void main(String[] args) throws Exception {
        String model = args.length > 0 ? args[0] : "../shared/models/stories260K/stories260K.gguf";
        int lines = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        int batchTokens = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int interactive = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        int inFlight = args.length > 5 ? Integer.parseInt(args[5]) : BatchOptions.DEFAULT_LINES_IN_FLIGHT;
        Path data = Files.createTempDirectory("batch-bench");
        EngineOptions options = EngineOptions.of(model).withThreads(threads);
        try (Engine engine = Engine.load(options);
             OpenAiServer server = OpenAiServer.start(engine, "127.0.0.1", 0, null, BatchOptions.in(data).withLinesInFlight(inFlight))) {
            String base = "http://127.0.0.1:" + server.port();
            String name = engine.modelName();
            System.out.printf(Locale.ROOT, "model %s (%s, context %d), %d threads, batch: %d lines of %d tokens, "
                    + "%d lines in flight; interactive: %d streamed requests of 16 tokens, one at a time; load "
                    + "average %.2f%n", name, engine.backendName(), engine.config().contextLength(),
                    options.effectiveThreads(), lines, batchTokens, inFlight, interactive,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            // Warm up (JIT) both paths, so the first measured phase is not the slow one for that reason alone.
            ttft(base, name, 20, null);
            await(base, startBatch(base, name, Math.min(lines, 40), batchTokens));
            report("interactive alone", ttft(base, name, interactive, null));

            long t0 = System.nanoTime();
            String alone = startBatch(base, name, lines, batchTokens);
            Map<?, ?> done = await(base, alone);
            report("batch alone", done, System.nanoTime() - t0, base);

            t0 = System.nanoTime();
            String beside = startBatch(base, name, lines, batchTokens);
            AtomicBoolean running = new AtomicBoolean(true);
            double[] withBatch = ttft(base, name, interactive, () -> running.get() && inProgress(base, beside));
            running.set(false);
            report("interactive beside the batch", withBatch);
            done = await(base, beside);
            report("batch beside interactive", done, System.nanoTime() - t0, base);
        }
    }

    /** Times to the first streamed token in ms; stops early when {@code whileTrue} turns false. */
    private static double[] ttft(String base, String model, int count, java.util.function.BooleanSupplier whileTrue)
            throws Exception {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < count && (whileTrue == null || whileTrue.getAsBoolean()); i++) {
            String body = "{\"model\":" + Json.write(model) + ",\"prompt\":\"Once upon a time " + i
                    + "\",\"max_tokens\":16,\"temperature\":0,\"stream\":true}";
            long start = System.nanoTime();
            HttpResponse<Stream<String>> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
            try (Stream<String> events = r.body()) {
                boolean first = true;
                for (String line : (Iterable<String>) events::iterator) {
                    if (first && line.startsWith("data: {")) {
                        times.add((System.nanoTime() - start) / 1e6);
                        first = false;
                    }
                }
            }
        }
        return times.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String startBatch(String base, String model, int lines, int maxTokens) throws Exception {
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            jsonl.append("{\"custom_id\":\"l").append(i).append("\",\"method\":\"POST\",\"url\":\"/v1/completions\","
                    + "\"body\":{\"model\":").append(Json.write(model)).append(",\"prompt\":\"Lily had a dog named ")
                    .append(i).append("\",\"max_tokens\":").append(maxTokens).append(",\"temperature\":0.8,\"seed\":")
                    .append(i).append("}}\n");
        }
        String boundary = "bench-boundary-1";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--"
                + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.jsonl\"\r\n\r\n"
                + jsonl + "\r\n--" + boundary + "--\r\n";
        Map<?, ?> file = call(HttpRequest.newBuilder(URI.create(base + "/v1/files"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        Map<?, ?> batch = call(HttpRequest.newBuilder(URI.create(base + "/v1/batches")).POST(
                HttpRequest.BodyPublishers.ofString("{\"input_file_id\":\"" + file.get("id")
                        + "\",\"endpoint\":\"/v1/completions\",\"completion_window\":\"24h\"}")));
        String id = (String) batch.get("id");
        while (get(base, id).get("status").equals("validating")) {
            Thread.sleep(5);
        }
        return id;
    }

    private static boolean inProgress(String base, String id) {
        try {
            return get(base, id).get("status").equals("in_progress");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<?, ?> await(String base, String id) throws Exception {
        while (true) {
            Map<?, ?> b = get(base, id);
            if (!List.of("validating", "in_progress", "finalizing").contains(b.get("status"))) {
                if (!b.get("status").equals("completed")) {
                    throw new IllegalStateException("batch ended " + b);
                }
                return b;
            }
            Thread.sleep(20);
        }
    }

    private static Map<?, ?> get(String base, String id) throws Exception {
        return call(HttpRequest.newBuilder(URI.create(base + "/v1/batches/" + id)).GET());
    }

    private static Map<?, ?> call(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
        }
        return (Map<?, ?>) Json.parse(r.body());
    }

    private static void report(String what, double[] ms) {
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "%-30s TTFT p50 %7.1f ms  p99 %7.1f ms  (n=%d)%n", what, percentile(ms, 0.50),
                percentile(ms, 0.99), ms.length);
    }

    private static void report(String what, Map<?, ?> batch, long nanos, String base) throws Exception {
        HttpResponse<String> out = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/files/"
                + batch.get("output_file_id") + "/content")).GET().build(), HttpResponse.BodyHandlers.ofString());
        long tokens = 0;
        for (String line : out.body().split("\n")) {
            Map<?, ?> response = (Map<?, ?>) ((Map<?, ?>) Json.parse(line)).get("response");
            tokens += (Long) ((Map<?, ?>) ((Map<?, ?>) response.get("body")).get("usage")).get("completion_tokens");
        }
        double seconds = nanos / 1e9;
        System.out.printf(Locale.ROOT, "%-30s %d lines, %d completion tokens in %.1f s: %.1f lines/s, %.0f tok/s "
                + "(counts %s)%n", what, ((Map<?, ?>) batch.get("request_counts")).get("completed"), tokens, seconds,
                ((Long) ((Map<?, ?>) batch.get("request_counts")).get("completed")) / seconds, tokens / seconds,
                batch.get("request_counts"));
    }

    private static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
