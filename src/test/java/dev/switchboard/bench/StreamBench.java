package dev.switchboard.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Holds many conversation event streams (SSE) open against one instance while posting customer messages into them,
 * and prints: streams held, messages/s, p50/p99 latency from sending the POST to the message.created event arriving
 * on the conversation's stream, errors, and the app's heap per open stream (heap after a full GC with the streams
 * open minus before, when --pid lets it run jcmd), with the machine's load average.
 *
 * <p>Run {@code bench/streams.sh [--streams 1000] [--seconds 30] [--posters 16] [--rate 100]}: it packages the app, starts it on a
 * fresh embedded PostgreSQL and runs this main with {@code --url --admin-token --pid}.
 */
public final class StreamBench {

    private static final Pattern CONTENT = Pattern.compile("\"content\":\"(bench [0-9a-f-]{36})\"");

    private final URI base;
    private final String adminToken;
    private final String pid;
    private final BenchClient client;
    private final ConcurrentHashMap<String, Long> sentAt = new ConcurrentHashMap<>();
    private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> postTimes = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicInteger streamErrors = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> streamFailures = new ConcurrentHashMap<>();
    private final AtomicInteger postErrors = new AtomicInteger();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicBoolean closing = new AtomicBoolean();
    private String apiKey;

    private StreamBench(URI base, String adminToken, String pid) {
        this.base = base;
        this.client = new BenchClient(base);
        this.adminToken = adminToken;
        this.pid = pid;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>(Map.of("streams", "1000", "seconds", "30", "posters", "16", "rate", "100"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value pairs, got '" + args[i] + "'");
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        for (String required : List.of("url", "admin-token")) {
            if (!opts.containsKey(required)) {
                throw new IllegalArgumentException("missing --" + required);
            }
        }
        new StreamBench(URI.create(opts.get("url")), opts.get("admin-token"), opts.get("pid"))
                .run(Integer.parseInt(opts.get("streams")), Duration.ofSeconds(Long.parseLong(opts.get("seconds"))),
                        Integer.parseInt(opts.get("posters")), Double.parseDouble(opts.get("rate")));
        System.exit(0);
    }

    /** @param rate messages per second all posters together aim at (open loop); 0: as fast as they can */
    private void run(int streams, Duration duration, int posters, double rate) throws Exception {
        String created = send("POST", "/api/v1/workspaces", "Bearer " + adminToken,
                "{\"name\":\"Stream bench " + UUID.randomUUID() + "\"}", 201);
        apiKey = field(created, "apiKey");
        send("PUT", "/api/v1/workspaces/" + field(created, "id") + "/policy", "Bearer " + adminToken,
                "{\"apiRequestsPerKeyMinute\":1000000}", 200);
        System.out.printf("load average before: %s%n", loadAverage());

        String[] conversations = new String[streams];
        try (ExecutorService setup = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < streams; i++) {
                int n = i;
                setup.submit(() -> {
                    conversations[n] = field(send("POST", "/api/v1/conversations", "Bearer " + apiKey,
                            "{\"visitorId\":\"bench-" + n + "\"}", 201), "id");
                    return null;
                });
            }
        }
        // The first message of each conversation hands it to a person (the bench workspace has no FAQ), so the
        // measured messages reach the stream as exactly one message.created each, with no bot work in between.
        try (ExecutorService setup = Executors.newFixedThreadPool(16)) {
            for (String c : conversations) {
                setup.submit(() -> send("POST", "/api/v1/conversations/" + c + "/messages", "Bearer " + apiKey,
                        "{\"content\":\"hello\"}", 201));
            }
        }
        // The bot hands those conversations over after the 201s, one embedding each: wait until it is done, or its
        // backlog (seconds of CPU for 1000 streams) would be measured as delivery latency of the first messages.
        while (!send("GET", "/api/v1/conversations?status=bot&limit=1", "Bearer " + apiKey, "", 200)
                .contains("\"items\":[]")) {
            Thread.sleep(200);
        }
        long heapBefore = heapAfterGc();

        ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
        CountDownLatch connected = new CountDownLatch(streams);
        // Streams open in a ramp (at most 50 connecting at once), as visitors arrive, not all in one instant.
        Semaphore connecting = new Semaphore(50);
        for (String c : conversations) {
            connecting.acquire();
            readers.submit(() -> hold(c, connected, connecting));
        }
        if (!connected.await(120, TimeUnit.SECONDS)) {
            System.out.printf("only %d of %d streams connected within 120 s%n", streams - connected.getCount(),
                    streams);
        }
        long heapWithStreams = heapAfterGc();
        int openAtHeap = openStreams.get();
        System.out.printf("streams open: %d (server gauge switchboard_sse_subscribers: %s)%n", openStreams.get(),
                gauge("switchboard_sse_subscribers"));

        AtomicLong posted = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        long started = System.nanoTime();
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int p = 0; p < posters; p++) {
                long gap = rate > 0 ? (long) (posters * 1e9 / rate) : 0;
                long first = started + p * (gap / posters);
                senders.submit(() -> {
                    long next = first;
                    while (System.nanoTime() < end) {
                        if (gap > 0) {
                            long wait = next - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(Duration.ofNanos(wait));
                            }
                            next += gap;
                        }
                        String c = conversations[ThreadLocalRandom.current().nextInt(streams)];
                        String content = "bench " + UUID.randomUUID();
                        long t0 = System.nanoTime();
                        sentAt.put(content, t0);
                        try {
                            send("POST", "/api/v1/conversations/" + c + "/messages", "Bearer " + apiKey,
                                    "{\"content\":\"" + content + "\"}", 201);
                            postTimes.add(System.nanoTime() - t0);
                            posted.incrementAndGet();
                        } catch (Exception e) {
                            sentAt.remove(content);
                            postErrors.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long drainUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (delivered.get() < posted.get() && System.nanoTime() < drainUntil) {
            Thread.sleep(50);
        }
        int heldAtEnd = openStreams.get();
        String gaugeAtEnd = gauge("switchboard_sse_subscribers");
        closing.set(true);
        readers.shutdownNow();

        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        long undelivered = posted.get() - delivered.get();
        long[] posts = postTimes.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("streams held: %d of %d to the end (server gauge: %s)%n", heldAtEnd, streams, gaugeAtEnd);
        System.out.printf("messages: %d posted in %.1f s by %d posters = %.0f messages/s (target: %s)%n",
                posted.get(), seconds, posters, posted.get() / seconds, rate > 0 ? rate + "/s" : "as fast as possible");
        System.out.printf("post -> event latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d events)%n",
                percentileMs(sorted, 0.50), percentileMs(sorted, 0.99), percentileMs(sorted, 1.0), sorted.length);
        System.out.printf("of which the POST itself (until its 201): p50 %.1f ms, p99 %.1f ms%n",
                percentileMs(posts, 0.50), percentileMs(posts, 0.99));
        System.out.printf("errors: %d failed posts, %d stream failures, %d posted messages never seen on a stream%n",
                postErrors.get(), streamErrors.get(), undelivered);
        streamFailures.forEach((why, n) -> System.out.printf("  stream failure x%d: %s%n", n, why));
        if (heapBefore > 0 && heapWithStreams > 0) {
            System.out.printf("app heap after full GC: %.1f MiB without streams, %.1f MiB with %d open = %.1f KiB "
                    + "per stream%n", heapBefore / 1048576.0, heapWithStreams / 1048576.0, openAtHeap,
                    (heapWithStreams - heapBefore) / 1024.0 / Math.max(1, openAtHeap));
        } else {
            System.out.println("heap per stream: n/a (pass --pid of the app so jcmd can run a full GC first)");
        }
        System.out.printf("load average after: %s (%d cores)%n", loadAverage(),
                Runtime.getRuntime().availableProcessors());
    }

    /** Holds one conversation's stream open, timing every bench message that arrives on it. */
    private Void hold(String conversation, CountDownLatch connected, Semaphore connecting) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/api/v1/conversations/" + conversation
                + "/events")).header("Accept", "text/event-stream").header("Authorization", "Bearer " + apiKey)
                .GET().build();
        boolean counted = false;
        try {
            HttpResponse<InputStream> response =
                    client.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new IOException("status " + response.statusCode() + " "
                        + new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
            }
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (!counted && line.startsWith(":")) {
                        counted = true; // the server's "connected" comment: subscribed
                        openStreams.incrementAndGet();
                        connected.countDown();
                        connecting.release();
                    } else if (line.startsWith("data:")) {
                        Matcher m = CONTENT.matcher(line);
                        if (m.find()) {
                            Long t0 = sentAt.remove(m.group(1));
                            if (t0 != null) {
                                latencies.add(System.nanoTime() - t0);
                                delivered.incrementAndGet();
                            }
                        }
                    }
                }
            }
            if (!closing.get()) {
                streamFailed("closed by the server");
            }
        } catch (Exception e) {
            if (!closing.get()) {
                streamFailed(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        } finally {
            if (counted) {
                openStreams.decrementAndGet();
            } else {
                connected.countDown();
                connecting.release();
            }
        }
        return null;
    }

    private void streamFailed(String why) {
        streamErrors.incrementAndGet();
        streamFailures.merge(why.length() > 120 ? why.substring(0, 120) : why, 1, Integer::sum);
    }

    /** The app's used heap right after a full GC (jcmd), or -1 without --pid. */
    private long heapAfterGc() throws Exception {
        if (pid == null) {
            return -1;
        }
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), pid,
                "GC.run").redirectErrorStream(true).start();
        jcmd.getInputStream().transferTo(OutputStream.nullOutputStream());
        jcmd.waitFor(60, TimeUnit.SECONDS);
        String metrics = send("GET", "/q/metrics", "", "", 200);
        return (long) metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{") && l.contains("area=\"heap\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private String gauge(String name) throws Exception {
        return send("GET", "/q/metrics", "", "", 200).lines().filter(l -> l.startsWith(name))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1)).findFirst().orElse("n/a");
    }

    private static String loadAverage() throws IOException {
        Path proc = Path.of("/proc/loadavg");
        return Files.exists(proc) ? String.join(" ", Arrays.copyOf(Files.readString(proc).split(" "), 3)) : "n/a";
    }

    private static double percentileMs(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN
                : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }

    private String send(String method, String path, String authorization, String json, int expected)
            throws IOException, InterruptedException {
        return client.send(method, path, authorization, json, expected);
    }

    private static String field(String json, String name) {
        return BenchClient.field(json, name);
    }
}
