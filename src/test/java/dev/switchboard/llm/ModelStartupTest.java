package dev.switchboard.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What a first setup gets wrong about the model is said when the app starts (the provider is created at start-up),
 * not at the first customer: the problem, and {@code chat-model} down in {@code /q/health}; the app still runs.
 */
class ModelStartupTest {

    @Test
    void aMissingModelFileIsNamedAtStartup() {
        ChatModelProvider p = provider(Map.of("switchboard.inference.model", "models/no-such-model.gguf"));
        assertTrue(p.model().isEmpty());
        String problem = p.problem().orElseThrow();
        assertTrue(problem.contains("no file") && problem.contains(Path.of("models/no-such-model.gguf")
                .toAbsolutePath().toString()), problem);
        assertDown(p, problem);
    }

    @Test
    void aModelWithoutAChatTemplateIsNamedAtStartup() {
        Path stories = Path.of("../shared/models/stories260K/stories260K.gguf");
        Assumptions.assumeTrue(Files.exists(stories),
                "SKIPPED: " + stories.toAbsolutePath() + " is absent (see ../shared/models/README.md)");
        ChatModelProvider p = provider(Map.of("switchboard.inference.model", stories.toString()));
        assertTrue(p.model().isEmpty());
        assertTrue(p.problem().orElseThrow().contains("no chat vocabulary"), p.problem().get());
        assertTrue(p.problem().get().contains("Llama 3.1 8B Instruct"), "says what to use instead");
    }

    @Test
    void anUnreachableServerIsNamedAtStartup() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        ChatModelProvider p = provider(Map.of("switchboard.inference.url", "http://127.0.0.1:" + closed + "/v1",
                "switchboard.inference.model", "llama"));
        assertTrue(p.model().isPresent(), "kept: the server may come up later");
        assertTrue(p.problem().orElseThrow().contains("cannot reach http://127.0.0.1:" + closed + "/v1/models"),
                p.problem().get());
        assertDown(p, p.problem().get());
    }

    @Test
    void aServerOfAnotherModelOrRefusingTheKeyIsNamedAndTheRightOnePasses() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/models", ex -> {
            boolean authorized = "Bearer right".equals(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = "{\"object\":\"list\",\"data\":[{\"id\":\"Llama-3.1-8B-Instruct-Q4_K_M\"}]}"
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(authorized ? 200 : 401, authorized ? body.length : -1);
            if (authorized) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
            ChatModelProvider other = provider(Map.of("switchboard.inference.url", url,
                    "switchboard.inference.model", "llama", "switchboard.inference.api-key", "right"));
            assertTrue(other.problem().orElseThrow().contains("serves [Llama-3.1-8B-Instruct-Q4_K_M], not 'llama'"),
                    other.problem().get());
            ChatModelProvider wrongKey = provider(Map.of("switchboard.inference.url", url,
                    "switchboard.inference.model", "Llama-3.1-8B-Instruct-Q4_K_M", "switchboard.inference.api-key", "x"));
            assertTrue(wrongKey.problem().orElseThrow().contains("HTTP 401"), wrongKey.problem().get());
            ChatModelProvider right = provider(Map.of("switchboard.inference.url", url,
                    "switchboard.inference.model", "Llama-3.1-8B-Instruct-Q4_K_M", "switchboard.inference.api-key", "right"));
            assertEquals(java.util.Optional.empty(), right.problem());
            ModelHealthCheck health = new ModelHealthCheck();
            health.provider = right;
            assertEquals(HealthCheckResponse.Status.UP, health.call().getStatus());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void noModelConfiguredIsNoProblem() {
        ChatModelProvider p = provider(Map.of());
        assertTrue(p.model().isEmpty());
        assertTrue(p.problem().isEmpty());
    }

    private static void assertDown(ChatModelProvider p, String problem) {
        ModelHealthCheck health = new ModelHealthCheck();
        health.provider = p;
        HealthCheckResponse r = health.call();
        assertEquals("chat-model", r.getName());
        assertEquals(HealthCheckResponse.Status.DOWN, r.getStatus());
        assertEquals(problem, r.getData().orElseThrow().get("problem"));
    }

    private static ChatModelProvider provider(Map<String, String> properties) {
        // Quarkus's converter reads the defaults' "5s" form, as the application does.
        InferenceConfig config = new SmallRyeConfigBuilder().withMapping(InferenceConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(new HashMap<>(properties), "test", 500)).build()
                .getConfigMapping(InferenceConfig.class);
        return new ChatModelProvider(config, new SimpleMeterRegistry());
    }
}
