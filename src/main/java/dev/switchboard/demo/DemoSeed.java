package dev.switchboard.demo;

import dev.switchboard.common.OwnerOnlyFiles;
import dev.switchboard.common.config.SwitchboardConfig;
import dev.switchboard.faq.FaqService;
import dev.switchboard.workspace.Workspace;
import dev.switchboard.workspace.WorkspaceService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * So that a new user can chat at once: on first start creates the "Demo Shop" workspace with a realistic FAQ, and on
 * every start prints its site key and where its API key is. The database holds only the key's hash, so the plain key is
 * kept in
 * {@code <data-dir>/demo-api-key}, readable by its owner only.
 */
@ApplicationScoped
public class DemoSeed {

    private static final Logger LOG = Logger.getLogger(DemoSeed.class);

    /** Fixed, so the demo is found again on later starts whatever its name becomes. */
    public static final UUID WORKSPACE_ID = UUID.fromString("00000000-0000-4000-8000-00000000de70");
    public static final String WORKSPACE_NAME = "Demo Shop";
    static final String KEY_FILE = "demo-api-key";

    @Inject
    SwitchboardConfig config;

    @Inject
    WorkspaceService workspaces;

    @Inject
    FaqService faqs;

    @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
    int httpPort;

    private volatile String banner;

    // After FaqService's re-embedding (priority 100), which would otherwise redo the fresh entries' work.
    void onStart(@Observes @Priority(200) StartupEvent ignored) {
        if (config.demo().enabled()) {
            banner = QuarkusTransaction.requiringNew().call(this::seedAndDescribe);
            LOG.info(banner);
        }
    }

    /** What was printed at start-up about the demo workspace; null when the demo is disabled. */
    public String banner() {
        return banner;
    }

    public Path keyFile() {
        return Path.of(config.dataDir()).resolve(KEY_FILE).toAbsolutePath().normalize();
    }

    private String seedAndDescribe() {
        Path keyFile = keyFile();
        Workspace workspace = workspaces.find(WORKSPACE_ID).orElse(null);
        String apiKey;
        if (workspace == null) {
            WorkspaceService.Created created = workspaces.create(WORKSPACE_ID, WORKSPACE_NAME,
                    List.of("http://localhost:" + httpPort));
            DemoFaq.ENTRIES.forEach(e -> faqs.create(WORKSPACE_ID, e.question(), e.answer()));
            OwnerOnlyFiles.write(keyFile, created.apiKey());
            workspace = created.workspace();
            apiKey = created.apiKey();
        } else {
            apiKey = readKey(keyFile).filter(k -> workspaces.workspaceOfApiKey(k).equals(Optional.of(WORKSPACE_ID)))
                    .orElse(null);
        }
        String base = "http://localhost:" + httpPort;
        return String.join("\n",
                "Demo workspace \"" + workspace.name + "\" (" + workspace.id + ")",
                "  site key: " + workspace.siteKey,
                // A secret never goes to the log: the banner says where it is.
                apiKey != null
                        ? "  API key:  in " + keyFile
                        : "  API key:  unknown: " + keyFile + " is missing or holds a rotated key",
                "  chat:     " + base + "/   (a demo shop page with the chat widget)",
                "  try:      curl -H 'X-Site-Key: " + workspace.siteKey + "' -H 'Content-Type: application/json'"
                        + " -d '{\"visitorId\":\"me\"}' " + base + "/api/v1/conversations");
    }

    /** The file's content, stripped; empty when it does not exist or cannot be read. */
    static Optional<String> readKey(Path keyFile) {
        try {
            return OwnerOnlyFiles.read(keyFile);
        } catch (UncheckedIOException e) {
            LOG.warnf(e, "Could not read %s", keyFile);
            return Optional.empty();
        }
    }
}
