package dev.switchboard.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.JavaFieldAccess;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.StringEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package map of docs/architecture.md as rules on the compiled classes: the layering, no cycles between rooms,
 * the engine on the JDK alone, and each room the only one to touch its tables, whether through its Panache entities
 * or through SQL (JPQL or native) in string constants. Other rooms read a room's data through its public services
 * and query classes; an entity they get back is a read-only value to them.
 */
class ArchitectureRulesTest {

    private static final String ROOT = "dev.switchboard";

    /** Every table of migrations/ and the one room (package under dev.switchboard) that may query or change it. */
    static final Map<String, String> TABLE_OWNERS = Map.ofEntries(
            Map.entry("workspaces", "workspace"), Map.entry("api_keys", "workspace"),
            Map.entry("workspace_policies", "protection"), Map.entry("rate_limit_windows", "protection"),
            Map.entry("conversations", "conversation"), Map.entry("messages", "conversation"),
            Map.entry("conversation_events", "conversation"), Map.entry("conversation_reads", "conversation"),
            Map.entry("faq_entries", "faq"), Map.entry("faq_variants", "faq"), Map.entry("faq_outcomes", "faq"),
            Map.entry("faq_settings", "faq"), Map.entry("faq_suggestion_decisions", "faq"),
            Map.entry("idempotency_keys", "conversation"),
            Map.entry("cached_answers", "bot"), Map.entry("model_answers", "bot"),
            Map.entry("webhooks", "webhook"), Map.entry("webhook_deliveries", "webhook"),
            Map.entry("agents", "dashboard"), Map.entry("agent_workspaces", "dashboard"),
            Map.entry("agent_sessions", "dashboard"), Map.entry("canned_responses", "dashboard"),
            Map.entry("teams", "dashboard"), Map.entry("team_members", "dashboard"),
            Map.entry("agent_presence", "dashboard"), Map.entry("visitor_profiles", "conversation"),
            Map.entry("labels", "conversation"), Map.entry("conversation_labels", "conversation"),
            Map.entry("business_hours", "workspace"), Map.entry("attachments", "conversation"));

    private static JavaClasses platform;

    @BeforeAll
    static void importClasses() {
        platform = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void roomsUseOnlyTheRoomsBelowThem() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("demo").definedBy(room("demo"))
                .layer("features").definedBy(room("dashboard"), room("privacy"), room("bot"))
                .layer("core").definedBy(room("conversation"), room("faq"), room("llm"))
                .layer("webhook").definedBy(room("webhook"))
                .layer("workspace").definedBy(room("workspace"))
                .layer("protection").definedBy(room("protection"))
                .layer("common").definedBy(room("common"))
                .layer("engine").definedBy(room("inference"))
                .whereLayer("demo").mayNotBeAccessedByAnyLayer()
                .whereLayer("features").mayOnlyBeAccessedByLayers("demo")
                .whereLayer("core").mayOnlyBeAccessedByLayers("demo", "features")
                .whereLayer("webhook").mayOnlyBeAccessedByLayers("demo", "features", "core")
                .whereLayer("workspace").mayOnlyBeAccessedByLayers("demo", "features", "core", "webhook")
                .whereLayer("protection")
                .mayOnlyBeAccessedByLayers("demo", "features", "core", "webhook", "workspace")
                .whereLayer("common")
                .mayOnlyBeAccessedByLayers("demo", "features", "core", "webhook", "workspace", "protection")
                .check(platform);
    }

    @Test
    void noCyclesBetweenRooms() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(platform);
    }

    @Test
    void theEngineUsesOnlyTheJdk() {
        noClasses().that().resideInAPackage(room("inference")).should().dependOnClassesThat()
                .resideOutsideOfPackages("java..", "javax..", "jdk..", "com.sun.net.httpserver..", room("inference"))
                .because("the engine runs with java -cp on a machine with nothing but a JDK").check(platform);
    }

    @Test
    void noRoomQueriesOrChangesAnotherRoomsEntities() {
        classes().should(new ArchCondition<>("query or change only their own room's entities") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                for (JavaAccess<?> access : c.getAccessesFromSelf()) {
                    JavaClass target = access.getTargetOwner();
                    if (isEntity(target) && !roomOf(target).equals(roomOf(c)) && touchesStorage(access)) {
                        events.add(SimpleConditionEvent.violated(access, access.getDescription()
                                + ": " + roomOf(target) + "'s entity, use its service or query class"));
                    }
                }
            }
        }).check(platform);
    }

    @Test
    void noRoomRunsSqlOnAnotherRoomsTables() {
        Map<String, String> entityOwners = platform.stream().filter(ArchitectureRulesTest::isEntity)
                .collect(Collectors.toMap(JavaClass::getSimpleName, ArchitectureRulesTest::roomOf));
        classes().that().resideOutsideOfPackage(room("inference"))
                .should(new ArchCondition<>("run SQL only on their own room's tables") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        for (String sql : stringConstants(c)) {
                            for (String name : namesIn(sql, entityOwners.keySet())) {
                                String owner = TABLE_OWNERS.getOrDefault(name, entityOwners.get(name));
                                if (owner != null && !owner.equals(roomOf(c))) {
                                    events.add(SimpleConditionEvent.violated(c, c.getName() + " runs SQL on "
                                            + name + ", owned by " + owner + ": \"" + sql.strip().lines()
                                            .findFirst().orElse("") + "...\""));
                                }
                            }
                        }
                    }
                }).check(platform);
    }

    @Test
    void everyTableHasAnOwner() throws IOException {
        Pattern create = Pattern.compile("(?i)create\\s+(?:unlogged\\s+)?table\\s+(?:if\\s+not\\s+exists\\s+)?(\\w+)");
        Set<String> tables = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("migrations"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".sql")).toList()) {
                Matcher m = create.matcher(Files.readString(f));
                while (m.find()) {
                    tables.add(m.group(1).toLowerCase());
                }
            }
        }
        tables.removeAll(TABLE_OWNERS.keySet());
        assertEquals(Set.of(), tables, "tables without an owning room: add them to TABLE_OWNERS");
    }

    /** SQL keywords before a table (or JPQL entity) name. */
    private static final Pattern TABLE_AFTER_KEYWORD =
            Pattern.compile("(?i)\\b(?:from|join|into|update|using|table)\\s+(\\w+)");
    /** The further entities of a JPQL cross join ("from Message m, Conversation c"). */
    private static final Pattern AFTER_COMMA = Pattern.compile(",\\s*(\\w+)\\s+\\w+");

    private static Set<String> namesIn(String sql, Set<String> entityNames) {
        Set<String> names = new TreeSet<>();
        Matcher m = TABLE_AFTER_KEYWORD.matcher(sql);
        while (m.find()) {
            String name = m.group(1);
            names.add(entityNames.contains(name) ? name : name.toLowerCase());
        }
        Matcher comma = AFTER_COMMA.matcher(sql);
        while (comma.find()) {
            if (entityNames.contains(comma.group(1))) {
                names.add(comma.group(1));
            }
        }
        return names;
    }

    /** The string constants of a class file: SQL in text blocks and literals ends up there. */
    private static Set<String> stringConstants(JavaClass c) {
        Optional<java.net.URI> uri = c.getSource().map(s -> s.getUri());
        if (uri.isEmpty()) {
            return Set.of();
        }
        try (InputStream in = uri.get().toURL().openStream()) {
            Set<String> strings = new TreeSet<>();
            for (PoolEntry e : ClassFile.of().parse(in.readAllBytes()).constantPool()) {
                if (e instanceof StringEntry s) {
                    strings.add(s.stringValue());
                }
            }
            return strings;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + uri.get(), e);
        }
    }

    /** A query (any static method, e.g. Panache's find/list/count), a Panache write, a field write or a new row. */
    private static boolean touchesStorage(JavaAccess<?> access) {
        return switch (access) {
            case JavaFieldAccess f -> f.getAccessType() == JavaFieldAccess.AccessType.SET;
            case JavaConstructorCall ignored -> true;
            case JavaMethodCall call -> call.getTarget().resolveMember().map(ArchitectureRulesTest::queryOrWrite)
                    .orElse(true);
            default -> false;
        };
    }

    private static boolean queryOrWrite(JavaMember method) {
        return method.getModifiers().contains(JavaModifier.STATIC)
                || method.getOwner().isEquivalentTo(PanacheEntityBase.class);
    }

    private static boolean isEntity(JavaClass c) {
        return c.isAnnotatedWith(Entity.class);
    }

    private static String roomOf(JavaClass c) {
        String p = c.getPackageName();
        String rest = p.startsWith(ROOT + ".") ? p.substring(ROOT.length() + 1) : p;
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static String room(String name) {
        return ROOT + "." + name + "..";
    }

}
