package dev.switchboard.inference.server;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static dev.switchboard.inference.server.OpenAiServer.ordered;

/**
 * OpenAI's Files and Batch APIs for batch work: {@code /v1/files} (upload as multipart/form-data with
 * {@code purpose=batch}, list, retrieve, {@code /content}, delete) and {@code /v1/batches} (create, retrieve, list,
 * {@code /cancel}). Files and batches live under {@link BatchOptions#dataDir()} and survive a restart.
 */
final class BatchApi implements AutoCloseable {
    private static final Set<String> CREATE_FIELDS = Set.of("input_file_id", "endpoint", "completion_window",
            "metadata");

    private final FileStore files;
    private final Batches batches;
    private final long maxFileBytes;

    BatchApi(BatchOptions options, Batches.LineRunner runner) {
        StoredIds ids = new StoredIds(options.clock());
        this.files = new FileStore(options.dataDir().resolve("files"), options.clock(), ids);
        this.batches = new Batches(options.dataDir().resolve("batches"), files, options, ids, runner);
        this.maxFileBytes = options.maxFileBytes();
    }

    static boolean serves(String path) {
        return path.equals("/v1/files") || path.startsWith("/v1/files/") || path.equals("/v1/batches")
                || path.startsWith("/v1/batches/");
    }

    void resume() {
        batches.resume();
    }

    @Override
    public void close() {
        batches.close();
    }

    void handle(HttpExchange ex, String path) throws IOException {
        String[] parts = path.substring(1).split("/", -1); // v1, files|batches, id?, action?
        String method = ex.getRequestMethod();
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        boolean fileRoutes = parts[1].equals("files");
        if (parts.length == 2) {
            if (fileRoutes) {
                on(ex, method, "GET", "POST");
                if (method.equals("POST")) {
                    OpenAiServer.sendJson(ex, 200, upload(ex).json());
                } else {
                    List<FileStore.StoredFile> list = files.list();
                    String purpose = query.get("purpose");
                    if (purpose != null) {
                        list.removeIf(f -> !f.purpose().equals(purpose));
                    }
                    if ("asc".equals(query.get("order"))) {
                        list = list.reversed();
                    } else if (query.containsKey("order") && !"desc".equals(query.get("order"))) {
                        throw ApiException.badRequest("order", "'order' must be asc or desc");
                    }
                    OpenAiServer.sendJson(ex, 200, page(list, FileStore.StoredFile::id, FileStore.StoredFile::json,
                            query, 10_000));
                }
            } else {
                on(ex, method, "GET", "POST");
                if (method.equals("POST")) {
                    OpenAiServer.sendJson(ex, 200, create(OpenAiServer.readBody(ex)));
                } else {
                    OpenAiServer.sendJson(ex, 200, page(batches.list(), Batches.Batch::id, Batches.Batch::json,
                            query, 100));
                }
            }
            return;
        }
        String id = parts[2];
        if (parts.length == 3 && fileRoutes) {
            on(ex, method, "GET", "DELETE");
            if (method.equals("GET")) {
                OpenAiServer.sendJson(ex, 200, files.get(id).json());
            } else {
                files.delete(id);
                OpenAiServer.sendJson(ex, 200, ordered("id", id, "object", "file", "deleted", true));
            }
        } else if (parts.length == 3) {
            on(ex, method, "GET");
            OpenAiServer.sendJson(ex, 200, batches.get(id).json());
        } else if (parts.length == 4 && fileRoutes && parts[3].equals("content")) {
            on(ex, method, "GET");
            sendBytes(ex, "application/jsonl", files.content(id));
        } else if (parts.length == 4 && !fileRoutes && parts[3].equals("cancel")) {
            on(ex, method, "POST");
            OpenAiServer.sendJson(ex, 200, batches.cancel(id).json());
        } else {
            throw new ApiException(404, "invalid_request_error", null, "not_found", "no such endpoint: " + path);
        }
    }

    private static void on(HttpExchange ex, String method, String... allowed) {
        if (!List.of(allowed).contains(method)) {
            ex.getResponseHeaders().set("Allow", String.join(", ", allowed));
            throw new ApiException(405, "invalid_request_error", null, "method_not_allowed",
                    ex.getRequestURI().getPath() + " accepts " + String.join(" or ", allowed) + ", not " + method);
        }
    }

    private FileStore.StoredFile upload(HttpExchange ex) throws IOException {
        byte[] body;
        // Room for the multipart framing around the file itself.
        long limit = maxFileBytes + 64 * 1024;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        }
        if (body.length > limit) {
            throw new ApiException(413, "invalid_request_error", "file", "file_too_large",
                    "the upload exceeds the file size limit of " + maxFileBytes + " bytes");
        }
        Map<String, Multipart.Part> parts = Multipart.parse(ex.getRequestHeaders().getFirst("Content-Type"), body);
        Multipart.Part purpose = parts.get("purpose"), file = parts.get("file");
        if (purpose == null) {
            throw ApiException.badRequest("purpose", "'purpose' is required");
        }
        if (!purpose.text().equals(FileStore.BATCH)) {
            throw ApiException.badRequest("purpose", "only purpose 'batch' is supported, got '" + purpose.text() + "'");
        }
        if (file == null || file.filename() == null) {
            throw ApiException.badRequest("file", "'file' (a file part) is required");
        }
        if (file.content().length > maxFileBytes) {
            throw new ApiException(413, "invalid_request_error", "file", "file_too_large",
                    file.filename() + " has " + file.content().length + " bytes; the limit is " + maxFileBytes);
        }
        BatchInput.parse(file.filename(), file.content()); // refuses a file no batch could run, naming the line
        return files.add(file.filename(), FileStore.BATCH, file.content());
    }

    private Map<String, Object> create(Fields body) {
        for (String name : body.names()) {
            if (!CREATE_FIELDS.contains(name)) {
                throw ApiException.badRequest(name, "unsupported_parameter", "'" + name + "' is not supported by "
                        + "/v1/batches on this server");
            }
        }
        String inputFileId = body.requiredString("input_file_id");
        String endpoint = body.requiredString("endpoint");
        if (!BatchInput.ENDPOINTS.contains(endpoint)) {
            throw ApiException.badRequest("endpoint", "'endpoint' must be /v1/chat/completions or /v1/completions, "
                    + "got '" + endpoint + "'");
        }
        String window = body.requiredString("completion_window");
        if (!window.equals("24h")) {
            throw ApiException.badRequest("completion_window", "'completion_window' must be \"24h\", got '"
                    + window + "'");
        }
        FileStore.StoredFile file;
        try {
            file = files.get(inputFileId);
        } catch (ApiException e) {
            throw ApiException.badRequest("input_file_id", "file_not_found", e.getMessage());
        }
        if (!file.purpose().equals(FileStore.BATCH)) {
            throw ApiException.badRequest("input_file_id", "file " + inputFileId + " has purpose '" + file.purpose()
                    + "'; a batch reads a file uploaded with purpose 'batch'");
        }
        return batches.create(inputFileId, endpoint, metadata(body.object("metadata")));
    }

    /** OpenAI's metadata: at most 16 string pairs, keys up to 64 characters, values up to 512. */
    private static Map<String, Object> metadata(Fields metadata) {
        if (metadata == null) {
            return null;
        }
        if (metadata.names().size() > 16) {
            throw ApiException.badRequest("metadata", "'metadata' holds at most 16 pairs");
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        for (String key : metadata.names()) {
            if (!(metadata.raw(key) instanceof String value) || key.length() > 64 || value.length() > 512) {
                throw ApiException.badRequest("metadata", "metadata '" + key + "' must be a string of at most 512 "
                        + "characters under a key of at most 64");
            }
            copy.put(key, value);
        }
        return copy;
    }

    /** OpenAI's cursor page: the items after the {@code after} id, at most {@code limit} of them. */
    private static <T> Map<String, Object> page(List<T> items, Function<T, String> id,
            Function<T, Map<String, Object>> json, Map<String, String> query, int maxLimit) {
        int limit = Math.min(20, maxLimit);
        String rawLimit = query.get("limit");
        if (rawLimit != null) {
            try {
                limit = Integer.parseInt(rawLimit);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > maxLimit) {
                throw ApiException.badRequest("limit", "'limit' must be an integer from 1 to " + maxLimit
                        + ", got '" + rawLimit + "'");
            }
        }
        int start = 0;
        String after = query.get("after");
        if (after != null) {
            start = -1;
            for (int i = 0; i < items.size(); i++) {
                if (id.apply(items.get(i)).equals(after)) {
                    start = i + 1;
                }
            }
            if (start < 0) {
                throw ApiException.badRequest("after", "no item with id '" + after + "' to list after");
            }
        }
        List<T> slice = items.subList(start, Math.min(items.size(), start + limit));
        return ordered("object", "list", "data", slice.stream().map(json).toList(), "first_id",
                slice.isEmpty() ? null : id.apply(slice.getFirst()), "last_id",
                slice.isEmpty() ? null : id.apply(slice.getLast()), "has_more", start + slice.size() < items.size());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            query.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return query;
    }

    private static void sendBytes(HttpExchange ex, String contentType, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
