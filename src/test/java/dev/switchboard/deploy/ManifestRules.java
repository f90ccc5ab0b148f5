package dev.switchboard.deploy;

import dev.switchboard.deploy.K8sManifests.Manifest;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The invariants of Switchboard's Kubernetes resources; each method returns the violations, each naming its file.
 * They take whole resources (not patches) of one deployment.
 */
final class ManifestRules {

    static final String PLATFORM = "switchboard-platform";
    static final String INFERENCE = "switchboard-inference";
    static final String NAME_LABEL = "app.kubernetes.io/name";
    static final String GPU = "nvidia.com/gpu";

    /** A ConfigMap value that assigns a credential, e.g. "password=..." inside a URL or properties text. */
    private static final Pattern SECRET_ASSIGNMENT =
            Pattern.compile("(?i)(password|passwd|secret|token|api[-_.]?key)\\s*[=:]");

    /** A workload's pod template with the file it came from. */
    record Workload(Manifest manifest, PodTemplateSpec template) {
        Map<String, String> podLabels() {
            return Optional.ofNullable(template.getMetadata()).map(m -> m.getLabels()).orElse(Map.of());
        }

        List<Container> allContainers() {
            var spec = template.getSpec();
            return Stream.concat(spec.getInitContainers().stream(), spec.getContainers().stream()).toList();
        }
    }

    private ManifestRules() {
    }

    static List<Workload> workloads(List<Manifest> manifests) {
        List<Workload> workloads = new ArrayList<>();
        for (Manifest m : manifests) {
            switch (m.model()) {
                case Deployment d -> workloads.add(new Workload(m, d.getSpec().getTemplate()));
                case StatefulSet s -> workloads.add(new Workload(m, s.getSpec().getTemplate()));
                case null, default -> {
                }
            }
        }
        return workloads;
    }

    static <T> List<T> models(List<Manifest> manifests, Class<T> type) {
        return manifests.stream().map(Manifest::model).filter(type::isInstance).map(type::cast).toList();
    }

    /** Every container: CPU and memory requests and limits, readiness and liveness probes, a pinned image. */
    static List<String> containers(List<Manifest> manifests) {
        List<String> problems = new ArrayList<>();
        for (Workload w : workloads(manifests)) {
            for (Container c : w.allContainers()) {
                String at = w.manifest().where() + ": container " + c.getName();
                ResourceRequirements r = c.getResources();
                for (String kind : List.of("requests", "limits")) {
                    Map<String, Quantity> q = r == null ? null : kind.equals("requests") ? r.getRequests() : r.getLimits();
                    for (String resource : List.of("cpu", "memory")) {
                        if (q == null || !q.containsKey(resource)) {
                            problems.add(at + ": no " + resource + " in resources." + kind);
                        }
                    }
                }
                boolean init = w.template().getSpec().getInitContainers().contains(c);
                if (!init && c.getReadinessProbe() == null) {
                    problems.add(at + ": no readinessProbe");
                }
                if (!init && c.getLivenessProbe() == null) {
                    problems.add(at + ": no livenessProbe");
                }
                if (!DeployYaml.isPinned(c.getImage())) {
                    problems.add(at + ": image '" + c.getImage() + "' is not pinned to a version (no tag, or latest)");
                }
            }
        }
        return problems;
    }

    /** No Secret with data in the repository, no credential in a ConfigMap, credential env vars from Secrets. */
    static List<String> secrets(List<Manifest> manifests) {
        List<String> problems = new ArrayList<>();
        for (Manifest m : manifests) {
            if (m.model() instanceof Secret s && (!s.getData().isEmpty() || !s.getStringData().isEmpty())) {
                problems.add(m.where() + ": Secret " + m.name() + " has its values in the repository");
            }
            if (m.model() instanceof ConfigMap cm) {
                cm.getData().forEach((key, value) -> {
                    if (DeployYaml.SECRET_NAME.matcher(key).matches()) {
                        problems.add(m.where() + ": ConfigMap key " + key + " looks like a credential: use a Secret");
                    } else if (SECRET_ASSIGNMENT.matcher(value).find()) {
                        problems.add(m.where() + ": ConfigMap value of " + key + " carries a credential: use a Secret");
                    }
                });
            }
        }
        for (Workload w : workloads(manifests)) {
            for (Container c : w.allContainers()) {
                for (EnvVar e : c.getEnv()) {
                    boolean fromSecret = e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null;
                    if (DeployYaml.SECRET_NAME.matcher(e.getName()).matches() && !fromSecret) {
                        problems.add(w.manifest().where() + ": env " + e.getName() + " of container " + c.getName()
                                + " must come from a secretKeyRef");
                    }
                }
            }
        }
        return problems;
    }

    /** The engine: one GPU, a GPU node selector or toleration, /health probes, model files from a PVC. */
    static List<String> inference(List<Manifest> manifests) {
        List<Workload> engines = byName(manifests, INFERENCE);
        if (engines.isEmpty()) {
            return List.of("no workload whose pods are labelled " + NAME_LABEL + "=" + INFERENCE);
        }
        List<String> problems = new ArrayList<>();
        for (Workload w : engines) {
            String at = w.manifest().where();
            var spec = w.template().getSpec();
            for (Container c : spec.getContainers()) {
                Quantity limit = c.getResources() == null ? null : c.getResources().getLimits().get(GPU);
                if (limit == null || !new Quantity("1").equals(limit)) {
                    problems.add(at + ": container " + c.getName() + " must limit " + GPU + " to 1, has " + limit);
                }
                Quantity request = c.getResources() == null ? null : c.getResources().getRequests().get(GPU);
                if (request != null && !request.equals(limit)) {
                    problems.add(at + ": container " + c.getName() + ": " + GPU + " request and limit differ");
                }
                probePath(c.getReadinessProbe()).filter("/health"::equals)
                        .ifPresentOrElse(p -> { }, () -> problems.add(at + ": readinessProbe must GET /health"));
                probePath(c.getLivenessProbe()).filter("/health"::equals)
                        .ifPresentOrElse(p -> { }, () -> problems.add(at + ": livenessProbe must GET /health"));
            }
            boolean gpuNodes = spec.getNodeSelector().keySet().stream().anyMatch(k -> k.startsWith("nvidia.com/"))
                    && spec.getTolerations().stream().anyMatch(t -> GPU.equals(t.getKey()));
            if (!gpuNodes) {
                problems.add(at + ": needs an nvidia.com/ node selector and a toleration for " + GPU);
            }
            List<String> claims = spec.getVolumes().stream().map(Volume::getPersistentVolumeClaim)
                    .filter(Objects::nonNull).map(c -> c.getClaimName()).toList();
            List<String> pvcs = models(manifests, PersistentVolumeClaim.class).stream()
                    .map(p -> p.getMetadata().getName()).toList();
            if (claims.isEmpty() || !pvcs.containsAll(claims)) {
                problems.add(at + ": model files must come from a PersistentVolumeClaim defined here; claims "
                        + claims + ", defined " + pvcs);
            }
        }
        return problems;
    }

    /** The platform: health probes, an HPA on its Deployment, a PDB over its pods. */
    static List<String> platform(List<Manifest> manifests) {
        List<Workload> platforms = byName(manifests, PLATFORM);
        if (platforms.size() != 1) {
            return List.of("expected one workload labelled " + NAME_LABEL + "=" + PLATFORM + ", found " + platforms.size());
        }
        Workload w = platforms.getFirst();
        List<String> problems = new ArrayList<>();
        for (Container c : w.template().getSpec().getContainers()) {
            if (!probePath(c.getReadinessProbe()).orElse("").equals("/q/health/ready")) {
                problems.add(w.manifest().where() + ": readinessProbe must GET /q/health/ready");
            }
            if (!probePath(c.getLivenessProbe()).orElse("").equals("/q/health/live")) {
                problems.add(w.manifest().where() + ": livenessProbe must GET /q/health/live");
            }
        }
        boolean scaled = models(manifests, HorizontalPodAutoscaler.class).stream().anyMatch(h ->
                h.getSpec().getScaleTargetRef().getKind().equals(w.manifest().kind())
                        && h.getSpec().getScaleTargetRef().getName().equals(w.manifest().name()));
        if (!scaled) {
            problems.add(w.manifest().where() + ": no HorizontalPodAutoscaler targets " + w.manifest().name());
        }
        boolean budgeted = models(manifests, PodDisruptionBudget.class).stream()
                .anyMatch(p -> selects(p.getSpec().getSelector(), w.podLabels()));
        if (!budgeted) {
            problems.add(w.manifest().where() + ": no PodDisruptionBudget selects the platform's pods");
        }
        return problems;
    }

    /** A NetworkPolicy admits only the platform's pods to the engine. */
    static List<String> networkPolicy(List<Manifest> manifests) {
        List<Workload> engines = byName(manifests, INFERENCE);
        List<Workload> platforms = byName(manifests, PLATFORM);
        if (engines.isEmpty() || platforms.isEmpty()) {
            return List.of("the network policy needs both the platform and the inference workloads");
        }
        for (NetworkPolicy np : models(manifests, NetworkPolicy.class)) {
            var spec = np.getSpec();
            if (!selects(spec.getPodSelector(), engines.getFirst().podLabels()) || !spec.getPolicyTypes().contains("Ingress")) {
                continue;
            }
            List<NetworkPolicyPeer> peers = spec.getIngress().stream().map(NetworkPolicyIngressRule::getFrom)
                    .flatMap(List::stream).toList();
            boolean onlyPlatform = !spec.getIngress().isEmpty()
                    && spec.getIngress().stream().allMatch(r -> !r.getFrom().isEmpty())
                    && peers.stream().allMatch(p -> p.getIpBlock() == null && p.getNamespaceSelector() == null
                            && p.getPodSelector() != null && selects(p.getPodSelector(), platforms.getFirst().podLabels())
                            && !p.getPodSelector().getMatchLabels().isEmpty());
            return onlyPlatform ? List.of()
                    : List.of("NetworkPolicy " + np.getMetadata().getName() + " admits peers other than the platform: " + peers);
        }
        return List.of("no NetworkPolicy restricts ingress to the inference pods");
    }

    /** Names that point elsewhere resolve: Services select pods, Ingress backends exist, ConfigMaps exist. */
    static List<String> references(List<Manifest> manifests) {
        List<String> problems = new ArrayList<>();
        List<Workload> workloads = workloads(manifests);
        List<Service> services = models(manifests, Service.class);
        for (Service s : services) {
            if (workloads.stream().noneMatch(w -> selectsLabels(s.getSpec().getSelector(), w.podLabels()))) {
                problems.add("Service " + s.getMetadata().getName() + " selects no pods");
            }
        }
        for (Ingress ing : models(manifests, Ingress.class)) {
            ing.getSpec().getRules().stream().flatMap(r -> r.getHttp().getPaths().stream()).forEach(p -> {
                var backend = p.getBackend().getService();
                Optional<Service> target = services.stream()
                        .filter(s -> s.getMetadata().getName().equals(backend.getName())).findFirst();
                boolean port = target.map(s -> s.getSpec().getPorts().stream().map(ServicePort::getName)
                        .anyMatch(n -> n != null && n.equals(backend.getPort().getName()))).orElse(false);
                if (!port) {
                    problems.add("Ingress " + ing.getMetadata().getName() + " routes to " + backend.getName() + ":"
                            + backend.getPort().getName() + ", which no Service offers");
                }
            });
        }
        List<String> configMaps = models(manifests, ConfigMap.class).stream().map(c -> c.getMetadata().getName()).toList();
        for (Workload w : workloads) {
            for (Container c : w.allContainers()) {
                Stream<String> refs = Stream.concat(
                        c.getEnvFrom().stream().filter(e -> e.getConfigMapRef() != null).map(e -> e.getConfigMapRef().getName()),
                        c.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null)
                                .map(e -> e.getValueFrom().getConfigMapKeyRef().getName()));
                refs.filter(r -> !configMaps.contains(r)).forEach(r ->
                        problems.add(w.manifest().where() + ": container " + c.getName() + " reads ConfigMap " + r
                                + ", which is not defined"));
            }
        }
        return problems;
    }

    private static List<Workload> byName(List<Manifest> manifests, String name) {
        return workloads(manifests).stream().filter(w -> name.equals(w.podLabels().get(NAME_LABEL))).toList();
    }

    private static Optional<String> probePath(Probe probe) {
        return Optional.ofNullable(probe).map(Probe::getHttpGet).map(h -> h.getPath());
    }

    private static boolean selects(LabelSelector selector, Map<String, String> labels) {
        return selector != null && selector.getMatchExpressions().isEmpty()
                && selectsLabels(selector.getMatchLabels(), labels);
    }

    private static boolean selectsLabels(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }
}
