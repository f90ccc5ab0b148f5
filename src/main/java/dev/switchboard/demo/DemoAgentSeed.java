package dev.switchboard.demo;

import dev.switchboard.common.OwnerOnlyFiles;
import dev.switchboard.common.config.SwitchboardConfig;
import dev.switchboard.dashboard.Agent;
import dev.switchboard.dashboard.AgentRole;
import dev.switchboard.dashboard.AgentService;
import dev.switchboard.dashboard.DashboardConfig;
import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * With the demo workspace, a demo admin for the agent dashboard: created on first start with a random password,
 * which is kept in {@code <data-dir>/demo-admin-password} (0600; the database holds only its bcrypt hash) and
 * named at every start, like the demo keys (never the password itself: no secret goes to the log).
 */
@ApplicationScoped
public class DemoAgentSeed {

    private static final Logger LOG = Logger.getLogger(DemoAgentSeed.class);
    static final String PASSWORD_FILE = "demo-admin-password";

    @Inject
    SwitchboardConfig config;

    @Inject
    DashboardConfig dashboard;

    @Inject
    AgentService agents;

    @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
    int httpPort;

    private volatile String banner;

    // After DemoSeed (200): the demo workspace exists.
    void onStart(@Observes @Priority(300) StartupEvent ignored) {
        if (config.demo().enabled()) {
            banner = QuarkusTransaction.requiringNew().call(this::seedAndDescribe);
            LOG.info(banner);
        }
    }

    /** What was printed at start-up about the demo admin; null when the demo is disabled. */
    public String banner() {
        return banner;
    }

    public Path passwordFile() {
        return Path.of(config.dataDir()).resolve(PASSWORD_FILE).toAbsolutePath().normalize();
    }

    private String seedAndDescribe() {
        Path file = passwordFile();
        String email = dashboard.demoAdminEmail();
        Optional<Agent> existing = agents.findByEmail(email);
        String password;
        if (existing.isEmpty()) {
            AgentService.Created created = agents.create(email, "Demo Admin", null, AgentRole.ADMIN,
                    List.of(DemoSeed.WORKSPACE_ID));
            password = created.generatedPassword();
            OwnerOnlyFiles.write(file, password);
        } else {
            password = DemoSeed.readKey(file).filter(p -> BcryptUtil.matches(p, existing.get().passwordHash))
                    .orElse(null);
        }
        return String.join("\n",
                "Agent dashboard: http://localhost:" + httpPort + "/agent/login",
                "  e-mail:   " + email,
                password != null ? "  password: in " + file
                        : "  password: unknown: " + file + " is missing or was changed");
    }
}
