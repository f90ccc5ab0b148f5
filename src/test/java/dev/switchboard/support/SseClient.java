package dev.switchboard.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A minimal text/event-stream reader for tests: parses events (and keep-alive comments) as they arrive. */
public final class SseClient implements AutoCloseable {

    public record Event(String id, String name, String data) {}

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> comments = new LinkedBlockingQueue<>();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;
    private volatile Stream<String> lines;

    private SseClient(HttpRequest request) {
        response = HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
    }

    /** Connects and waits for the response headers. */
    public static SseClient connect(URI uri, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        headers.forEach(builder::header);
        SseClient client = new SseClient(builder.GET().build());
        client.start();
        return client;
    }

    public int status() {
        return response.join().statusCode();
    }

    public String contentType() {
        return response.join().headers().firstValue("Content-Type").orElse("");
    }

    private void start() {
        HttpResponse<Stream<String>> r;
        try {
            r = response.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no response from the event stream", e);
        }
        lines = r.body();
        Thread.ofVirtual().start(() -> {
            String id = null;
            String name = null;
            List<String> data = new ArrayList<>();
            try {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.isEmpty()) {
                        if (!data.isEmpty()) {
                            events.add(new Event(id, name, String.join("\n", data)));
                        }
                        id = null;
                        name = null;
                        data.clear();
                    } else if (line.startsWith(":")) {
                        comments.add(line.substring(1).strip());
                    } else {
                        int colon = line.indexOf(':');
                        String field = colon < 0 ? line : line.substring(0, colon);
                        String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
                        switch (field) {
                            case "id" -> id = value;
                            case "event" -> name = value;
                            case "data" -> data.add(value);
                            default -> { }
                        }
                    }
                }
            } catch (RuntimeException closed) {
                // the stream was closed by close()
            }
        });
    }

    /** The next event; fails the test when none comes. */
    public Event next() {
        try {
            Event e = events.poll(20, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("no event arrived on the stream");
            }
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next {@code count} events, in order. */
    public List<Event> next(int count) {
        List<Event> received = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            received.add(next());
        }
        return received;
    }

    /** Events that have already arrived and not been taken (no waiting). */
    public List<Event> pending() {
        List<Event> drained = new ArrayList<>();
        events.drainTo(drained);
        return drained;
    }

    public String nextComment() {
        try {
            String c = comments.poll(20, TimeUnit.SECONDS);
            if (c == null) {
                throw new AssertionError("no comment arrived on the stream");
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        Stream<String> l = lines;
        if (l != null) {
            l.close();
        }
        response.cancel(true);
    }
}
