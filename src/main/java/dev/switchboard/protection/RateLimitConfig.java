package dev.switchboard.protection;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Default rate limits; a workspace may override each (admin API, {@code /api/v1/workspaces/{id}/policy}). The
 * widget's limits count per client address and per site key; the REST API's per API key.
 */
@ConfigMapping(prefix = "switchboard.rate-limit")
public interface RateLimitConfig {

    /** Off: nothing is counted (for a deployment that limits at its proxy). */
    @WithDefault("true")
    boolean enabled();

    /** New widget conversations per client address per hour: a handful, as a person never needs more. */
    @WithDefault("5")
    int conversationsPerIpHour();

    /** Widget messages per client address per minute. */
    @WithDefault("20")
    int messagesPerIpMinute();

    /** New widget conversations per site key per hour (all visitors together). */
    @WithDefault("1000")
    int conversationsPerSiteHour();

    /** Widget messages per site key per minute (all visitors together). */
    @WithDefault("3000")
    int messagesPerSiteMinute();

    /** REST API requests per API key per minute. */
    @WithDefault("600")
    int apiRequestsPerKeyMinute();
}
