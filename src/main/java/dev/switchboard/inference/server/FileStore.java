package dev.switchboard.inference.server;

import dev.switchboard.inference.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import static dev.switchboard.inference.server.OpenAiServer.ordered;

/**
 * The files of the Batch API in a directory: {@code <id>.data} (the bytes) and {@code <id>.json} (OpenAI's file
 * object), both written whole under a temporary name and moved into place, so a crash leaves either the file or
 * nothing. The metadata is read back when a server starts on the directory.
 */
final class FileStore {
    static final String BATCH = "batch";
    static final String BATCH_OUTPUT = "batch_output";

    /** OpenAI's file object, as stored and as served. */
    record StoredFile(String id, long bytes, long createdAt, String filename, String purpose) {
        Map<String, Object> json() {
            return ordered("id", id, "object", "file", "bytes", bytes, "created_at", createdAt, "filename", filename,
                    "purpose", purpose, "status", "processed", "status_details", null);
        }

        static StoredFile of(Map<?, ?> json) {
            return new StoredFile((String) json.get("id"), ((Number) json.get("bytes")).longValue(),
                    ((Number) json.get("created_at")).longValue(), (String) json.get("filename"),
                    (String) json.get("purpose"));
        }
    }

    private final Path dir;
    private final Clock clock;
    private final StoredIds ids;
    private final ConcurrentSkipListMap<String, StoredFile> files = new ConcurrentSkipListMap<>(
            Comparator.reverseOrder());

    FileStore(Path dir, Clock clock, StoredIds ids) {
        this.dir = dir;
        this.clock = clock;
        this.ids = ids;
        for (Map<?, ?> json : readAll(dir)) {
            StoredFile f = StoredFile.of(json);
            if (Files.isRegularFile(data(f.id()))) {
                files.put(f.id(), f);
            }
        }
    }

    StoredFile add(String filename, String purpose, byte[] content) {
        StoredFile f = new StoredFile(ids.next("file-"), content.length, clock.millis() / 1000, filename, purpose);
        writeAtomically(data(f.id()), content);
        writeAtomically(dir.resolve(f.id() + ".json"), Json.write(f.json()).getBytes(StandardCharsets.UTF_8));
        files.put(f.id(), f);
        return f;
    }

    /** A file by id; an unknown id is a 404. */
    StoredFile get(String id) {
        StoredFile f = files.get(id);
        if (f == null) {
            throw new ApiException(404, "invalid_request_error", "file_id", "file_not_found",
                    "no file with id '" + id + "'");
        }
        return f;
    }

    byte[] content(String id) {
        get(id);
        try {
            return Files.readAllBytes(data(id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read stored file " + data(id), e);
        }
    }

    /** Newest first. */
    List<StoredFile> list() {
        return new ArrayList<>(files.values());
    }

    void delete(String id) {
        get(id);
        files.remove(id);
        try {
            Files.deleteIfExists(dir.resolve(id + ".json"));
            Files.deleteIfExists(data(id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete stored file " + id, e);
        }
    }

    private Path data(String id) {
        return dir.resolve(id + ".data");
    }

    /** Writes under a temporary name and moves it into place, so readers never see half a file. */
    static void writeAtomically(Path target, byte[] content) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.write(tmp, content);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    /** The JSON objects of every {@code *.json} in a directory (none when it does not exist yet). */
    static List<Map<?, ?>> readAll(Path dir) {
        List<Map<?, ?>> all = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return all;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : entries) {
                if (Json.parse(Files.readString(p)) instanceof Map<?, ?> m) {
                    all.add(m);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the data directory " + dir, e);
        }
        return all;
    }
}
