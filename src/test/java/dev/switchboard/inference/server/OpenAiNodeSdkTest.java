package dev.switchboard.inference.server;

import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.TinyChatModel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server through the official {@code openai} npm SDK (src/test/node/openai-sdk/sdk-check.mjs): tool call round
 * trip whole and streamed, json_schema output, logprobs sanity, a penalty changing greedy output, refusals; and
 * (batch-check.mjs) a batch file round trip. The SDK is installed into target/openai-sdk on first run; without
 * node/npm or the registry the test skips, saying so.
 */
class OpenAiNodeSdkTest {
    static final Path SOURCES = Path.of("src/test/node/openai-sdk");
    static final Path WORK = Path.of("target/openai-sdk");

    private static String run(Path dir, long timeoutSeconds, List<String> command, String... env)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        for (int i = 0; i < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " ran over " + timeoutSeconds + " s");
        }
        return p.exitValue() + "\n" + new String(out, StandardCharsets.UTF_8);
    }

    private static boolean works(String... command) {
        try {
            return run(Path.of("."), 30, List.of(command)).startsWith("0\n");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void theOfficialNodeSdkWorksAgainstTheServer(@TempDir Path dir) throws Exception {
        runScript(dir, "sdk-check.mjs", "ALL OK");
    }

    @Test
    void aBatchFileRoundTripsThroughTheOfficialNodeSdk(@TempDir Path dir) throws Exception {
        runScript(dir, "batch-check.mjs", "BATCH OK");
    }

    /** Runs one script of src/test/node/openai-sdk against a server; it passes when it exits 0 having printed {@code ok}. */
    private static void runScript(Path dir, String script, String ok) throws Exception {
        Assumptions.assumeTrue(works("node", "--version") && works("npm", "--version"),
                "SKIPPED: node or npm is not installed, so the openai npm SDK cannot be run");
        Files.createDirectories(WORK);
        for (String file : List.of("package.json", "package-lock.json", "sdk-check.mjs", "batch-check.mjs")) {
            Files.copy(SOURCES.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(WORK.resolve("node_modules/openai"))) {
            // The committed lock pins the SDK and everything it pulls in.
            String install = run(WORK, 300, List.of("npm", "ci", "--no-audit", "--no-fund"));
            Assumptions.assumeTrue(install.startsWith("0\n"),
                    "SKIPPED: npm install of the openai SDK failed (no registry?): " + install);
        }
        try (Engine engine = Engine.load(EngineOptions.of(TinyChatModel.write(dir).toString()).withThreads(1)
                .withContextLength(4096))) {
            OpenAiServer server = OpenAiServer.start(engine, "127.0.0.1", 0, "sdk-test",
                    BatchOptions.in(dir.resolve("data")));
            try {
                String out = run(WORK, 300, List.of("node", script), "BASE_URL",
                        server.baseUri().toString(), "MODEL", TinyChatModel.NAME);
                System.out.println(out);
                assertEquals("0", out.substring(0, out.indexOf('\n')), out);
                assertTrue(out.contains(ok), out);
            } finally {
                server.close();
            }
        }
    }
}
