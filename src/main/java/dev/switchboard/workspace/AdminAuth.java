package dev.switchboard.workspace;

import dev.switchboard.common.OwnerOnlyFiles;
import dev.switchboard.common.Secrets;
import dev.switchboard.common.config.SwitchboardConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * The admin token that makes a caller the installation owner (see AdminTokenMechanism): the configured token, or in
 * dev mode only a generated one written to an owner-only file.
 */
@Startup
@ApplicationScoped
public class AdminAuth {

    private static final Logger LOG = Logger.getLogger(AdminAuth.class);

    @Inject
    SwitchboardConfig config;

    private String token;

    @PostConstruct
    void init() {
        token = config.adminToken().filter(t -> !t.isBlank()).orElse(null);
        if (token == null && LaunchMode.current() == LaunchMode.DEVELOPMENT) {
            token = Secrets.newToken("sba_");
            // Into an owner-only file, not the log: no secret is ever logged.
            Path file = Path.of(config.dataDir()).resolve("dev-admin-token").toAbsolutePath().normalize();
            OwnerOnlyFiles.write(file, token);
            LOG.infof("Admin token generated for this dev session in %s (set SWITCHBOARD_ADMIN_TOKEN to fix one)",
                    file);
        } else if (token == null) {
            LOG.info("Admin API disabled: set SWITCHBOARD_ADMIN_TOKEN to enable it");
        }
    }

    /** Whether a bearer token is the admin token (never, while the admin API is disabled). */
    public boolean matches(String presented) {
        return token != null && Secrets.constantTimeEquals(presented, token);
    }
}
