package dev.switchboard.startup;

import dev.switchboard.support.ProcessIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.support.PackagedApp;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged app started as the README says ({@code java --add-modules jdk.incubator.vector -jar ...}, nothing
 * more), with a model file that is not there: the start-up log names the problem at once, {@code /q/health} reports
 * it while the app still serves, and the log has none of the noise a CPU-only machine used to print (CUDA probes,
 * restricted-method warnings, OpenAPI scanner warnings).
 */
@ProcessIT
class StartupIT {

    @Test
    void aMissingModelIsNamedAtStartupAndTheLogIsQuiet() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "startup-it-");
        Path missing = work.resolve("models/Llama-3.1-8B-Instruct-Q4_K_M.gguf");
        try (PackagedApp app = new PackagedApp(work, Map.of("switchboard.inference.model", missing.toString(),
                "switchboard.data-dir", work.resolve("data").toString()),
                List.of("--add-modules", "jdk.incubator.vector"))) {
            app.start();
            String log = app.log();
            assertTrue(log.contains("The bot's model cannot answer: switchboard.inference.model: no file " + missing),
                    log);
            for (String noise : List.of("CUDA driver version is insufficient", "restricted method", "SROAP",
                    "enable-native-access")) {
                assertFalse(log.contains(noise), "'" + noise + "' in the start-up log:\n" + log);
            }
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(app.base().resolve("/q/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"chat-model\"") && health.body().contains("no file"), health.body());
        }
    }
}
