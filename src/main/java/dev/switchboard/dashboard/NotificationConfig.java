package dev.switchboard.dashboard;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "switchboard.notifications")
public interface NotificationConfig {

    /** E-mail agents (through quarkus.mailer.*) when a conversation needs a person or their customer writes again. */
    @WithDefault("false")
    boolean emailEnabled();

    /** The dashboard's address as agents reach it, for the link in the e-mail. */
    @WithDefault("http://localhost:8080")
    String dashboardUrl();

    /** How long one mail may take before it is given up and retried (a server that stops answering, a lost reply). */
    @WithDefault("30s")
    Duration sendTimeout();
}
