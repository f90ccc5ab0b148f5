package dev.switchboard.inference.server;

import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;

/**
 * Where and how the Batch API keeps and runs its work.
 *
 * @param dataDir uploaded files and batches (metadata, partial results, output files), kept across restarts
 * @param clock timestamps and the completion window (tests move it to expire a batch)
 * @param linesInFlight the most batch lines generating at once, over all batches: enough to fill the scheduler's
 *     spare capacity, few enough that the engine's queue never floods with batch work
 * @param maxFileBytes the largest upload
 */
public record BatchOptions(Path dataDir, Clock clock, int linesInFlight, long maxFileBytes) {
    public static final int DEFAULT_LINES_IN_FLIGHT = 8;
    /** OpenAI's limit for a batch input file. */
    public static final long DEFAULT_MAX_FILE_BYTES = 200L << 20;

    public BatchOptions {
        if (dataDir == null || clock == null) {
            throw new IllegalArgumentException("a data directory and a clock are required");
        }
        if (linesInFlight < 1) {
            throw new IllegalArgumentException("lines in flight must be at least 1, got " + linesInFlight);
        }
        if (maxFileBytes < 1) {
            throw new IllegalArgumentException("the file size limit must be positive, got " + maxFileBytes);
        }
    }

    /** Under the user's home ({@code ~/.switchboard/engine}), or the temporary directory when there is none. */
    public static Path defaultDataDir() {
        String home = System.getProperty("user.home");
        return home == null || home.isBlank() || home.equals("?")
                ? Path.of(System.getProperty("java.io.tmpdir"), "switchboard-engine")
                : Path.of(home, ".switchboard", "engine");
    }

    /**
     * A fresh directory under the temporary directory, named but not created until something is stored (a server
     * that never sees a batch leaves nothing behind).
     */
    public static BatchOptions ephemeral() {
        return in(Path.of(System.getProperty("java.io.tmpdir"), "switchboard-engine-" + UUID.randomUUID()));
    }

    public static BatchOptions in(Path dataDir) {
        return new BatchOptions(dataDir, Clock.systemUTC(), DEFAULT_LINES_IN_FLIGHT, DEFAULT_MAX_FILE_BYTES);
    }

    public BatchOptions withClock(Clock clock) {
        return new BatchOptions(dataDir, clock, linesInFlight, maxFileBytes);
    }

    public BatchOptions withLinesInFlight(int linesInFlight) {
        return new BatchOptions(dataDir, clock, linesInFlight, maxFileBytes);
    }

    public BatchOptions withMaxFileBytes(long maxFileBytes) {
        return new BatchOptions(dataDir, clock, linesInFlight, maxFileBytes);
    }
}
