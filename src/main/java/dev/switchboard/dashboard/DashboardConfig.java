package dev.switchboard.dashboard;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "switchboard.dashboard")
public interface DashboardConfig {

    /** A session unused for this long is over: the agent logs in again (env SWITCHBOARD_DASHBOARD_SESSION_IDLE_TIMEOUT). */
    @WithDefault("8h")
    Duration sessionIdleTimeout();

    /** A session ends this long after login however busy it is (env SWITCHBOARD_DASHBOARD_SESSION_ABSOLUTE_TIMEOUT). */
    @WithDefault("12h")
    Duration sessionAbsoluteTimeout();

    /** Failed logins for one account before each further attempt waits (a lockout doubling from 1 s). */
    @WithDefault("5")
    int loginFailuresPerAccount();

    /** Failed logins from one client address, over all accounts, before its attempts wait likewise. */
    @WithDefault("20")
    int loginFailuresPerAddress();

    /** The longest lockout; failures older than this are forgotten. */
    @WithDefault("15m")
    Duration loginLockoutMax();

    /** The demo admin created with the demo workspace (its random password is kept in data/demo-admin-password). */
    @WithDefault("admin@demo.local")
    String demoAdminEmail();
}
