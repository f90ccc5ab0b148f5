package dev.switchboard.deploy;

import static dev.switchboard.deploy.DeployManifestsTest.assertNone;
import static dev.switchboard.deploy.ObjectSchema.ANY;
import static dev.switchboard.deploy.ObjectSchema.SCALAR;
import static dev.switchboard.deploy.ObjectSchema.list;
import static dev.switchboard.deploy.ObjectSchema.mapOf;
import static dev.switchboard.deploy.ObjectSchema.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml and the Dockerfiles. No Docker engine runs here, so `docker compose config` cannot; this
 * checks the file against the Compose keys it may use and the deployment's invariants instead.
 */
class DeployComposeTest {

    private static final Path COMPOSE = Path.of("docker-compose.yml");
    private static final List<Path> DOCKERFILES =
            List.of(Path.of("src/main/docker/Dockerfile.platform"), Path.of("src/main/docker/Dockerfile.inference"));

    private static final ObjectSchema SERVICE = obj(
            "image!", SCALAR, "build", obj("context!", SCALAR, "dockerfile", SCALAR, "args", ANY, "target", SCALAR),
            "command", list(SCALAR), "entrypoint", list(SCALAR), "environment", mapOf(SCALAR), "env_file", list(SCALAR),
            "ports", list(SCALAR), "expose", list(SCALAR), "volumes", list(SCALAR), "networks", list(SCALAR),
            "depends_on", mapOf(obj("condition!", SCALAR, "restart", SCALAR, "required", SCALAR)),
            "healthcheck!", obj("test!", list(SCALAR), "interval", SCALAR, "timeout", SCALAR, "retries", SCALAR,
                    "start_period", SCALAR, "start_interval", SCALAR),
            "deploy", obj("replicas", SCALAR, "restart_policy", ANY, "resources", obj(
                    "limits", ANY,
                    "reservations", obj("cpus", SCALAR, "memory", SCALAR, "devices", list(obj(
                            "driver", SCALAR, "count", SCALAR, "device_ids", list(SCALAR),
                            "capabilities!", list(SCALAR), "options", ANY))))),
            "restart", SCALAR, "user", SCALAR, "working_dir", SCALAR, "labels", ANY, "profiles", list(SCALAR),
            "stop_grace_period", SCALAR, "shm_size", SCALAR, "ulimits", ANY, "logging", ANY);

    private static final ObjectSchema COMPOSE_FILE = obj(
            "name", SCALAR, "services!", mapOf(SERVICE), "volumes", mapOf(ANY), "networks", mapOf(ANY));

    /** A value taken from the environment at `docker compose up`, e.g. ${POSTGRES_PASSWORD:?...}. */
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{[A-Z0-9_]+(:?[-?][^}]*)?}");

    @Test
    void composeFileFollowsTheSchemaAndTheInvariants() {
        JsonNode compose = DeployYaml.documents(COMPOSE).getFirst();
        assertNone(problems(compose, COMPOSE.toString()));
        assertEquals(Set.of("postgres", "kafka", "inference", "platform"), Set.copyOf(fieldNames(compose.path("services"))));
        JsonNode platform = compose.path("services").path("platform");
        assertEquals(Set.of("postgres", "kafka", "inference"), Set.copyOf(fieldNames(platform.path("depends_on"))));
        assertEquals("http://inference:8000/v1", platform.path("environment").path("SWITCHBOARD_INFERENCE_URL").asText());
        // The engine serves a model under its file name without .gguf: the platform must ask for that name.
        String model = platform.path("environment").path("SWITCHBOARD_INFERENCE_MODEL").asText();
        List<String> command = new ArrayList<>();
        compose.path("services").path("inference").path("command").forEach(c -> command.add(c.asText()));
        assertEquals("/models/" + model + ".gguf", command.get(command.indexOf("--model") + 1));
        assertEquals("0.0.0.0", command.get(command.indexOf("--host") + 1));
    }

    @Test
    void dockerfilesPinEveryBaseImage() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path file : DOCKERFILES) {
            problems.addAll(dockerfileProblems(Files.readString(file), file.toString()));
        }
        assertNone(problems);
    }

    @Test
    void rulesCatchMissingHealthchecksUnpinnedImagesAndInlinedSecrets() {
        JsonNode bad = DeployYaml.documents("""
                services:
                  db:
                    image: postgres
                    environment: {POSTGRES_PASSWORD: hunter2}
                  inference:
                    image: engine:1
                    healthcheck: {test: [CMD, "true"]}
                  platform:
                    image: platform:1
                    depends_on:
                      db: {condition: service_started}
                      cache: {condition: service_healthy}
                    healthcheck: {test: [CMD, "true"], intervall: 5s}
                """, "bad.yml").getFirst();
        List<String> problems = problems(bad, "bad.yml");
        assertTrue(problems.contains("bad.yml: services.db: missing required field 'healthcheck'"), problems::toString);
        assertTrue(problems.contains("bad.yml: services.platform.healthcheck.intervall: unknown field (allowed: "
                + "[test, interval, timeout, retries, start_period, start_interval])"), problems::toString);
        assertTrue(problems.contains("bad.yml: service db: image 'postgres' is not pinned to a version"), problems::toString);
        assertTrue(problems.contains("bad.yml: service db: POSTGRES_PASSWORD is written into the file; take it from "
                + "the environment (${VAR})"), problems::toString);
        assertTrue(problems.contains("bad.yml: service platform: depends on db with condition service_started, "
                + "not service_healthy"), problems::toString);
        assertTrue(problems.contains("bad.yml: service platform: depends on cache, which is not a service"), problems::toString);
        assertTrue(problems.contains("bad.yml: service inference: no NVIDIA GPU reserved in deploy.resources.reservations.devices"),
                problems::toString);
    }

    @Test
    void dockerfileRuleAcceptsStageNamesAndRejectsLatest() {
        assertEquals(List.of(), dockerfileProblems("FROM a:1 AS build\nFROM build\n", "ok"));
        assertEquals(List.of("Df:2: base image 'ubuntu' is not pinned to a version",
                        "Df:3: base image 'ubuntu:latest' is not pinned to a version"),
                dockerfileProblems("FROM a:1 AS build\nFROM ubuntu\nfrom --platform=linux/amd64 ubuntu:latest\n", "Df"));
    }

    static List<String> problems(JsonNode compose, String where) {
        List<String> problems = new ArrayList<>(COMPOSE_FILE.problems(compose, where, true));
        JsonNode services = compose.path("services");
        Set<String> volumes = new HashSet<>(fieldNames(compose.path("volumes")));
        for (String name : fieldNames(services)) {
            JsonNode service = services.path(name);
            String at = where + ": service " + name;
            if (!DeployYaml.isPinned(service.path("image").asText(null))) {
                problems.add(at + ": image '" + service.path("image").asText() + "' is not pinned to a version");
            }
            service.path("environment").properties().forEach(e -> {
                if (DeployYaml.SECRET_NAME.matcher(e.getKey()).matches()
                        && !INTERPOLATION.matcher(e.getValue().asText()).matches()) {
                    problems.add(at + ": " + e.getKey() + " is written into the file; take it from the environment (${VAR})");
                }
            });
            service.path("depends_on").properties().forEach(e -> {
                if (!services.has(e.getKey())) {
                    problems.add(at + ": depends on " + e.getKey() + ", which is not a service");
                } else if (!"service_healthy".equals(e.getValue().path("condition").asText())) {
                    problems.add(at + ": depends on " + e.getKey() + " with condition "
                            + e.getValue().path("condition").asText() + ", not service_healthy");
                }
            });
            for (JsonNode mount : service.path("volumes")) {
                String source = mount.asText().split(":")[0];
                if (!source.startsWith(".") && !source.startsWith("/") && !source.startsWith("$") && !volumes.contains(source)) {
                    problems.add(at + ": mounts volume " + source + ", which is not declared under volumes");
                }
            }
        }
        boolean gpu = false;
        for (JsonNode device : services.path("inference").path("deploy").path("resources").path("reservations").path("devices")) {
            boolean gpuCapability = false;
            for (JsonNode c : device.path("capabilities")) {
                gpuCapability |= c.asText().equals("gpu");
            }
            gpu |= device.path("driver").asText().equals("nvidia") && gpuCapability && device.path("count").asInt() == 1;
        }
        if (!gpu) {
            problems.add(where + ": service inference: no NVIDIA GPU reserved in deploy.resources.reservations.devices");
        }
        return problems;
    }

    private static final Pattern FROM =
            Pattern.compile("(?im)^FROM\\s+(?:--platform=\\S+\\s+)?(\\S+)(?:\\s+AS\\s+(\\S+))?\\s*$");

    /** Every FROM names a pinned image or an earlier stage. */
    static List<String> dockerfileProblems(String dockerfile, String where) {
        List<String> problems = new ArrayList<>();
        Set<String> stages = new HashSet<>();
        String[] lines = dockerfile.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = FROM.matcher(lines[i]);
            if (!m.matches()) {
                continue;
            }
            String image = m.group(1);
            if (!stages.contains(image) && !DeployYaml.isPinned(image)) {
                problems.add(where + ":" + (i + 1) + ": base image '" + image + "' is not pinned to a version");
            }
            if (m.group(2) != null) {
                stages.add(m.group(2));
            }
        }
        return problems;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
