package dev.switchboard.common.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import dev.switchboard.common.OwnerOnlyFiles;
import dev.switchboard.common.Secrets;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A real PostgreSQL (zonky's embedded binaries) on a data directory. A persistent directory is initialised once and
 * reused on every later start; a temporary one is deleted when the server stops. It listens on the loopback only and
 * asks for the superuser's password (scram-sha-256), generated on first start and kept in {@code <dir>.password}
 * (owner-only): other local users and processes cannot walk in.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresServer.class);

    /** zonky's lock file in the data directory, held by the JVM that runs the server. */
    private static final String LOCK_FILE = "epg-lock";
    /** Shared buffers of the embedded server with real data (not the tests' throw-away one). */
    static final String SHARED_BUFFERS = "512MB";

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private final boolean temporary;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory, boolean temporary) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.temporary = temporary;
    }

    /**
     * Starts PostgreSQL on {@code dataDirectory} (created if missing) on a free port. A postgres left running on the
     * directory by a killed JVM is stopped first; one run by a live instance is an error.
     */
    public static EmbeddedPostgresServer start(Path dataDirectory, boolean temporary) throws IOException {
        Path dir = dataDirectory.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        stopOrphanedPostmaster(dir);
        String password = password(dir).orElseGet(() -> {
            String generated = Secrets.newToken("");
            OwnerOnlyFiles.write(passwordFile(dir), generated);
            return generated;
        });
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(temporary)
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("password_encryption", "scram-sha-256")
                // zonky's own readiness check connects too; trust (first start) ignores the password, scram needs it.
                .setConnectConfig("password", password);
        if (temporary) {
            // Throw-away data: skip the disk flushes that dominate a test database's time.
            builder.setServerConfig("fsync", "off").setServerConfig("full_page_writes", "off");
        } else {
            // zonky starts postgres with -F (fsync off: a power cut can corrupt the database) and synchronous_commit
            // off (a crash loses the last commits): neither is for real data. A -c after -F wins.
            builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
            // PostgreSQL's default 128 MB is less than a common word's search reads on 100,000 conversations, so
            // every such search read its rows anew. Pages are taken as used, not at start.
            builder.setServerConfig("shared_buffers", SHARED_BUFFERS);
        }
        EmbeddedPostgres postgres = builder.start();
        requirePassword(postgres, dir, password);
        return new EmbeddedPostgresServer(postgres, dir, temporary);
    }

    /**
     * initdb (through zonky) trusts every local connection: set the superuser's password and make every connection
     * present it. Idempotent, so it also upgrades data directories made before the password existed.
     */
    private static void requirePassword(EmbeddedPostgres postgres, Path dir, String password) throws IOException {
        try (Connection c = DriverManager.getConnection(jdbcUrl(postgres.getPort()), username(), password);
                Statement s = c.createStatement()) {
            // The password is a generated token ([A-Za-z0-9_-]): nothing to escape.
            s.execute("alter user " + username() + " password '" + password + "'");
            Files.writeString(dir.resolve("pg_hba.conf"), """
                    # Written by Switchboard: the superuser's password (scram-sha-256), loopback only.
                    local all all scram-sha-256
                    host all all 127.0.0.1/32 scram-sha-256
                    host all all ::1/128 scram-sha-256
                    """);
            s.execute("select pg_reload_conf()");
        } catch (SQLException e) {
            throw new IOException("Could not set the embedded PostgreSQL's password in " + dir
                    + " (is " + passwordFile(dir) + " the one it was created with?)", e);
        }
    }

    /** The superuser's password of the server on this data directory, if one was generated. */
    public static Optional<String> password(Path dataDirectory) {
        return OwnerOnlyFiles.read(passwordFile(dataDirectory));
    }

    private static Path passwordFile(Path dataDirectory) {
        Path dir = dataDirectory.toAbsolutePath().normalize();
        return dir.resolveSibling(dir.getFileName() + ".password");
    }

    public String password() {
        return password(dataDirectory).orElseThrow();
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public String jdbcUrl() {
        return jdbcUrl(port());
    }

    public static String jdbcUrl(int port) {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    /** The superuser (its password: {@link #password()}). */
    public static String username() {
        return "postgres";
    }

    @Override
    public void close() throws IOException {
        postgres.close();
        if (temporary) {
            Files.deleteIfExists(passwordFile(dataDirectory));
        }
    }

    /**
     * After a kill -9 the postmaster outlives its JVM and zonky would fail on postmaster.pid. Stop it, unless the lock
     * file shows a live JVM still owns the server.
     */
    private static void stopOrphanedPostmaster(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> postmaster = Files.readAllLines(pidFile).stream().findFirst()
                .map(String::strip).filter(s -> s.matches("\\d+"))
                .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)))
                .filter(ProcessHandle::isAlive)
                // A recycled pid belongs to some other program: leave it alone (postgres then ignores the stale file).
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
        if (postmaster.isEmpty()) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw inUse(dir);
            }
        } catch (OverlappingFileLockException e) {
            throw inUse(dir);
        }
        LOG.warnf("Stopping PostgreSQL (pid %d) left running on %s by an earlier Switchboard that did not shut down",
                postmaster.get().pid(), dir);
        ProcessHandle process = postmaster.get();
        process.destroy();
        try {
            process.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("PostgreSQL (pid " + process.pid() + ") on " + dir + " did not stop", e);
        }
    }

    private static IllegalStateException inUse(Path dir) {
        return new IllegalStateException("The PostgreSQL data directory " + dir
                + " is in use by another running Switchboard instance; stop it or set SWITCHBOARD_DATA_DIR");
    }
}
