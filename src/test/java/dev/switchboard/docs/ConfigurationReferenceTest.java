package dev.switchboard.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists exactly the {@code switchboard.*} keys the code reads, with the defaults it declares:
 * every {@code @ConfigMapping} interface (groups included) and every {@code @ConfigProperty} field of the compiled
 * classes. The reference cannot drift from the code.
 */
class ConfigurationReferenceTest {

    private static final Path DOC = Path.of("docs/configuration.md");
    private static final Path CLASSES = Path.of("target/classes");
    /** A table row: | `key` | default | meaning |, with "—" for no default. */
    private static final Pattern ROW = Pattern.compile("^\\| `(switchboard\\.[a-z0-9.-]+)` \\| ([^|]+) \\|", Pattern.MULTILINE);
    private static final String NO_DEFAULT = "—";

    @Test
    void theReferenceListsEveryKeyOfTheCodeWithItsDefault() throws IOException {
        Map<String, String> documented = new TreeMap<>();
        Matcher m = ROW.matcher(Files.readString(DOC));
        while (m.find()) {
            String previous = documented.put(m.group(1), m.group(2).strip().replace("`", ""));
            assertEquals(null, previous, "listed twice: " + m.group(1));
        }
        Map<String, String> declared = declaredKeys();
        assertEquals(declared.keySet(), documented.keySet(), "keys in the code vs. docs/configuration.md");
        declared.forEach((key, def) -> {
            if (def != null) {
                assertEquals(def, documented.get(key), "default of " + key);
            }
        });
    }

    /** Key -> default (NO_DEFAULT when none; null when the code gives it elsewhere, as Optional fields do). */
    private static Map<String, String> declaredKeys() throws IOException {
        Map<String, String> keys = new TreeMap<>();
        try (Stream<Path> files = Files.walk(CLASSES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = CLASSES.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (!name.startsWith("dev.switchboard.") || name.startsWith("dev.switchboard.inference.")) {
                    continue;
                }
                Class<?> type;
                try {
                    type = Class.forName(name, false, ConfigurationReferenceTest.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    continue; // generated or build-only classes
                }
                ConfigMapping mapping = type.getAnnotation(ConfigMapping.class);
                if (mapping != null && mapping.prefix().startsWith("switchboard")) {
                    group(mapping.prefix(), type, keys);
                }
                for (Field field : type.getDeclaredFields()) {
                    ConfigProperty p = field.getAnnotation(ConfigProperty.class);
                    if (p != null && p.name().startsWith("switchboard.")) {
                        keys.put(p.name(), p.defaultValue().equals(ConfigProperty.UNCONFIGURED_VALUE) ? null
                                : p.defaultValue());
                    }
                }
            }
        }
        return keys;
    }

    private static void group(String prefix, Class<?> type, Map<String, String> keys) {
        for (Method method : type.getMethods()) {
            if (method.isDefault() || Modifier.isStatic(method.getModifiers()) || method.getParameterCount() > 0) {
                continue;
            }
            String key = method.isAnnotationPresent(WithParentName.class) ? prefix
                    : prefix + "." + (method.isAnnotationPresent(WithName.class)
                            ? method.getAnnotation(WithName.class).value() : kebab(method.getName()));
            Class<?> value = valueType(method.getGenericReturnType());
            if (value.isInterface() && value.getName().startsWith("dev.switchboard.")) {
                group(key, value, keys);
            } else {
                WithDefault d = method.getAnnotation(WithDefault.class);
                keys.put(key, d == null ? NO_DEFAULT : d.value());
            }
        }
    }

    private static Class<?> valueType(Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() == java.util.Optional.class
                && p.getActualTypeArguments()[0] instanceof Class<?> c) {
            return c;
        }
        return type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
