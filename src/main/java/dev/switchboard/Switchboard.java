package dev.switchboard;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The application's entry point. Compiled for Java 17 (see pom.xml) while everything else needs Java 25: started with
 * an older {@code java}, it says so in one line and exits 1, where the app's first Java 25 class would otherwise fail
 * to load without a word.
 */
@QuarkusMain
public class Switchboard {

    public static void main(String... args) {
        int feature = Runtime.version().feature();
        if (feature < 25) {
            System.err.println("Switchboard needs Java 25, and this is Java " + feature + " ("
                    + System.getProperty("java.home") + "): install a JDK 25 (e.g. Eclipse Temurin 25) and run "
                    + "/path/to/jdk-25/bin/java --add-modules jdk.incubator.vector -jar target/quarkus-app/quarkus-run.jar");
            System.exit(1);
        }
        Quarkus.run(args);
    }
}
