package dev.switchboard.deploy;

import static dev.switchboard.deploy.ObjectSchema.ANY;
import static dev.switchboard.deploy.ObjectSchema.RESOURCES;
import static dev.switchboard.deploy.ObjectSchema.SCALAR;
import static dev.switchboard.deploy.ObjectSchema.list;
import static dev.switchboard.deploy.ObjectSchema.obj;
import static dev.switchboard.deploy.ObjectSchema.resource;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.Probe;
import java.util.Map;

/** The schemas of the non-built-in kinds under k8s/, by "apiVersion/kind". */
final class Schemas {

    private static final ObjectSchema STRIMZI_STORAGE_VOLUME = obj(
            "id", SCALAR, "type!", SCALAR, "size", SCALAR, "sizeLimit", SCALAR, "class", SCALAR,
            "selector", ANY, "deleteClaim", SCALAR, "kraftMetadata", SCALAR, "overrides", list(ANY));

    private static final ObjectSchema STRIMZI_STORAGE = obj(
            "type!", SCALAR, "volumes", list(STRIMZI_STORAGE_VOLUME), "size", SCALAR, "sizeLimit", SCALAR,
            "class", SCALAR, "selector", ANY, "deleteClaim", SCALAR, "kraftMetadata", SCALAR, "overrides", list(ANY));

    private static final ObjectSchema PROBE = new ObjectSchema.Model(Probe.class);

    private static final ObjectSchema STRIMZI_OPERATOR = obj(
            "watchedNamespace", SCALAR, "image", SCALAR, "reconciliationIntervalMs", SCALAR,
            "reconciliationIntervalSeconds", SCALAR, "resources", RESOURCES, "logging", ANY, "jvmOptions", ANY,
            "livenessProbe", PROBE, "readinessProbe", PROBE, "startupProbe", PROBE);

    static final ObjectSchema KAFKA = resource(obj(
            "kafka!", obj(
                    "version", SCALAR, "metadataVersion", SCALAR, "image", SCALAR,
                    "listeners!", list(obj("name!", SCALAR, "port!", SCALAR, "type!", SCALAR, "tls!", SCALAR,
                            "authentication", ANY, "configuration", ANY, "networkPolicyPeers", list(ANY))),
                    "config", ANY, "authorization", ANY, "rack", ANY, "brokerRackInitImage", SCALAR,
                    "logging", ANY, "metricsConfig", ANY, "template", ANY, "jvmOptions", ANY, "resources", RESOURCES,
                    "livenessProbe", PROBE, "readinessProbe", PROBE, "quotas", ANY),
            "entityOperator", obj("topicOperator", STRIMZI_OPERATOR, "userOperator", STRIMZI_OPERATOR,
                    "template", ANY),
            "cruiseControl", ANY, "kafkaExporter", ANY, "clusterCa", ANY, "clientsCa", ANY,
            "maintenanceTimeWindows", list(SCALAR)));

    static final ObjectSchema KAFKA_NODE_POOL = resource(obj(
            "replicas!", SCALAR, "roles!", list(SCALAR), "storage!", STRIMZI_STORAGE, "resources", RESOURCES,
            "jvmOptions", ANY, "template", ANY));

    static final ObjectSchema CNPG_CLUSTER = resource(obj(
            "instances!", SCALAR, "imageName", SCALAR, "imageCatalogRef", ANY, "imagePullPolicy", SCALAR,
            "description", SCALAR, "postgresql", ANY, "enableSuperuserAccess", SCALAR, "superuserSecret", ANY,
            "bootstrap", obj(
                    "initdb", obj("database", SCALAR, "owner", SCALAR, "secret", obj("name!", SCALAR),
                            "encoding", SCALAR, "localeCollate", SCALAR, "localeCType", SCALAR,
                            "dataChecksums", SCALAR, "walSegmentSize", SCALAR, "postInitSQL", list(SCALAR),
                            "postInitApplicationSQL", list(SCALAR), "postInitTemplateSQL", list(SCALAR),
                            "postInitApplicationSQLRefs", ANY, "import", ANY),
                    "recovery", ANY, "pg_basebackup", ANY),
            "storage!", obj("size", SCALAR, "storageClass", SCALAR, "resizeInUseVolumes", SCALAR,
                    "pvcTemplate", new ObjectSchema.Model(PersistentVolumeClaimSpec.class)),
            "walStorage", ANY, "resources", RESOURCES, "affinity", ANY, "monitoring", ANY, "backup", ANY,
            "primaryUpdateStrategy", SCALAR, "primaryUpdateMethod", SCALAR, "minSyncReplicas", SCALAR,
            "maxSyncReplicas", SCALAR, "managed", ANY, "inheritedMetadata", ANY, "startDelay", SCALAR,
            "stopDelay", SCALAR, "enablePDB", SCALAR));

    static final ObjectSchema KUSTOMIZATION = obj(
            "apiVersion!", SCALAR, "kind!", SCALAR, "namespace", SCALAR, "namePrefix", SCALAR, "nameSuffix", SCALAR,
            "labels", list(obj("pairs!", ANY, "includeSelectors", SCALAR, "includeTemplates", SCALAR,
                    "fields", list(ANY))),
            "commonAnnotations", ANY, "resources", list(SCALAR), "components", list(SCALAR),
            "patches", list(obj("path", SCALAR, "patch", SCALAR, "target", ANY, "options", ANY)),
            "images", list(obj("name!", SCALAR, "newName", SCALAR, "newTag", SCALAR, "digest", SCALAR)),
            "replicas", list(obj("name!", SCALAR, "count!", SCALAR)),
            "configMapGenerator", list(ANY), "secretGenerator", list(ANY), "generatorOptions", ANY);

    /** Custom resources by "apiVersion/kind". */
    static final Map<String, ObjectSchema> CUSTOM_RESOURCES = Map.of(
            "kafka.strimzi.io/v1beta2/Kafka", KAFKA,
            "kafka.strimzi.io/v1beta2/KafkaNodePool", KAFKA_NODE_POOL,
            "postgresql.cnpg.io/v1/Cluster", CNPG_CLUSTER);

    private Schemas() {
    }
}
