package dev.switchboard.inference.server;

import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.TinyChatModel;
import dev.switchboard.inference.json.Json;
import dev.switchboard.support.TestClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Batch API over real HTTP on a random-weight model that never stops on its own (so lines take as long as their
 * max_tokens): file upload as the SDKs send it, validation errors naming the line, the batch lifecycle, cancel,
 * expiry on a moved clock and resuming after a restart.
 */
class BatchApiTest {
    static Engine engine;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final String BOUNDARY = "----formdata-test-7d3a";

    @BeforeAll
    static void load(@TempDir Path dir) {
        engine = Engine.load(EngineOptions.of(TinyChatModel.write(dir).toString()).withThreads(1)
                .withContextLength(4096));
    }

    @AfterAll
    static void unload() {
        engine.close();
    }

    record Reply(int status, String body) {
        Map<?, ?> json() {
            return (Map<?, ?>) Json.parse(body);
        }

        Map<?, ?> error() {
            return (Map<?, ?>) json().get("error");
        }
    }

    static Reply send(OpenAiServer s, String method, String path, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    static Reply get(OpenAiServer s, String path) throws Exception {
        return send(s, "GET", path, null, null);
    }

    static Reply postJson(OpenAiServer s, String path, String json) throws Exception {
        return send(s, "POST", path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    static Reply upload(OpenAiServer s, String purpose, String filename, String content) throws Exception {
        String body = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose
                + "\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + BOUNDARY + "--\r\n";
        return send(s, "POST", "/v1/files", "multipart/form-data; boundary=" + BOUNDARY,
                body.getBytes(StandardCharsets.UTF_8));
    }

    static String chatLine(String customId, int maxTokens) {
        return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
                + "{\"model\":\"" + TinyChatModel.NAME + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi "
                + customId + "\"}],\"max_tokens\":" + maxTokens + ",\"temperature\":0}}";
    }

    static String chatLines(int count, int maxTokens) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append(chatLine("req-" + i, maxTokens)).append('\n');
        }
        return sb.toString();
    }

    static String uploadedId(OpenAiServer s, String content) throws Exception {
        Reply r = upload(s, "batch", "requests.jsonl", content);
        assertEquals(200, r.status(), r.body());
        return (String) r.json().get("id");
    }

    static Map<?, ?> createBatch(OpenAiServer s, String fileId, String endpoint) throws Exception {
        Reply r = postJson(s, "/v1/batches", "{\"input_file_id\":\"" + fileId + "\",\"endpoint\":\"" + endpoint
                + "\",\"completion_window\":\"24h\",\"metadata\":{\"job\":\"nightly\"}}");
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    static Map<?, ?> awaitBatch(OpenAiServer s, String id, Predicate<Map<?, ?>> until) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            Map<?, ?> b = get(s, "/v1/batches/" + id).json();
            if (until.test(b)) {
                return b;
            }
            assertTrue(System.nanoTime() < deadline, "batch did not get there in time: " + b);
            Thread.sleep(20);
        }
    }

    static Predicate<Map<?, ?>> status(String status) {
        return b -> b.get("status").equals(status);
    }

    static long count(Map<?, ?> batch, String which) {
        return (Long) ((Map<?, ?>) batch.get("request_counts")).get(which);
    }

    /** The JSON lines of a stored file's content. */
    static List<Map<?, ?>> jsonl(OpenAiServer s, String fileId) throws Exception {
        Reply r = get(s, "/v1/files/" + fileId + "/content");
        assertEquals(200, r.status(), r.body());
        List<Map<?, ?>> rows = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            rows.add((Map<?, ?>) Json.parse(line));
        }
        return rows;
    }

    @Test
    void filesUploadListRetrieveDownloadDeleteAndSurviveARestart(@TempDir Path data) throws Exception {
        String content = chatLines(2, 3);
        String id;
        try (OpenAiServer s = OpenAiServer.start(engine, "127.0.0.1", 0, null, BatchOptions.in(data))) {
            Reply r = upload(s, "batch", "my requests.jsonl", content);
            assertEquals(200, r.status(), r.body());
            Map<?, ?> file = r.json();
            id = (String) file.get("id");
            assertTrue(id.startsWith("file-"), id);
            assertEquals("file", file.get("object"));
            assertEquals((long) content.getBytes(StandardCharsets.UTF_8).length, file.get("bytes"));
            assertEquals("my requests.jsonl", file.get("filename"));
            assertEquals("batch", file.get("purpose"));
            assertEquals("processed", file.get("status"));
            assertEquals(file, get(s, "/v1/files/" + id).json());
            assertEquals(content, get(s, "/v1/files/" + id + "/content").body());
        }
        try (OpenAiServer s = OpenAiServer.start(engine, "127.0.0.1", 0, null, BatchOptions.in(data))) {
            Map<?, ?> list = get(s, "/v1/files?purpose=batch").json();
            assertEquals("list", list.get("object"));
            assertEquals(List.of(id), ((List<?>) list.get("data")).stream().map(f -> ((Map<?, ?>) f).get("id")).toList());
            assertEquals(content, get(s, "/v1/files/" + id + "/content").body(), "the bytes survive a restart");
            Reply deleted = send(s, "DELETE", "/v1/files/" + id, null, null);
            assertEquals(Map.of("id", id, "object", "file", "deleted", true), deleted.json());
            Reply gone = get(s, "/v1/files/" + id);
            assertEquals(404, gone.status());
            assertEquals("file_not_found", gone.error().get("code"));
        }
    }

    @Test
    void theBatchApiNeedsTheApiKey(@TempDir Path data) throws Exception {
        try (OpenAiServer s = OpenAiServer.start(engine, "127.0.0.1", 0, "k3y", BatchOptions.in(data))) {
            for (String path : List.of("/v1/files", "/v1/batches", "/v1/files/file-x/content")) {
                Reply r = get(s, path);
                assertEquals(401, r.status(), path);
                assertEquals("invalid_api_key", r.error().get("code"));
            }
        }
    }

    @Test
    void uploadsAreValidatedLineByLine(@TempDir Path data) throws Exception {
        try (OpenAiServer s = OpenAiServer.start(engine, "127.0.0.1", 0, null,
                BatchOptions.in(data).withMaxFileBytes(4000))) {
            assertRefused(upload(s, "batch", "a.jsonl", chatLine("x", 1) + "\n{\"custom_id\":\"y\"\n"), 400,
                    "a.jsonl line 2: not valid JSON");
            assertRefused(upload(s, "batch", "a.jsonl", chatLine("x", 1) + "\n" + chatLine("x", 2)), 400,
                    "a.jsonl line 2: custom_id 'x' is already used on line 1");
            assertRefused(upload(s, "batch", "a.jsonl", chatLine("x", 1) + "\n"
                    + chatLine("y", 1).replace("/v1/chat/completions", "/v1/embeddings")), 400, "a.jsonl line 2: 'url'");
            assertRefused(upload(s, "batch", "a.jsonl", chatLine("x", 1).replace("\"POST\"", "\"GET\"")), 400,
                    "a.jsonl line 1: 'method' must be \"POST\"");
            assertRefused(upload(s, "batch", "a.jsonl", "\n\n"), 400, "a.jsonl holds no requests");
            assertRefused(upload(s, "fine-tune", "a.jsonl", chatLine("x", 1)), 400, "only purpose 'batch'");
            assertRefused(upload(s, "batch", "big.jsonl", chatLines(40, 1)), 413, "limit");
            assertRefused(send(s, "POST", "/v1/files", "application/json", "{}".getBytes(StandardCharsets.UTF_8)),
                    415, "multipart/form-data");
            assertEquals(List.of(), get(s, "/v1/files").json().get("data"), "nothing refused was stored");
        }
    }

    static void assertRefused(Reply r, int status, String message) {
        assertEquals(status, r.status(), r.body());
        assertTrue(((String) r.error().get("message")).contains(message), r.body());
        assertEquals("invalid_request_error", r.error().get("type"));
    }

    @Test
    void aBatchRunsEveryLineAndWritesOutputAndErrorFiles(@TempDir Path data) throws Exception {
        try (OpenAiServer s = OpenAiServer.start(engine, "127.0.0.1", 0, null, BatchOptions.in(data))) {
            String content = chatLine("a", 5) + "\n" + chatLine("b", 7) + "\n"
                    + chatLine("c", 5).replace(TinyChatModel.NAME, "no-such-model") + "\n"
                    + chatLine("d", 3).replace("\"temperature\":0", "\"stream\":true") + "\n";
            Map<?, ?> created = createBatch(s, uploadedId(s, content), "/v1/chat/completions");
            String id = (String) created.get("id");
            assertTrue(id.startsWith("batch_"), id);
            assertEquals("batch", created.get("object"));
            assertEquals("validating", created.get("status"));
            assertEquals(Map.of("job", "nightly"), created.get("metadata"));
            assertEquals((Long) created.get("created_at") + 24 * 3600, created.get("expires_at"));

            Map<?, ?> done = awaitBatch(s, id, status("completed"));
            assertEquals(Map.of("total", 4L, "completed", 2L, "failed", 2L), done.get("request_counts"));
            for (String at : List.of("in_progress_at", "finalizing_at", "completed_at")) {
                assertNotNull(done.get(at), at);
            }
            assertNull(done.get("cancelled_at"));
            List<Map<?, ?>> output = jsonl(s, (String) done.get("output_file_id"));
            assertEquals(List.of("a", "b"), output.stream().map(o -> o.get("custom_id")).toList());
            Map<?, ?> response = (Map<?, ?>) output.get(1).get("response");
            assertEquals(200L, response.get("status_code"));
            Map<?, ?> body = (Map<?, ?>) response.get("body");
            assertEquals("chat.completion", body.get("object"));
            assertEquals(7L, ((Map<?, ?>) body.get("usage")).get("completion_tokens"));
            // The same request sent interactively gives the same (greedy) text: one code path.
            Reply direct = postJson(s, "/v1/chat/completions", ((String) chatLine("b", 7)).replaceAll(
                    "^.*\"body\":(\\{.*\\})}$", "$1"));
            assertEquals(((Map<?, ?>) ((List<?>) direct.json().get("choices")).getFirst()).get("message"),
                    ((Map<?, ?>) ((List<?>) body.get("choices")).getFirst()).get("message"));
            assertTrue(((String) output.get(0).get("id")).startsWith("batch_req_"));

            List<Map<?, ?>> errors = jsonl(s, (String) done.get("error_file_id"));
            assertEquals(List.of("c", "d"), errors.stream().map(o -> o.get("custom_id")).toList());
            Map<?, ?> notFound = (Map<?, ?>) errors.get(0).get("response");
            assertEquals(404L, notFound.get("status_code"));
            assertEquals("model_not_found", ((Map<?, ?>) ((Map<?, ?>) notFound.get("body")).get("error")).get("code"));
            Map<?, ?> streamed = (Map<?, ?>) errors.get(1).get("response");
            assertEquals(400L, streamed.get("status_code"));
            assertEquals("batch_output", get(s, "/v1/files/" + done.get("output_file_id")).json().get("purpose"));
        }
    }

    @Test
    void batchCreationIsValidated(@TempDir Path data) throws Exception {
        try (OpenAiServer s = OpenAiServer.start(engine, "127.0.0.1", 0, null, BatchOptions.in(data))) {
            String fileId = uploadedId(s, chatLines(1, 2));
            assertParam(postJson(s, "/v1/batches", "{\"input_file_id\":\"file-nope\",\"endpoint\":"
                    + "\"/v1/chat/completions\",\"completion_window\":\"24h\"}"), "input_file_id");
            assertParam(postJson(s, "/v1/batches", "{\"input_file_id\":\"" + fileId + "\",\"endpoint\":"
                    + "\"/v1/embeddings\",\"completion_window\":\"24h\"}"), "endpoint");
            assertParam(postJson(s, "/v1/batches", "{\"input_file_id\":\"" + fileId + "\",\"endpoint\":"
                    + "\"/v1/chat/completions\",\"completion_window\":\"1h\"}"), "completion_window");
            assertParam(postJson(s, "/v1/batches", "{\"input_file_id\":\"" + fileId + "\",\"endpoint\":"
                    + "\"/v1/chat/completions\",\"completion_window\":\"24h\",\"priority\":1}"), "priority");
            assertEquals(404, get(s, "/v1/batches/batch_nope").status());
            assertEquals(404, get(s, "/v1/files/" + fileId + "/other").status());
            Reply wrongMethod = send(s, "PUT", "/v1/batches", "application/json", "{}".getBytes(StandardCharsets.UTF_8));
            assertEquals(405, wrongMethod.status(), wrongMethod.body());
            assertEquals("method_not_allowed", wrongMethod.error().get("code"));

            // A file whose requests go elsewhere than the batch's endpoint fails validation, as OpenAI's does.
            Map<?, ?> failed = awaitBatch(s, (String) createBatch(s, fileId, "/v1/completions").get("id"),
                    status("failed"));
            Map<?, ?> error = (Map<?, ?>) ((List<?>) ((Map<?, ?>) failed.get("errors")).get("data")).getFirst();
            assertEquals("mismatched_endpoint", error.get("code"));
            assertNotNull(failed.get("failed_at"));
        }
    }

    static void assertParam(Reply r, String param) {
        assertEquals(400, r.status(), r.body());
        assertEquals(param, r.error().get("param"), r.body());
    }

    @Test
    void batchesListNewestFirstInPages(@TempDir Path data) throws Exception {
        try (OpenAiServer s = OpenAiServer.start(engine, "127.0.0.1", 0, null, BatchOptions.in(data))) {
            String fileId = uploadedId(s, chatLines(1, 1));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.addFirst((String) createBatch(s, fileId, "/v1/chat/completions").get("id"));
            }
            Map<?, ?> first = get(s, "/v1/batches?limit=2").json();
            assertEquals(ids.subList(0, 2), ((List<?>) first.get("data")).stream()
                    .map(b -> ((Map<?, ?>) b).get("id")).toList());
            assertEquals(true, first.get("has_more"));
            Map<?, ?> second = get(s, "/v1/batches?limit=2&after=" + first.get("last_id")).json();
            assertEquals(ids.subList(2, 3), ((List<?>) second.get("data")).stream()
                    .map(b -> ((Map<?, ?>) b).get("id")).toList());
            assertEquals(false, second.get("has_more"));
            assertParam(get(s, "/v1/batches?limit=0"), "limit");
            for (String id : ids) {
                awaitBatch(s, id, status("completed"));
            }
        }
    }

    @Test
    void cancelStopsTheLinesInFlightAndKeepsFinishedOnes(@TempDir Path data) throws Exception {
        try (OpenAiServer s = OpenAiServer.start(engine, "127.0.0.1", 0, null,
                BatchOptions.in(data).withLinesInFlight(2))) {
            String id = (String) createBatch(s, uploadedId(s, chatLines(40, 400)), "/v1/chat/completions").get("id");
            awaitBatch(s, id, b -> count(b, "completed") >= 1);
            long cancelledBefore = engine.stats().cancelled();
            Reply cancelling = postJson(s, "/v1/batches/" + id + "/cancel", "");
            assertEquals(200, cancelling.status(), cancelling.body());
            assertTrue(Set.of("cancelling", "cancelled").contains(cancelling.json().get("status")), cancelling.body());
            Map<?, ?> cancelled = awaitBatch(s, id, status("cancelled"));
            long completed = count(cancelled, "completed");
            assertTrue(completed >= 1 && completed < 40, "lines after the cancel did not run: " + cancelled);
            assertTrue(engine.stats().cancelled() > cancelledBefore, "the lines in flight were cancelled");
            assertNotNull(cancelled.get("cancelling_at"));
            assertNotNull(cancelled.get("cancelled_at"));
            assertEquals(completed, jsonl(s, (String) cancelled.get("output_file_id")).size());
            assertEquals(200, postJson(s, "/v1/batches/" + id + "/cancel", "").status(), "cancel twice is fine");

            String other = (String) createBatch(s, uploadedId(s, chatLines(1, 1)), "/v1/chat/completions").get("id");
            awaitBatch(s, other, status("completed"));
            Reply late = postJson(s, "/v1/batches/" + other + "/cancel", "");
            assertEquals(409, late.status(), late.body());
        }
    }

    @Test
    void aBatchPastItsWindowExpiresAndFailsTheLinesNotRun(@TempDir Path data) throws Exception {
        TestClock clock = TestClock.at(Instant.parse("2026-12-01T10:00:00Z"));
        try (OpenAiServer s = OpenAiServer.start(engine, "127.0.0.1", 0, null,
                BatchOptions.in(data).withClock(clock).withLinesInFlight(1))) {
            String id = (String) createBatch(s, uploadedId(s, chatLines(40, 400)), "/v1/chat/completions").get("id");
            awaitBatch(s, id, b -> count(b, "completed") >= 1);
            long cancelledBefore = engine.stats().cancelled();
            clock.advance(Duration.ofHours(24));
            Map<?, ?> expired = awaitBatch(s, id, status("expired"));
            assertTrue(engine.stats().cancelled() > cancelledBefore, "the line in flight was cancelled");
            long completed = count(expired, "completed");
            assertTrue(completed >= 1 && completed < 40, expired.toString());
            assertEquals(40 - completed, count(expired, "failed"));
            assertEquals(clock.millis() / 1000, expired.get("expired_at"));
            List<Map<?, ?>> errors = jsonl(s, (String) expired.get("error_file_id"));
            assertEquals(40 - completed, errors.size());
            for (Map<?, ?> e : errors) {
                assertEquals("batch_expired", ((Map<?, ?>) e.get("error")).get("code"));
                assertNull(e.get("response"));
            }
        }
    }

    @Test
    void aBatchInterruptedByARestartResumesWithoutRunningALineTwice(@TempDir Path data) throws Exception {
        String id;
        try (OpenAiServer s = OpenAiServer.start(engine, "127.0.0.1", 0, null,
                BatchOptions.in(data).withLinesInFlight(1))) {
            id = (String) createBatch(s, uploadedId(s, chatLines(30, 200)), "/v1/chat/completions").get("id");
            awaitBatch(s, id, b -> count(b, "completed") >= 2);
        }
        Map<?, ?> stored = (Map<?, ?>) Json.parse(Files.readString(data.resolve("batches").resolve(id + ".json")));
        assertEquals("in_progress", stored.get("status"), "a stopped server leaves the batch to resume");
        // The records of the lines finished before the stop (their ids are unique per answer).
        Set<Object> before = new HashSet<>();
        for (String row : Files.readAllLines(data.resolve("batches").resolve(id + ".partial.jsonl"))) {
            before.add(((Map<?, ?>) ((Map<?, ?>) Json.parse(row)).get("record")).get("id"));
        }
        assertTrue(before.size() >= 2, before.toString());
        try (OpenAiServer s = OpenAiServer.start(engine, "127.0.0.1", 0, null, BatchOptions.in(data))) {
            Map<?, ?> done = awaitBatch(s, id, status("completed"));
            assertEquals(Map.of("total", 30L, "completed", 30L, "failed", 0L), done.get("request_counts"));
            List<Map<?, ?>> output = jsonl(s, (String) done.get("output_file_id"));
            Set<Object> ids = new HashSet<>();
            for (Map<?, ?> o : output) {
                ids.add(o.get("custom_id"));
            }
            assertEquals(30, output.size());
            assertEquals(30, ids.size(), "every line once");
            Set<Object> kept = new HashSet<>();
            for (Map<?, ?> o : output) {
                kept.add(o.get("id"));
            }
            assertTrue(kept.containsAll(before), "lines finished before the restart were not run again");
            assertEquals("req-0", output.getFirst().get("custom_id"), "in input order");
        }
    }
}
