package dev.switchboard.inference;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The engine is a plain Java library: it must run with {@code java -cp target/classes} on a machine with only a
 * JDK (the GPU machines). So its compiled classes may refer only to the JDK and to the engine itself — checked on
 * the bytecode's constant pool, which also catches fully qualified names and annotations that an import scan misses.
 */
class EngineDependencyRuleTest {
    private static final List<String> ALLOWED = List.of(
            "java/", "javax/", "jdk/", "com/sun/net/httpserver/", "dev/switchboard/inference/");
    /** Class names inside descriptors and signatures, e.g. {@code Ljakarta/inject/Inject;}. */
    private static final Pattern DESCRIPTOR_CLASS = Pattern.compile("L([a-zA-Z_$][\\w$/]*);");

    @Test
    void engineClassesReferOnlyToTheJdkAndTheEngine() throws IOException {
        Path root = Path.of("target/classes/dev/switchboard/inference");
        Set<String> violations = new TreeSet<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                ClassModel model = ClassFile.of().parse(p);
                checked++;
                for (PoolEntry e : model.constantPool()) {
                    if (e instanceof ClassEntry c) {
                        check(model, c.asInternalName().replaceFirst("^\\[+L?", ""), violations);
                    } else if (e instanceof Utf8Entry u) {
                        Matcher m = DESCRIPTOR_CLASS.matcher(u.stringValue());
                        while (m.find()) {
                            check(model, m.group(1), violations);
                        }
                    }
                }
            }
        }
        assertFalse(checked == 0, "no engine classes found under " + root.toAbsolutePath());
        assertEquals(Set.of(), violations, "engine classes must depend only on the JDK and the engine");
    }

    private static void check(ClassModel model, String name, Set<String> violations) {
        if (name.length() <= 1 || !name.contains("/")) {
            return; // primitive array descriptors and unqualified text
        }
        if (ALLOWED.stream().noneMatch(name::startsWith)) {
            violations.add(model.thisClass().asInternalName() + " -> " + name);
        }
    }
}
