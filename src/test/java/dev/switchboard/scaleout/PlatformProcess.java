package dev.switchboard.scaleout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The packaged platform ({@code target/quarkus-app/quarkus-run.jar}) running as a child JVM, started the way the
 * README says ({@code java <engine flags> -jar}), configured through environment variables as in docker-compose.yml.
 * Its output goes to {@code target/scale-out/<name>.log}.
 */
final class PlatformProcess implements AutoCloseable {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final URI url;
    private final Process process;
    private final Path log;

    private PlatformProcess(String name, URI url, Process process, Path log) {
        this.name = name;
        this.url = url;
        this.process = process;
        this.log = log;
    }

    /** Starts the instance; {@link #awaitReady()} waits for it. */
    static PlatformProcess start(String name, Map<String, String> env, List<String> jvmOptions) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run ./mvnw package (failsafe runs after it)");
        }
        int port = EmbeddedKafka.freePort();
        Path dir = Files.createDirectories(Path.of("target/scale-out"));
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("switchboard.it.jvm-flags",
                "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED").split("\\s+")));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Dquarkus.http.port=" + port, "-jar", JAR.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        builder.environment().put("SWITCHBOARD_DATA_DIR", dir.resolve(name + "-data").toString());
        return new PlatformProcess(name, URI.create("http://127.0.0.1:" + port), builder.start(), log);
    }

    /** Waits until the instance reports ready (its database and messaging up). */
    PlatformProcess awaitReady() throws InterruptedException {
        // Generous: only keeps a broken build from hanging (a start takes ~6 s alone, a minute on a loaded machine).
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(url.resolve("/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " did not become ready within 180 s:\n" + logTail());
    }

    /** Kills the JVM at once (SIGKILL): no shutdown hook, no graceful stop of anything in flight. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(Duration.ofSeconds(10))) {
            kill();
        }
    }
}
