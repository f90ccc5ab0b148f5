package dev.switchboard.common.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bootstrap outside Quarkus: persistence across restarts, and staying away when a URL is configured. */
class EmbeddedPostgresServerTest {

    // Under zonky's swept folder, so a crashed run's directory is removed later.
    private final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg",
            "switchboard-unit-" + UUID.randomUUID());

    @AfterEach
    void deleteDirectory() throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.deleteIfExists(dir.resolveSibling(dir.getFileName() + ".password"));
    }

    @Test
    void aSecondStartOnTheSameDirectoryKeepsTheData() throws Exception {
        try (EmbeddedPostgresServer first = EmbeddedPostgresServer.start(dir, false)) {
            execute(first, "create table kept (v text); insert into kept values ('survives restarts')");
        }
        assertTrue(Files.exists(dir.resolve("PG_VERSION")), "initialised in place");
        try (EmbeddedPostgresServer second = EmbeddedPostgresServer.start(dir, false);
                Connection c = DriverManager.getConnection(second.jdbcUrl(), EmbeddedPostgresServer.username(),
                        second.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select v from kept")) {
            assertTrue(rs.next());
            assertEquals("survives restarts", rs.getString(1));
        }
    }

    @Test
    void realDataIsFlushedToDiskAndGetsRoomInSharedBuffers() throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir, false);
                Connection c = DriverManager.getConnection(server.jdbcUrl(), EmbeddedPostgresServer.username(),
                        server.password());
                Statement s = c.createStatement()) {
            assertEquals(EmbeddedPostgresServer.SHARED_BUFFERS, setting(s, "shared_buffers"));
            assertEquals("on", setting(s, "synchronous_commit"));
            assertEquals("on", setting(s, "fsync"), "zonky starts postgres with -F (no fsync)");
        }
    }

    private static String setting(Statement s, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("show " + name)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    @Test
    void aConfiguredJdbcUrlStartsNothing() {
        Map<String, String> config = Map.of(EmbeddedPostgresConfigSourceFactory.URL,
                "jdbc:postgresql://db.example:5432/switchboard", EmbeddedPostgresConfigSourceFactory.DATA_DIR,
                dir.toString());
        assertEquals(0, EmbeddedPostgresConfigSourceFactory.configSources(config::get, false).size());
        assertFalse(Files.exists(dir), "no data directory created");
    }

    @Test
    void theServerWantsItsGeneratedPasswordAndNothingElse() throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir, false)) {
            for (String wrong : new String[] {"", "postgres", "wrong"}) {
                SQLException refused = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                        server.jdbcUrl(), EmbeddedPostgresServer.username(), wrong));
                // "password authentication failed" from the server; the driver itself refuses to send an empty one
                assertTrue(refused.getMessage().contains("password"), refused.getMessage());
            }
            execute(server, "select 1");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    dir.resolveSibling(dir.getFileName() + ".password"))));
            assertTrue(Files.readString(dir.resolve("pg_hba.conf")).contains("127.0.0.1/32 scram-sha-256"));
        }
    }

    private static void execute(EmbeddedPostgresServer server, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), EmbeddedPostgresServer.username(),
                server.password());
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
