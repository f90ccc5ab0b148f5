package dev.switchboard.dashboard;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "switchboard.dashboard")
public interface DashboardConfig {

    /** A session unused for this long is over: the agent logs in again (env SWITCHBOARD_DASHBOARD_SESSION_IDLE_TIMEOUT). */
    @WithDefault("8h")
    Duration sessionIdleTimeout();

    /** The demo admin created with the demo workspace (its random password is printed at start-up). */
    @WithDefault("admin@demo.local")
    String demoAdminEmail();
}
