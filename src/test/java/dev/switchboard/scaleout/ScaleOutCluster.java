package dev.switchboard.scaleout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.common.db.EmbeddedPostgresServer;
import dev.switchboard.llm.FakeOpenAiServer;
import dev.switchboard.support.SseClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.common.GroupState;

/**
 * Switchboard scaled out on one machine: a real PostgreSQL, a real Kafka broker, and two platform instances (child
 * JVMs of the packaged app, profile kafka) that share both, each with its own fake OpenAI model so that a test can
 * tell which instance answered. Everything is stopped and removed on close, also when starting fails half-way.
 */
final class ScaleOutCluster implements AutoCloseable {

    static final String ADMIN_TOKEN = "scale-out-admin-token";
    static final String MODEL = "llama-test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A platform instance with the model server only it calls. */
    record Instance(PlatformProcess process, FakeOpenAiServer model) {
        URI url() {
            return process.url;
        }
    }

    /** A workspace, by its API key. */
    record Workspace(String id, String apiKey) {}

    private final List<AutoCloseable> resources = new ArrayList<>();
    final EmbeddedKafka kafka;
    final List<Instance> instances = new ArrayList<>();

    /**
     * @param overKafka false: one machine's setup (no profile, topics in-process), for comparison in benches
     * @param jvmOptions for the instances' JVMs, besides the engine's flags
     */
    ScaleOutCluster(int instanceCount, boolean overKafka, List<String> jvmOptions) throws Exception {
        if (!overKafka && instanceCount != 1) {
            throw new IllegalArgumentException("without Kafka, instances do not see each other's events");
        }
        try {
            EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(
                    Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg", "scale-out-" + UUID.randomUUID()),
                    true);
            resources.add(postgres);
            kafka = EmbeddedKafka.start();
            resources.add(kafka);
            // Two partitions each, so that both instances' bot consumers get work; created up front so that no
            // consumer starts on a topic that does not exist yet.
            kafka.createTopics(2, "customer-messages", "conversation-events");
            List<PlatformProcess> starting = new ArrayList<>();
            for (int i = 0; i < instanceCount; i++) {
                FakeOpenAiServer model = FakeOpenAiServer.start();
                resources.add(model);
                PlatformProcess process = PlatformProcess.start("platform-" + (char) ('a' + i), Map.of(
                        "QUARKUS_PROFILE", overKafka ? "kafka" : "prod",
                        "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                        // Kafka's least session timeout: a killed instance's partitions move on after 6 s.
                        "SWITCHBOARD_KAFKA_SESSION_TIMEOUT_MS", "6000",
                        "QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(),
                        "QUARKUS_DATASOURCE_USERNAME", EmbeddedPostgresServer.username(),
                        "QUARKUS_DATASOURCE_PASSWORD", postgres.password(),
                        "SWITCHBOARD_ADMIN_TOKEN", ADMIN_TOKEN,
                        "SWITCHBOARD_DEMO_ENABLED", "false",
                        "SWITCHBOARD_INFERENCE_URL", model.baseUrl().toString(),
                        "SWITCHBOARD_INFERENCE_MODEL", MODEL), jvmOptions);
                resources.add(process);
                starting.add(process);
                instances.add(new Instance(process, model));
            }
            for (PlatformProcess p : starting) {
                p.awaitReady();
            }
            if (overKafka) {
                awaitConsumers(instanceCount);
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    Instance instance(int i) {
        return instances.get(i);
    }

    /**
     * Waits until every instance is in the bot's consumer group with the partitions shared out, and each has its own
     * stream-notice group: only then does a test's first message reach a bot and every replica's streams.
     */
    private void awaitConsumers(int count) throws ExecutionException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        try (Admin admin = kafka.admin()) {
            while (true) {
                Collection<ConsumerGroupListing> groups = admin.listConsumerGroups().all().get();
                List<String> ids = groups.stream().map(ConsumerGroupListing::groupId).toList();
                Map<String, ConsumerGroupDescription> described = admin.describeConsumerGroups(ids).all().get();
                long eventGroups = described.values().stream()
                        .filter(g -> g.groupId().startsWith("switchboard-events-") && stableWithAssignment(g, 1))
                        .count();
                ConsumerGroupDescription bot = described.get("switchboard-bot");
                if (eventGroups == count && bot != null && stableWithAssignment(bot, count)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka consumer groups did not form: " + described.values());
                }
                Thread.sleep(100);
            }
        }
    }

    private static boolean stableWithAssignment(ConsumerGroupDescription g, int members) {
        return g.groupState() == GroupState.STABLE && g.members().size() == members
                && g.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
    }

    // --- the platform's HTTP API ---

    Workspace createWorkspace(Instance on) throws IOException, InterruptedException {
        JsonNode w = call(on, "POST", "/api/v1/workspaces", "Bearer " + ADMIN_TOKEN,
                Map.of("name", "Shop " + UUID.randomUUID()), 201);
        return new Workspace(w.path("id").asText(), w.path("apiKey").asText());
    }

    void createFaq(Instance on, Workspace w, String question, String answer) throws IOException, InterruptedException {
        call(on, "POST", "/api/v1/faqs", "Bearer " + w.apiKey(), Map.of("question", question, "answer", answer), 201);
    }

    String startConversation(Instance on, Workspace w) throws IOException, InterruptedException {
        return call(on, "POST", "/api/v1/conversations", "Bearer " + w.apiKey(), Map.of("visitorId", "visitor"), 201)
                .path("id").asText();
    }

    void post(Instance on, Workspace w, String conversation, String content)
            throws IOException, InterruptedException {
        call(on, "POST", "/api/v1/conversations/" + conversation + "/messages", "Bearer " + w.apiKey(),
                Map.of("content", content), 201);
    }

    /** The conversation's messages as (role, content), oldest first. */
    List<List<String>> messages(Instance on, Workspace w, String conversation)
            throws IOException, InterruptedException {
        List<List<String>> messages = new ArrayList<>();
        for (JsonNode m : call(on, "GET", "/api/v1/conversations/" + conversation + "/messages",
                "Bearer " + w.apiKey(), null, 200).path("items")) {
            messages.add(List.of(m.path("role").asText(), m.path("content").asText()));
        }
        return messages;
    }

    SseClient events(Instance on, Workspace w, String conversation, String lastEventId) {
        Map<String, String> headers = lastEventId == null ? Map.of("Authorization", "Bearer " + w.apiKey())
                : Map.of("Authorization", "Bearer " + w.apiKey(), "Last-Event-ID", lastEventId);
        return SseClient.connect(on.url().resolve("/api/v1/conversations/" + conversation + "/events"), headers);
    }

    private static JsonNode call(Instance on, String method, String path, String authorization, Object body,
            int expectedStatus) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(on.url().resolve(path))
                .header("Authorization", authorization)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expectedStatus) {
            throw new AssertionError(method + " " + path + " on " + on.process().name + ": " + response.statusCode()
                    + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    @Override
    public void close() {
        for (AutoCloseable r : resources.reversed()) {
            try {
                r.close();
            } catch (Exception e) {
                System.err.println("Could not stop " + r + ": " + e);
            }
        }
    }
}
