package dev.switchboard.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The allowed keys of files that have no Java model here: kustomization.yaml and the operators' custom resources.
 * Each schema is the subset of the documented CRD fields that a Switchboard deployment may plausibly use (Strimzi
 * {@code kafka.strimzi.io/v1beta2}, CloudNativePG {@code postgresql.cnpg.io/v1}, kustomize
 * {@code kustomize.config.k8s.io/v1beta1}); anything else is an error, so a typo cannot silently do nothing.
 */
sealed interface ObjectSchema {

    /** An object with these keys only; {@code required} must be present in a whole resource (not in a patch). */
    record Obj(Map<String, ObjectSchema> fields, Set<String> required) implements ObjectSchema {
    }

    record ListOf(ObjectSchema item) implements ObjectSchema {
    }

    /** An object with free keys whose values all follow one schema (compose's depends_on, services). */
    record MapOf(ObjectSchema value) implements ObjectSchema {
    }

    /** A string, number or boolean. */
    record Scalar() implements ObjectSchema {
    }

    /** Free-form: settings passed through to the operand (Kafka's config, PostgreSQL parameters, labels). */
    record AnyObject() implements ObjectSchema {
    }

    /** Checked strictly against a Kubernetes model class (resources, metadata, PVC templates). */
    record Model(Class<?> type) implements ObjectSchema {
    }

    ObjectSchema SCALAR = new Scalar();
    ObjectSchema ANY = new AnyObject();
    ObjectSchema RESOURCES = new Model(ResourceRequirements.class);

    /** {@code obj("a!", X, "b", Y)}: keys with their schemas; a trailing '!' marks a required key. */
    static Obj obj(Object... keysAndSchemas) {
        Map<String, ObjectSchema> fields = new LinkedHashMap<>();
        Set<String> required = new HashSet<>();
        for (int i = 0; i < keysAndSchemas.length; i += 2) {
            String key = (String) keysAndSchemas[i];
            if (key.endsWith("!")) {
                key = key.substring(0, key.length() - 1);
                required.add(key);
            }
            fields.put(key, (ObjectSchema) keysAndSchemas[i + 1]);
        }
        return new Obj(fields, Set.copyOf(required));
    }

    static ObjectSchema list(ObjectSchema item) {
        return new ListOf(item);
    }

    static ObjectSchema mapOf(ObjectSchema value) {
        return new MapOf(value);
    }

    /** A whole custom resource: apiVersion, kind, metadata (strict ObjectMeta) and this spec. */
    static Obj resource(ObjectSchema spec) {
        return obj("apiVersion!", SCALAR, "kind!", SCALAR, "metadata!", new Model(ObjectMeta.class), "spec!", spec);
    }

    /** Problems of {@code node} against this schema, each naming {@code where} and the field's path. */
    default List<String> problems(JsonNode node, String where, boolean whole) {
        List<String> problems = new ArrayList<>();
        check(this, node, "", where, whole, problems);
        return problems;
    }

    private static void check(ObjectSchema schema, JsonNode node, String path, String where, boolean whole,
                              List<String> problems) {
        String at = where + ": " + (path.isEmpty() ? "(top level)" : path);
        switch (schema) {
            case Obj o -> {
                if (!node.isObject()) {
                    problems.add(at + ": expected an object");
                    return;
                }
                for (var e : node.properties()) {
                    ObjectSchema field = o.fields().get(e.getKey());
                    String sub = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                    if (field == null) {
                        problems.add(where + ": " + sub + ": unknown field (allowed: " + o.fields().keySet() + ")");
                    } else {
                        check(field, e.getValue(), sub, where, whole, problems);
                    }
                }
                if (whole) {
                    o.required().stream().filter(k -> !node.has(k)).sorted()
                            .forEach(k -> problems.add(at + ": missing required field '" + k + "'"));
                }
            }
            case ListOf l -> {
                if (!node.isArray()) {
                    problems.add(at + ": expected a list");
                    return;
                }
                for (int i = 0; i < node.size(); i++) {
                    check(l.item(), node.get(i), path + "[" + i + "]", where, whole, problems);
                }
            }
            case MapOf m -> {
                if (!node.isObject()) {
                    problems.add(at + ": expected an object");
                    return;
                }
                for (var e : node.properties()) {
                    String sub = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                    check(m.value(), e.getValue(), sub, where, whole, problems);
                }
            }
            case Scalar s -> {
                if (!node.isValueNode() || node.isNull()) {
                    problems.add(at + ": expected a string, number or boolean");
                }
            }
            case AnyObject a -> {
                if (!node.isObject()) {
                    problems.add(at + ": expected an object");
                }
            }
            case Model m -> {
                try {
                    DeployYaml.strict(node, m.type(), at);
                } catch (AssertionError e) {
                    problems.add(e.getMessage());
                }
            }
        }
    }
}
