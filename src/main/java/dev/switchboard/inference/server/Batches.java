package dev.switchboard.inference.server;

import dev.switchboard.inference.Cancellation;
import dev.switchboard.inference.json.Json;
import dev.switchboard.inference.json.JsonException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static dev.switchboard.inference.server.OpenAiServer.ordered;

/**
 * Batches and their runs. A batch goes validating → in_progress → finalizing → completed, or to failed (its file
 * does not fit its endpoint), expired (the 24-hour window ended first: lines not run fail with
 * {@code batch_expired}) or cancelling → cancelled (lines in flight are cancelled; finished ones are kept). Each
 * line runs through {@link LineRunner} (the interactive endpoint's code, at batch priority); at most
 * {@link BatchOptions#linesInFlight()} lines of all batches run at once, so batch work never floods the engine's
 * queue. The batch object is stored as JSON on every change of status, and every finished line is appended to
 * {@code <id>.partial.jsonl}: a batch that a stopped server left unfinished resumes where it was, running only the
 * lines with no recorded result (lines that were in flight run again).
 */
final class Batches implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Batches.class.getName());
    static final long WINDOW_SECONDS = 24 * 3600;
    /** How often a waiting run looks for a cancel, the end of the window or a stopping server. */
    private static final long POLL_MILLIS = 50;

    /** Runs one request body as its endpoint would; null when the cancellation stopped it. */
    interface LineRunner {
        Map<String, Object> run(boolean chat, Object body, Cancellation cancellation);
    }

    private enum Stop { CANCEL, EXPIRE, SHUTDOWN }

    /** One batch: OpenAI's batch object (as stored and served) and, while it runs, its lines in flight. */
    static final class Batch {
        private final Map<String, Object> json;
        private final Set<Cancellation> running = ConcurrentHashMap.newKeySet();
        /** Finished lines by line number: whether the line succeeded, and its output record. */
        private final Map<Integer, Map<String, Object>> done = new ConcurrentSkipListMap<>();

        private Batch(Map<String, Object> json) {
            this.json = json;
        }

        String id() {
            return (String) json.get("id");
        }

        synchronized String status() {
            return (String) json.get("status");
        }

        synchronized Map<String, Object> json() {
            return new LinkedHashMap<>(json);
        }

        private long expiresAt() {
            return ((Number) json.get("expires_at")).longValue();
        }

        private synchronized void counts(int total, int completed, int failed) {
            json.put("request_counts", ordered("total", total, "completed", completed, "failed", failed));
        }
    }

    private final Path dir;
    private final FileStore files;
    private final Clock clock;
    private final StoredIds ids;
    private final LineRunner runner;
    private final Semaphore inFlight;
    private final ConcurrentSkipListMap<String, Batch> batches = new ConcurrentSkipListMap<>(Comparator.reverseOrder());
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean closed;

    Batches(Path dir, FileStore files, BatchOptions options, StoredIds ids, LineRunner runner) {
        this.dir = dir;
        this.files = files;
        this.clock = options.clock();
        this.ids = ids;
        this.runner = runner;
        this.inFlight = new Semaphore(options.linesInFlight());
        for (Map<?, ?> stored : FileStore.readAll(dir)) {
            Map<String, Object> json = new LinkedHashMap<>();
            stored.forEach((k, v) -> json.put((String) k, v));
            batches.put((String) json.get("id"), new Batch(json));
        }
    }

    /** Starts runs of the batches a stopped server left unfinished. */
    void resume() {
        for (Batch b : batches.values()) {
            if (Set.of("validating", "in_progress", "finalizing", "cancelling").contains(b.status())) {
                LOG.log(System.Logger.Level.INFO, "resuming batch " + b.id() + " (" + b.status() + ")");
                threads.execute(() -> run(b));
            }
        }
    }

    /** Stores a new batch and starts its run; returns the batch as created (status validating). */
    Map<String, Object> create(String inputFileId, String endpoint, Map<String, Object> metadata) {
        long now = clock.millis() / 1000;
        Map<String, Object> json = ordered("id", ids.next("batch_"), "object", "batch", "endpoint", endpoint,
                "errors", null, "input_file_id", inputFileId, "completion_window", "24h", "status", "validating",
                "output_file_id", null, "error_file_id", null, "created_at", now, "in_progress_at", null,
                "expires_at", now + WINDOW_SECONDS, "finalizing_at", null, "completed_at", null, "failed_at", null,
                "expired_at", null, "cancelling_at", null, "cancelled_at", null, "request_counts",
                ordered("total", 0, "completed", 0, "failed", 0), "metadata", metadata);
        Batch b = new Batch(json);
        persist(b);
        batches.put(b.id(), b);
        Map<String, Object> created = b.json();
        threads.execute(() -> run(b));
        return created;
    }

    Batch get(String id) {
        Batch b = batches.get(id);
        if (b == null) {
            throw new ApiException(404, "invalid_request_error", "batch_id", "batch_not_found",
                    "no batch with id '" + id + "'");
        }
        return b;
    }

    /** Newest first. */
    List<Batch> list() {
        return new ArrayList<>(batches.values());
    }

    /** Asks a batch to stop: lines in flight are cancelled, finished ones kept. A finished batch is a 409. */
    Batch cancel(String id) {
        Batch b = get(id);
        synchronized (b) {
            switch (b.status()) {
                case "validating", "in_progress" -> {
                    b.json.put("status", "cancelling");
                    b.json.put("cancelling_at", clock.millis() / 1000);
                    persist(b);
                }
                case "cancelling", "cancelled" -> {
                    return b;
                }
                default -> throw new ApiException(409, "invalid_request_error", null, "batch_not_cancellable",
                        "batch " + id + " is " + b.status() + " and can no longer be cancelled");
            }
        }
        cancelRunning(b);
        return b;
    }

    /** Stops every run where it is, leaving the stored state for a later server to resume. */
    @Override
    public void close() {
        closed = true;
        for (Batch b : batches.values()) {
            cancelRunning(b);
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(Batch b) {
        try {
            BatchInput input = validate(b);
            if (input == null) {
                return;
            }
            readPartial(b);
            recount(b, input);
            Stop stop = runLines(b, input);
            if (stop != Stop.SHUTDOWN) {
                finish(b, input, stop);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the server is stopping: the stored state stays for a resume
        } catch (RuntimeException e) {
            if (closed) {
                return;
            }
            LOG.log(System.Logger.Level.ERROR, "batch " + b.id() + " failed", e);
            fail(b, "server_error", "the batch failed on the server: " + e.getMessage(), null);
        }
    }

    /** The batch's input, checked against its endpoint; null when the batch failed or was cancelled. */
    private BatchInput validate(Batch b) {
        String fileId = (String) b.json().get("input_file_id");
        BatchInput input;
        try {
            FileStore.StoredFile file = files.get(fileId);
            input = BatchInput.parse(file.filename(), files.content(fileId));
        } catch (ApiException e) {
            fail(b, e.code, e.getMessage(), null);
            return null;
        }
        String endpoint = (String) b.json().get("endpoint");
        if (!input.url().equals(endpoint)) {
            fail(b, "mismatched_endpoint", "the input file's requests go to " + input.url() + ", the batch's "
                    + "endpoint is " + endpoint, 1);
            return null;
        }
        synchronized (b) {
            if (b.status().equals("validating")) {
                b.json.put("status", "in_progress");
                b.json.put("in_progress_at", clock.millis() / 1000);
                b.counts(input.lines().size(), 0, 0);
                persist(b);
            }
        }
        return input;
    }

    private void fail(Batch b, String code, String message, Integer line) {
        synchronized (b) {
            b.json.put("status", "failed");
            b.json.put("failed_at", clock.millis() / 1000);
            b.json.put("errors", ordered("object", "list", "data", List.of(ordered("code", code, "message",
                    message, "param", line == null ? null : "url", "line", line))));
            persist(b);
        }
    }

    /** Starts every line without a result, at most {@code linesInFlight} at once, and waits for them. */
    private Stop runLines(Batch b, BatchInput input) throws InterruptedException {
        boolean chat = input.url().equals("/v1/chat/completions");
        List<Future<?>> started = new ArrayList<>();
        Stop stop = null;
        for (BatchInput.Line line : input.lines()) {
            if (b.done.containsKey(line.number())) {
                continue;
            }
            boolean acquired = false;
            while ((stop = stop(b)) == null && !(acquired = inFlight.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS))) {
                // wait for room, watching for a reason to stop
            }
            if (!acquired) {
                break;
            }
            Cancellation cancellation = new Cancellation();
            b.running.add(cancellation);
            started.add(threads.submit(() -> {
                try {
                    runLine(b, input, chat, line, cancellation);
                } finally {
                    b.running.remove(cancellation);
                    inFlight.release();
                }
            }));
        }
        if (stop != null) {
            cancelRunning(b);
        }
        for (Future<?> f : started) {
            while (true) {
                try {
                    f.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException e) {
                    Stop now = stop(b);
                    if (now != null) {
                        stop = stop == null ? now : stop;
                        cancelRunning(b);
                    }
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a batch line failed", e.getCause());
                }
            }
        }
        // A cancel that came after the last line finished still ends the batch cancelled, as it was told.
        return stop != null ? stop : closed ? Stop.SHUTDOWN : b.status().equals("cancelling") ? Stop.CANCEL : null;
    }

    private Stop stop(Batch b) {
        if (closed) {
            return Stop.SHUTDOWN;
        }
        if (b.status().equals("cancelling")) {
            return Stop.CANCEL;
        }
        return clock.millis() / 1000 >= b.expiresAt() ? Stop.EXPIRE : null;
    }

    private static void cancelRunning(Batch b) {
        for (Cancellation c : b.running) {
            c.cancel();
        }
    }

    private void runLine(Batch b, BatchInput input, boolean chat, BatchInput.Line line, Cancellation cancellation) {
        Map<String, Object> response;
        boolean ok;
        try {
            Map<String, Object> body = runner.run(chat, line.body(), cancellation);
            if (body == null) {
                return; // cancelled: the batch stopped, or the server (then the line runs again on resume)
            }
            response = ordered("status_code", 200, "request_id", ids.next("req_"), "body", body);
            ok = true;
        } catch (ApiException e) {
            response = ordered("status_code", e.status, "request_id", ids.next("req_"), "body",
                    ordered("error", OpenAiServer.errorBody(e)));
            ok = false;
        } catch (RuntimeException e) {
            if (closed || cancellation.isCancelled()) {
                return;
            }
            LOG.log(System.Logger.Level.ERROR, "batch " + b.id() + " line " + line.number() + " failed", e);
            response = ordered("status_code", 500, "request_id", ids.next("req_"), "body", ordered("error",
                    OpenAiServer.errorBody(new ApiException(500, "server_error", null, null,
                            "internal error: " + e.getMessage()))));
            ok = false;
        }
        record(b, input, line.number(), ok, ordered("id", ids.next("batch_req_"), "custom_id", line.customId(),
                "response", response, "error", null));
    }

    private void record(Batch b, BatchInput input, int line, boolean ok, Map<String, Object> record) {
        Map<String, Object> entry = ordered("line", line, "ok", ok, "record", record);
        synchronized (b) {
            try {
                Files.createDirectories(dir);
                Files.writeString(partial(b), Json.write(entry) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record a result of batch " + b.id(), e);
            }
            b.done.put(line, entry);
            Map<?, ?> counts = (Map<?, ?>) b.json.get("request_counts");
            int completed = ((Number) counts.get("completed")).intValue(), failed = ((Number) counts.get("failed"))
                    .intValue();
            b.counts(input.lines().size(), completed + (ok ? 1 : 0), failed + (ok ? 0 : 1));
        }
    }

    /** The counts from the recorded lines (a resumed run's start). */
    private static void recount(Batch b, BatchInput input) {
        int completed = 0, failed = 0;
        for (Map<String, Object> entry : b.done.values()) {
            if ((Boolean) entry.get("ok")) {
                completed++;
            } else {
                failed++;
            }
        }
        b.counts(input.lines().size(), completed, failed);
    }

    /** Reads the lines a previous run finished; a torn last line (a crash mid-write) is dropped and runs again. */
    private void readPartial(Batch b) {
        Path p = partial(b);
        if (!Files.isRegularFile(p)) {
            return;
        }
        try {
            for (String row : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                try {
                    if (Json.parse(row) instanceof Map<?, ?> m) {
                        Map<String, Object> entry = new LinkedHashMap<>();
                        m.forEach((k, v) -> entry.put((String) k, v));
                        b.done.put(((Number) entry.get("line")).intValue(), entry);
                    }
                } catch (JsonException e) {
                    LOG.log(System.Logger.Level.WARNING, "batch " + b.id() + ": dropped a torn result line");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }

    /**
     * Writes the output file (successful lines) and the error file (failed ones, and on expiry every line not
     * run, failed with {@code batch_expired}), in input order, and moves the batch to its final status.
     */
    private void finish(Batch b, BatchInput input, Stop stop) {
        if (stop == null) {
            synchronized (b) {
                b.json.put("status", "finalizing");
                b.json.put("finalizing_at", clock.millis() / 1000);
                persist(b);
            }
        }
        if (stop == Stop.EXPIRE) {
            for (BatchInput.Line line : input.lines()) {
                if (!b.done.containsKey(line.number())) {
                    record(b, input, line.number(), false, ordered("id", ids.next("batch_req_"), "custom_id",
                            line.customId(), "response", null, "error", ordered("code", "batch_expired",
                                    "message", "This request could not be executed before the completion window "
                                            + "expired.")));
                }
            }
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream(), errors = new ByteArrayOutputStream();
        for (Map<String, Object> entry : b.done.values()) {
            byte[] row = (Json.write(entry.get("record")) + "\n").getBytes(StandardCharsets.UTF_8);
            ((Boolean) entry.get("ok") ? output : errors).writeBytes(row);
        }
        String outputId = output.size() == 0 ? null
                : files.add(b.id() + "_output.jsonl", FileStore.BATCH_OUTPUT, output.toByteArray()).id();
        String errorId = errors.size() == 0 ? null
                : files.add(b.id() + "_error.jsonl", FileStore.BATCH_OUTPUT, errors.toByteArray()).id();
        synchronized (b) {
            String status = switch (stop) {
                case null -> "completed";
                case CANCEL -> "cancelled";
                case EXPIRE -> "expired";
                case SHUTDOWN -> throw new IllegalStateException("a stopping server finishes no batch");
            };
            b.json.put("status", status);
            b.json.put(status + "_at", clock.millis() / 1000);
            b.json.put("output_file_id", outputId);
            b.json.put("error_file_id", errorId);
            persist(b);
        }
        try {
            Files.deleteIfExists(partial(b));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete " + partial(b) + ": " + e.getMessage());
        }
    }

    private Path partial(Batch b) {
        return dir.resolve(b.id() + ".partial.jsonl");
    }

    private void persist(Batch b) {
        FileStore.writeAtomically(dir.resolve(b.id() + ".json"),
                Json.write(b.json()).getBytes(StandardCharsets.UTF_8));
    }
}
