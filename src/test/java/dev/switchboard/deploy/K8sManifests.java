package dev.switchboard.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Reads every kustomization under k8s/ and every file it names, strictly. */
final class K8sManifests {

    /** The built-in kinds Switchboard's manifests may use, by "apiVersion/kind". */
    static final Map<String, Class<? extends HasMetadata>> BUILT_IN = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class));

    /** One document: a whole resource or a patch; {@code model} is the fabric8 object for built-in kinds. */
    record Manifest(String where, String kind, String name, JsonNode tree, HasMetadata model, boolean patch) {
    }

    /** A kustomization.yaml and what it names. */
    record Kustomization(Path dir, JsonNode tree, List<Manifest> resources, List<Manifest> patches) {
    }

    private K8sManifests() {
    }

    /** Every kustomization under {@code root}; fails on any file that is unparsable, unknown or not listed. */
    static List<Kustomization> load(Path root) throws IOException {
        List<String> problems = new ArrayList<>();
        List<Kustomization> result = new ArrayList<>();
        for (Path dir : yamlDirectories(root)) {
            Path file = dir.resolve("kustomization.yaml");
            if (!Files.exists(file)) {
                problems.add(dir + ": YAML files but no kustomization.yaml, so nothing applies them");
                continue;
            }
            JsonNode tree = single(file);
            problems.addAll(Schemas.KUSTOMIZATION.problems(tree, file.toString(), true));
            List<Manifest> resources = new ArrayList<>();
            List<Manifest> patches = new ArrayList<>();
            Set<String> listed = new TreeSet<>();
            for (JsonNode entry : tree.path("resources")) {
                Path target = dir.resolve(entry.asText()).normalize();
                if (Files.isDirectory(target)) {
                    if (!Files.exists(target.resolve("kustomization.yaml"))) {
                        problems.add(file + ": resource " + entry.asText() + " is a directory without kustomization.yaml");
                    }
                } else {
                    listed.add(entry.asText());
                    resources.addAll(parseFile(dir, entry.asText(), false, problems));
                }
            }
            for (JsonNode entry : tree.path("patches")) {
                if (entry.has("path")) {
                    listed.add(entry.path("path").asText());
                    patches.addAll(parseFile(dir, entry.path("path").asText(), true, problems));
                }
            }
            Set<String> present;
            try (Stream<Path> files = Files.list(dir)) {
                present = files.map(p -> p.getFileName().toString())
                        .filter(n -> isYaml(n) && !n.equals("kustomization.yaml"))
                        .collect(Collectors.toCollection(TreeSet::new));
            }
            if (!present.equals(listed)) {
                problems.add(file + ": lists " + listed + " but the directory holds " + present);
            }
            result.add(new Kustomization(dir, tree, resources, patches));
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(String.join("\n", problems));
        }
        return result;
    }

    private static List<Manifest> parseFile(Path dir, String name, boolean patch, List<String> problems) {
        Path file = dir.resolve(name).normalize();
        if (!Files.isRegularFile(file)) {
            problems.add(dir.resolve("kustomization.yaml") + ": names " + name + ", which does not exist");
            return List.of();
        }
        List<JsonNode> docs = DeployYaml.documents(file);
        List<Manifest> manifests = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            String where = docs.size() == 1 ? file.toString() : file + " (document " + (i + 1) + ")";
            try {
                manifests.add(parse(docs.get(i), where, patch));
            } catch (AssertionError e) {
                problems.add(e.getMessage());
            }
        }
        return manifests;
    }

    /** One document, bound strictly: built-in kinds to their model class, custom resources to their schema. */
    static Manifest parse(JsonNode doc, String where, boolean patch) {
        String apiVersion = doc.path("apiVersion").asText();
        String kind = doc.path("kind").asText();
        String name = doc.path("metadata").path("name").asText();
        if (name.isEmpty()) {
            throw new AssertionError(where + ": metadata.name is missing");
        }
        String key = apiVersion + "/" + kind;
        Class<? extends HasMetadata> type = BUILT_IN.get(key);
        if (type != null) {
            return new Manifest(where, kind, name, doc, DeployYaml.strict(doc, type, where), patch);
        }
        ObjectSchema schema = Schemas.CUSTOM_RESOURCES.get(key);
        if (schema == null) {
            throw new AssertionError(where + ": unknown apiVersion/kind '" + key + "' (known: "
                    + new TreeSet<>(BUILT_IN.keySet()) + " and " + new TreeSet<>(Schemas.CUSTOM_RESOURCES.keySet()) + ")");
        }
        List<String> problems = schema.problems(doc, where, !patch);
        if (!problems.isEmpty()) {
            throw new AssertionError(String.join("\n", problems));
        }
        return new Manifest(where, kind, name, doc, null, patch);
    }

    private static JsonNode single(Path file) {
        List<JsonNode> docs = DeployYaml.documents(file);
        if (docs.size() != 1) {
            throw new AssertionError(file + ": expected one YAML document, found " + docs.size());
        }
        return docs.getFirst();
    }

    private static Set<Path> yamlDirectories(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> Files.isRegularFile(p) && isYaml(p.getFileName().toString()))
                    .map(Path::getParent)
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static boolean isYaml(String fileName) {
        return fileName.endsWith(".yaml") || fileName.endsWith(".yml");
    }
}
