package dev.switchboard.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./mvnw} on a machine whose default Java is too old: it picks a JDK 25 from the usual places, or stops at
 * once with one line that says what to install and how to point JAVA_HOME at it. The JDKs here are stand-ins (shell
 * scripts answering the version probe), so the test runs the same on any machine.
 */
class MavenWrapperJdkTest {

    @TempDir
    Path dir;

    @Test
    void anOldJdkAndNoJdk25StopsAtOnceWithOneLine() throws Exception {
        Path old = fakeJdk("jdk-17", 17);
        Result r = mvnw(old, dir.resolve("nowhere") + "/*");
        assertEquals(1, r.exit());
        List<String> lines = r.output().lines().toList();
        assertEquals(1, lines.size(), r.output());
        assertTrue(lines.getFirst().contains("needs a JDK 25") && lines.getFirst().contains("is Java 17")
                && lines.getFirst().contains("export JAVA_HOME="), r.output());
    }

    @Test
    void anOldJdkWithAJdk25InstalledBuildsWithIt() throws Exception {
        Path old = fakeJdk("jdk-17", 17);
        Path jdk25 = fakeJdk("installed/temurin-25", 25);
        Result r = mvnw(old, dir.resolve("installed") + "/*");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("using the JDK 25 at " + jdk25), r.output());
        assertTrue(r.output().contains("ran java 25"), "Maven was started with the JDK 25: " + r.output());
    }

    private record Result(int exit, String output) {}

    private Result mvnw(Path javaHome, String search) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("sh", Path.of("mvnw").toAbsolutePath().toString(), "-v")
                .redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", javaHome.toString());
        pb.environment().put("MVNW_JDK_SEARCH", search);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    /** A JDK whose java answers the version probe with {@code version} and otherwise says it ran. */
    private Path fakeJdk(String name, int version) throws IOException {
        Path home = dir.resolve(name);
        Path bin = Files.createDirectories(home.resolve("bin"));
        String script = """
                #!/bin/sh
                case "$*" in
                  *-XshowSettings:properties*) echo "    java.specification.version = %d" >&2 ;;
                  *) echo "ran java %d" ;;
                esac
                """.formatted(version, version);
        for (String tool : List.of("java", "javac")) {
            Path f = bin.resolve(tool);
            Files.writeString(f, script);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return home;
    }
}
