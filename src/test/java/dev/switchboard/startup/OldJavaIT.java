package dev.switchboard.startup;

import dev.switchboard.support.ProcessIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.support.PackagedApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@code java -jar} with a Java 17 (the default java of many machines): one line saying what is needed, exit 1. */
@ProcessIT
class OldJavaIT {

    private static final Path JAVA_17 = Path.of(System.getProperty("switchboard.test.java17",
            "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"));

    @Test
    void javaJarOnJava17SaysItNeedsJava25() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(JAVA_17), "SKIPPED: no Java 17 at " + JAVA_17
                + " (apt-get install openjdk-17-jre-headless, or -Dswitchboard.test.java17=...)");
        Process p = new ProcessBuilder(JAVA_17.toString(), "-jar", PackagedApp.JAR.toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("Switchboard needs Java 25, and this is Java 17") && out.contains("JDK 25"), out);
    }
}
