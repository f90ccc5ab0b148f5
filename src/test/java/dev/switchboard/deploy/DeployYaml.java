package dev.switchboard.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Strict YAML reading shared by the deployment-file tests. */
final class DeployYaml {

    /** Names (of env vars, ConfigMap keys) that carry credentials and so belong in a Secret. */
    static final Pattern SECRET_NAME =
            Pattern.compile("(?i).*(password|passwd|secret|token|api[-_.]?key|credential|private[-_.]?key).*");

    private static final YAMLMapper YAML =
            YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    /**
     * Binds trees to the fabric8 model classes, failing on any field they do not declare. The model classes catch
     * unknown fields in an "additionalProperties" any-setter, which would make FAIL_ON_UNKNOWN_PROPERTIES a no-op:
     * switching any-setters off turns every misspelt or misplaced field into an error.
     */
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated annotated) {
                    return Boolean.FALSE;
                }
            })
            .build();

    private DeployYaml() {
    }

    /** The non-empty documents of a (multi-document) YAML file. */
    static List<JsonNode> documents(Path file) {
        try {
            return documents(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new AssertionError(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    static List<JsonNode> documents(String yaml, String where) {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        } catch (IOException e) {
            throw new AssertionError(where + ": not valid YAML: " + e.getMessage(), e);
        }
        return docs;
    }

    /** Binds a tree to a model class; an unknown field fails with its path. */
    static <T> T strict(JsonNode node, Class<T> type, String where) {
        try {
            return STRICT.treeToValue(node, type);
        } catch (UnrecognizedPropertyException e) {
            throw new AssertionError(where + ": unknown field '" + e.getPropertyName() + "' at "
                    + path(e) + " (not in " + type.getSimpleName() + "'s schema)", e);
        } catch (IOException e) {
            throw new AssertionError(where + ": does not match " + type.getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    private static String path(UnrecognizedPropertyException e) {
        StringBuilder b = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                b.append(b.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else {
                b.append('[').append(ref.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    /**
     * Whether an image reference names a fixed version: a digest, or a tag other than "latest". An image without
     * a tag means latest too.
     */
    static boolean isPinned(String image) {
        if (image == null || image.isBlank()) {
            return false;
        }
        if (image.contains("@sha256:")) {
            return true;
        }
        int colon = image.lastIndexOf(':');
        if (colon < image.lastIndexOf('/') + 1) {
            return false;
        }
        String tag = image.substring(colon + 1);
        return !tag.isEmpty() && !tag.equals("latest");
    }
}
