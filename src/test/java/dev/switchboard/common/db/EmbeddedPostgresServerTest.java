package dev.switchboard.common.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    }

    @Test
    void aSecondStartOnTheSameDirectoryKeepsTheData() throws Exception {
        try (EmbeddedPostgresServer first = EmbeddedPostgresServer.start(dir, false)) {
            execute(first.jdbcUrl(), "create table kept (v text); insert into kept values ('survives restarts')");
        }
        assertTrue(Files.exists(dir.resolve("PG_VERSION")), "initialised in place");
        try (EmbeddedPostgresServer second = EmbeddedPostgresServer.start(dir, false);
                Connection c = DriverManager.getConnection(second.jdbcUrl(), EmbeddedPostgresServer.username(), "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select v from kept")) {
            assertTrue(rs.next());
            assertEquals("survives restarts", rs.getString(1));
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

    private static void execute(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, EmbeddedPostgresServer.username(), "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
