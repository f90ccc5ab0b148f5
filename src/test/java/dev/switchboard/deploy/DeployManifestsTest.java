package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.deploy.K8sManifests.Kustomization;
import dev.switchboard.deploy.K8sManifests.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** k8s/: every file parses strictly, is applied by its kustomization, and keeps the deployment's invariants. */
class DeployManifestsTest {

    private static List<Kustomization> kustomizations;
    /** Whole resources of every kustomization (the base holds them; overlays add a Namespace). */
    private static List<Manifest> resources;

    @BeforeAll
    static void load() throws IOException {
        kustomizations = K8sManifests.load(Path.of("k8s"));
        resources = kustomizations.stream().flatMap(k -> k.resources().stream()).toList();
    }

    @Test
    void everyFileIsListedAndEveryManifestParsesStrictly() {
        assertEquals(List.of(Path.of("k8s/base"), Path.of("k8s/overlays/example")),
                kustomizations.stream().map(Kustomization::dir).toList());
        Map<String, Long> kinds = resources.stream()
                .collect(Collectors.groupingBy(Manifest::kind, java.util.TreeMap::new, Collectors.counting()));
        assertEquals(Map.ofEntries(Map.entry("ConfigMap", 1L), Map.entry("Deployment", 2L), Map.entry("Service", 2L),
                Map.entry("HorizontalPodAutoscaler", 1L), Map.entry("PodDisruptionBudget", 1L),
                Map.entry("Ingress", 1L), Map.entry("NetworkPolicy", 1L), Map.entry("PersistentVolumeClaim", 1L),
                Map.entry("Kafka", 1L), Map.entry("KafkaNodePool", 1L), Map.entry("Cluster", 1L),
                Map.entry("Namespace", 1L)), kinds);
    }

    @Test
    void containersHaveRequestsLimitsProbesAndPinnedImages() {
        assertNone(ManifestRules.containers(resources));
    }

    @Test
    void secretsAreNeverInlined() {
        assertNone(ManifestRules.secrets(resources));
    }

    @Test
    void inferenceRequestsOneGpuProbesHealthAndReadsModelsFromAClaim() {
        assertNone(ManifestRules.inference(resources));
    }

    @Test
    void platformIsAutoscaledBudgetedAndProbed() {
        assertNone(ManifestRules.platform(resources));
    }

    @Test
    void onlyThePlatformMayCallInference() {
        assertNone(ManifestRules.networkPolicy(resources));
    }

    @Test
    void namesReferToDefinedObjects() {
        assertNone(ManifestRules.references(resources));
    }

    @Test
    void overlaysPatchExistingResourcesAndPinTheirImages() {
        List<String> problems = new ArrayList<>();
        for (Kustomization k : kustomizations) {
            for (Manifest patch : k.patches()) {
                boolean exists = resources.stream()
                        .anyMatch(r -> r.kind().equals(patch.kind()) && r.name().equals(patch.name()));
                if (!exists) {
                    problems.add(patch.where() + ": patches " + patch.kind() + " " + patch.name() + ", which no base defines");
                }
            }
            k.tree().path("images").forEach(image -> {
                String ref = image.path("newName").asText(image.path("name").asText()) + ":" + image.path("newTag").asText();
                if (!image.has("digest") && !DeployYaml.isPinned(ref)) {
                    problems.add(k.dir() + "/kustomization.yaml: image " + image.path("name").asText() + " is not pinned");
                }
            });
        }
        assertNone(problems);
    }

    @Test
    void operatorManagedServicesPinTheirVersions() {
        Map<String, Manifest> byKind = resources.stream()
                .collect(Collectors.toMap(Manifest::kind, Function.identity(), (a, b) -> a));
        assertTrue(DeployYaml.isPinned(byKind.get("Cluster").tree().path("spec").path("imageName").asText()),
                "CloudNativePG Cluster must name a pinned imageName");
        assertTrue(byKind.get("Kafka").tree().path("spec").path("kafka").path("version").asText().matches("\\d+\\.\\d+\\.\\d+"),
                "Strimzi Kafka must name its Kafka version");
    }

    // The checks themselves: each must catch what it is for.

    @Test
    void strictParsingRejectsAFieldTheModelDoesNotHave() {
        var doc = DeployYaml.documents("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: c
                          image: i:1
                          imagePullPolcy: Always
                """, "test").getFirst();
        AssertionError e = assertThrows(AssertionError.class, () -> K8sManifests.parse(doc, "bad.yaml", false));
        assertTrue(e.getMessage().contains("bad.yaml") && e.getMessage().contains("'imagePullPolcy'")
                && e.getMessage().contains("spec.template.spec.containers[0]"), e.getMessage());
    }

    @Test
    void customResourceSchemasRejectUnknownAndMissingFields() {
        var doc = DeployYaml.documents("""
                apiVersion: kafka.strimzi.io/v1beta2
                kind: Kafka
                metadata: {name: k}
                spec:
                  kafka:
                    listeners:
                      - {name: plain, port: 9092, type: internal, tsl: false}
                """, "test").getFirst();
        AssertionError e = assertThrows(AssertionError.class, () -> K8sManifests.parse(doc, "kafka.yaml", false));
        assertTrue(e.getMessage().contains("kafka.yaml: spec.kafka.listeners[0].tsl: unknown field"), e.getMessage());
        assertTrue(e.getMessage().contains("missing required field 'tls'"), e.getMessage());

        var cluster = DeployYaml.documents("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: db}
                spec:
                  instances: 1
                  storage: {size: 1Gi}
                  resources: {requests: {cpu: 1}, limit: {cpu: 1}}
                """, "test").getFirst();
        e = assertThrows(AssertionError.class, () -> K8sManifests.parse(cluster, "db.yaml", false));
        assertTrue(e.getMessage().contains("'limit'"), e.getMessage());
    }

    @Test
    void unknownKindsAreRejected() {
        var doc = DeployYaml.documents("{apiVersion: batch/v1, kind: CronJob, metadata: {name: j}}", "t").getFirst();
        AssertionError e = assertThrows(AssertionError.class, () -> K8sManifests.parse(doc, "job.yaml", false));
        assertTrue(e.getMessage().contains("job.yaml: unknown apiVersion/kind 'batch/v1/CronJob'"), e.getMessage());
    }

    @Test
    void rulesCatchUnpinnedImagesMissingProbesAndInlinedSecrets() {
        List<Manifest> bad = DeployYaml.documents("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cfg}
                data:
                  DB_PASSWORD: hunter2
                  JDBC_URL: "jdbc:postgresql://db/x?user=a&password=b"
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: switchboard-inference}
                spec:
                  selector: {matchLabels: {app.kubernetes.io/name: switchboard-inference}}
                  template:
                    metadata: {labels: {app.kubernetes.io/name: switchboard-inference}}
                    spec:
                      containers:
                        - name: engine
                          image: switchboard/inference:latest
                          env:
                            - {name: API_KEY, value: plain}
                          resources: {requests: {cpu: 1}, limits: {cpu: 1, memory: 1Gi}}
                """, "bad.yaml").stream().map(d -> K8sManifests.parse(d, "bad.yaml", false)).toList();
        List<String> containers = ManifestRules.containers(bad);
        assertTrue(containers.contains("bad.yaml: container engine: no memory in resources.requests"), containers::toString);
        assertTrue(containers.contains("bad.yaml: container engine: no readinessProbe"), containers::toString);
        assertTrue(containers.contains("bad.yaml: container engine: no livenessProbe"), containers::toString);
        assertTrue(containers.stream().anyMatch(p -> p.contains("'switchboard/inference:latest' is not pinned")),
                containers::toString);
        List<String> secrets = ManifestRules.secrets(bad);
        assertEquals(3, secrets.size(), secrets::toString);
        assertTrue(secrets.stream().anyMatch(p -> p.contains("key DB_PASSWORD")), secrets::toString);
        assertTrue(secrets.stream().anyMatch(p -> p.contains("value of JDBC_URL")), secrets::toString);
        assertTrue(secrets.stream().anyMatch(p -> p.contains("env API_KEY")), secrets::toString);
        List<String> inference = ManifestRules.inference(bad);
        assertTrue(inference.stream().anyMatch(p -> p.contains("must limit nvidia.com/gpu to 1")), inference::toString);
        assertTrue(inference.stream().anyMatch(p -> p.contains("node selector")), inference::toString);
        assertTrue(inference.stream().anyMatch(p -> p.contains("PersistentVolumeClaim")), inference::toString);
        assertEquals(List.of("expected one workload labelled app.kubernetes.io/name=switchboard-platform, found 0"),
                ManifestRules.platform(bad));
    }

    @Test
    void kustomizationMustListExactlyTheFilesPresent(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources: [a.yaml, gone.yaml]
                """);
        Files.writeString(dir.resolve("a.yaml"), "{apiVersion: v1, kind: Namespace, metadata: {name: a}}");
        Files.writeString(dir.resolve("forgotten.yaml"), "{apiVersion: v1, kind: Namespace, metadata: {name: f}}");
        AssertionError e = assertThrows(AssertionError.class, () -> K8sManifests.load(dir));
        assertTrue(e.getMessage().contains("names gone.yaml, which does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("lists [a.yaml, gone.yaml] but the directory holds [a.yaml, forgotten.yaml]"),
                e.getMessage());
    }

    @Test
    void imagePinning() {
        assertTrue(DeployYaml.isPinned("postgres:17.5-bookworm"));
        assertTrue(DeployYaml.isPinned("registry.example.com:5000/switchboard/platform:0.1.0"));
        assertTrue(DeployYaml.isPinned("busybox@sha256:0123abcd"));
        assertTrue(!DeployYaml.isPinned("registry.example.com:5000/switchboard/platform"));
        assertTrue(!DeployYaml.isPinned("postgres"));
        assertTrue(!DeployYaml.isPinned("postgres:latest"));
    }

    static void assertNone(List<String> problems) {
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    }
}
