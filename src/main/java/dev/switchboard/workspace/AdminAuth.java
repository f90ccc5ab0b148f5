package dev.switchboard.workspace;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Secrets;
import dev.switchboard.common.config.SwitchboardConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Guards the admin API with the configured token (or, in dev mode only, a generated one printed at start-up). */
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
            LOG.infof("Admin token (generated for this dev session; set SWITCHBOARD_ADMIN_TOKEN to fix one): %s",
                    token);
        } else if (token == null) {
            LOG.info("Admin API disabled: set SWITCHBOARD_ADMIN_TOKEN to enable it");
        }
    }

    public void require(String authorization) {
        if (token == null) {
            throw ApiException.forbidden(
                    "The admin API is disabled: start Switchboard with SWITCHBOARD_ADMIN_TOKEN (switchboard.admin-token)");
        }
        String presented = Secrets.bearerToken(authorization);
        if (presented == null) {
            throw ApiException.unauthorized("The admin API needs Authorization: Bearer <admin token>");
        }
        if (!Secrets.constantTimeEquals(presented, token)) {
            throw ApiException.unauthorized("The admin token is not valid");
        }
    }
}
