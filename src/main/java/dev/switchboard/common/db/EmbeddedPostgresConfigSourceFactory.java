package dev.switchboard.common.db;

import io.quarkus.runtime.ExecutionMode;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

/**
 * Zero configuration: when no {@code quarkus.datasource.jdbc.url} is set, start an embedded PostgreSQL and supply its
 * URL, at a low ordinal so any explicit setting wins. Runs at start-up, before the datasource exists.
 *
 * <ul>
 *   <li>Nothing at build time: Quarkus would bake a value seen then into the jar.</li>
 *   <li>Data in {@code <switchboard.data-dir>/postgres}, kept across restarts; the test profile gets a temporary
 *       server under zonky's swept folder instead, so tests (also continuous testing in the dev JVM) never touch
 *       dev data.</li>
 *   <li>Dev-mode hot reload and test restarts load this class again in a new class loader: the running server is
 *       found again through a JVM-wide system property keyed by its directory.</li>
 * </ul>
 */
public class EmbeddedPostgresConfigSourceFactory implements ConfigSourceFactory {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresConfigSourceFactory.class);

    static final String URL = "quarkus.datasource.jdbc.url";
    static final String USERNAME = "quarkus.datasource.username";
    static final String PASSWORD = "quarkus.datasource.password";
    static final String DATA_DIR = "switchboard.data-dir";
    /** Below application.properties (250) and everything else. */
    static final int ORDINAL = 50;
    static final String SOURCE_NAME = "switchboard-embedded-postgres";
    /** Set by this source only, so that the application can tell it runs on the embedded server. */
    private static final String IN_USE = "embedded-postgres.switchboard.in-use";

    // Outside the "switchboard." namespace, which @ConfigMapping validates strictly.
    private static final String RUNNING_PREFIX = "embedded-postgres.switchboard.port:";
    private static final String TEST_KEY = "test";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (ExecutionMode.current() == ExecutionMode.UNSET) {
            return List.of();
        }
        return configSources(name -> {
            ConfigValue value = context.getValue(name);
            return value == null ? null : value.getValue();
        }, context.getProfiles().contains("test"));
    }

    /** Whether this instance runs on the PostgreSQL it started itself (the zero-configuration default). */
    public static boolean inUse(Config config) {
        return config.getOptionalValue(IN_USE, Boolean.class).orElse(false);
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    /** The datasource settings to add: none when a URL is configured, else those of a (possibly reused) server. */
    static List<ConfigSource> configSources(Function<String, String> config, boolean test) {
        String url = config.apply(URL);
        if (url != null && !url.isBlank()) {
            return List.of();
        }
        String dataDir = config.apply(DATA_DIR);
        Path directory = Path.of(dataDir == null || dataDir.isBlank() ? "data" : dataDir, "postgres")
                .toAbsolutePath().normalize();
        String key = RUNNING_PREFIX + (test ? TEST_KEY : directory.toString());
        Running running = running(key);
        if (running == null) {
            Path serverDirectory = test ? temporaryDirectory() : directory;
            running = new Running(startServer(serverDirectory, test), serverDirectory);
            System.setProperty(key, running.port() + " " + serverDirectory);
        }
        return List.of(new PropertiesConfigSource(
                Map.of(URL, EmbeddedPostgresServer.jdbcUrl(running.port()), USERNAME, EmbeddedPostgresServer.username(),
                        PASSWORD, EmbeddedPostgresServer.password(running.directory()).orElseThrow(), IN_USE, "true"),
                SOURCE_NAME, ORDINAL));
    }

    private static int startServer(Path directory, boolean temporary) {
        long started = System.nanoTime();
        try {
            EmbeddedPostgresServer server = EmbeddedPostgresServer.start(directory, temporary);
            // zonky stops the server in a JVM shutdown hook; it must outlive hot reloads, so it is not closed here.
            LOG.infof("Embedded PostgreSQL on port %d, data in %s (%d ms)%s", server.port(), server.dataDirectory(),
                    (System.nanoTime() - started) / 1_000_000,
                    temporary ? " (temporary)" : "; set QUARKUS_DATASOURCE_JDBC_URL to use your own server");
            return server.port();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + directory, e);
        }
    }

    private record Running(int port, Path directory) {}

    /** A server this JVM started earlier (before a hot reload) that still answers, or null. */
    private static Running running(String key) {
        String value = System.getProperty(key);
        if (value == null) {
            return null;
        }
        int space = value.indexOf(' ');
        int port = Integer.parseInt(value.substring(0, space));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 500);
            return new Running(port, Path.of(value.substring(space + 1)));
        } catch (IOException e) {
            System.clearProperty(key);
            return null;
        }
    }

    /** Under zonky's working folder, whose stale entries zonky deletes when a crashed run left them behind. */
    private static Path temporaryDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg", "switchboard-test-" + UUID.randomUUID());
    }
}
