package dev.switchboard.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import dev.switchboard.support.BrowserTest;
import dev.switchboard.support.ProcessIT;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code ./mvnw test} fast: a test that starts Chromium ({@code support.Browser}) must be a
 * {@link BrowserTest}; one that runs the packaged
 * app as child JVMs or starts Kafka must be a {@link ProcessIT} named {@code *IT} (failsafe). Everything else needs no
 * tag. (Classes named by string, so that this test does not count as using them.)
 */
class TestTierRulesTest {

    private static JavaClasses tests;

    @BeforeAll
    static void importTests() {
        tests = new ClassFileImporter().withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
                .importPackages("dev.switchboard");
    }

    /** Classes with test methods (helpers such as WidgetPage may use a Browser they are given). */
    private static final DescribedPredicate<JavaClass> TEST_CLASSES = DescribedPredicate.describe("test classes",
            c -> c.getMethods().stream().anyMatch(m -> m.isAnnotatedWith(Test.class)));

    /** What starts the packaged app as child JVMs, or a Kafka broker. */
    private static final Set<String> PROCESS_STARTERS = Set.of("dev.switchboard.support.PackagedApp",
            "dev.switchboard.scaleout.ScaleOutCluster", "dev.switchboard.scaleout.EmbeddedKafka");

    private static DescribedPredicate<JavaClass> using(String what, Set<String> classNames) {
        return DescribedPredicate.describe("use " + what, c -> c.getDirectDependenciesFromSelf().stream()
                .anyMatch(d -> classNames.contains(d.getTargetClass().getName())));
    }

    @Test
    void everyChromiumTestIsABrowserTest() {
        classes().that(TEST_CLASSES).and(using("Chromium", Set.of("dev.switchboard.support.Browser")))
                .should().beAnnotatedWith(BrowserTest.class)
                .because("./mvnw test leaves out the browser tier (tag browser)").check(tests);
    }

    @Test
    void everyChildProcessOrKafkaTestIsAFailsafeIT() {
        classes().that(TEST_CLASSES).and(using("child JVMs or Kafka", PROCESS_STARTERS))
                .should().beAnnotatedWith(ProcessIT.class).andShould().haveSimpleNameEndingWith("IT")
                .because("they need the packaged app, so failsafe runs them in verify (tag it)").check(tests);
        classes().that().areAnnotatedWith(ProcessIT.class).should().haveSimpleNameEndingWith("IT").check(tests);
    }
}
