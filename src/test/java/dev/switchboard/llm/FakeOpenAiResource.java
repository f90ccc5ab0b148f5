package dev.switchboard.llm;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/**
 * Runs a {@link FakeOpenAiServer} for the Quarkus tests and points {@code switchboard.inference.url} at it, with
 * short timeouts so the slow-model tests stay quick. Fields annotated {@link Inject} receive the server.
 */
public class FakeOpenAiResource implements QuarkusTestResourceLifecycleManager {

    /** Marks a test's {@link FakeOpenAiServer} field. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inject {}

    public static final String MODEL = "llama-test";

    private FakeOpenAiServer server;

    @Override
    public Map<String, String> start() {
        server = FakeOpenAiServer.start();
        return Map.of(
                "switchboard.inference.url", server.baseUrl().toString(),
                "switchboard.inference.model", MODEL,
                "switchboard.inference.first-token-timeout", "1s",
                "switchboard.inference.total-timeout", "20s");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(server,
                new TestInjector.AnnotatedAndMatchesType(Inject.class, FakeOpenAiServer.class));
    }

    @Override
    public void stop() {
        server.close();
    }
}
