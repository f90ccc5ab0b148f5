package dev.switchboard.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.conversation.ConversationResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every route says who may call it; one that does not is refused to everyone. */
@QuarkusTest
class DenyByDefaultTest {

    private static final List<Class<? extends Annotation>> HTTP_METHODS = List.of(GET.class, POST.class, PUT.class,
            DELETE.class, PATCH.class, HEAD.class, OPTIONS.class);
    private static final List<Class<? extends Annotation>> DECISIONS = List.of(RolesAllowed.class, PermitAll.class,
            DenyAll.class, io.quarkus.security.Authenticated.class);

    @Test
    void everyRestAndDashboardRouteCarriesARoleAnnotation() throws Exception {
        List<String> routes = new ArrayList<>();
        List<String> unannotated = new ArrayList<>();
        for (Class<?> resource : resourceClasses()) {
            for (Method m : resource.getDeclaredMethods()) {
                boolean route = Modifier.isPublic(m.getModifiers())
                        && (HTTP_METHODS.stream().anyMatch(m::isAnnotationPresent)
                                || m.isAnnotationPresent(Path.class));
                if (!route) {
                    continue;
                }
                String name = resource.getSimpleName() + "." + m.getName();
                routes.add(name);
                if (DECISIONS.stream().noneMatch(a -> m.isAnnotationPresent(a) || resource.isAnnotationPresent(a))) {
                    unannotated.add(name);
                }
            }
        }
        // The API (conversations, FAQ, webhooks, workspaces, data rights) and the dashboard: at least issue 17's 53.
        assertTrue(routes.size() >= 53, routes.size() + " routes found: " + routes);
        assertTrue(routes.stream().anyMatch(r -> r.startsWith("AgentAdminPages.")), routes.toString());
        assertEquals(List.of(), unannotated, "routes without @RolesAllowed/@PermitAll/@DenyAll");
    }

    @Test
    void anUnannotatedRouteIsDeniedToAnonymousCallersAndToTheOwner() {
        // 401 for no credentials, 403 for any credentials: nobody reaches it.
        given().get("/test/unannotated-probe").then().statusCode(401);
        given().header("Authorization", "Bearer test-admin-token").get("/test/unannotated-probe").then()
                .statusCode(403);
    }

    /** The application's resource classes, read from its compiled classes (the engine's own server is no JAX-RS). */
    private static List<Class<?>> resourceClasses() throws Exception {
        // Quarkus' test class loader has no code source: read the build's classes folder (tests run in the project).
        java.nio.file.Path root = Paths.get("target/classes").toAbsolutePath();
        assertTrue(Files.isRegularFile(root.resolve(
                ConversationResource.class.getName().replace('.', '/') + ".class")), root.toString());
        try (Stream<java.nio.file.Path> files = Files.walk(root)) {
            List<String> names = files.map(p -> root.relativize(p).toString())
                    .filter(n -> n.endsWith(".class") && n.startsWith("dev/switchboard/")
                            && !n.startsWith("dev/switchboard/inference/"))
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.')).toList();
            List<Class<?>> resources = new ArrayList<>();
            for (String n : names) {
                Class<?> c = Class.forName(n, false, DenyByDefaultTest.class.getClassLoader());
                if (c.isAnnotationPresent(Path.class)) {
                    resources.add(c);
                }
            }
            return resources;
        }
    }
}
