package dev.switchboard.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

@ConfigMapping(prefix = "switchboard.webhooks")
public interface WebhookConfig {

    /**
     * How often each replica looks for due deliveries. Read by {@code WebhookDispatcher}'s {@code @Scheduled}
     * expression; declared here too because a key under this prefix that maps to nothing fails the start-up.
     */
    @WithDefault("1s")
    Duration pollInterval();

    /** The wait after the first failed attempt; it doubles after each further one. */
    @WithDefault("10s")
    Duration retryBase();

    /** The longest wait between two attempts. */
    @WithDefault("1h")
    Duration retryMax();

    /** Attempts before a delivery is given up (status failed). */
    @WithDefault("12")
    int maxAttempts();

    /** Per attempt: connecting and receiving the response. */
    @WithDefault("10s")
    Duration timeout();

    /**
     * Hosts an operator trusts as webhook targets although they are internal (an intranet receiver): http is allowed
     * for them and their addresses are not checked. Every other target is https to public addresses only.
     */
    Optional<List<String>> allowedHosts();

    /** Deliveries claimed per poll by one replica. */
    @WithDefault("50")
    int batchSize();
}
