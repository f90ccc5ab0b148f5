package dev.switchboard.protection;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/** What is counted, in which window, and where its limit comes from (the workspace's override or the default). */
public enum Limit {
    CONVERSATIONS_PER_IP("conv-ip", Duration.ofHours(1), "new conversations from this address",
            WorkspacePolicies.Policy::conversationsPerIpHour, RateLimitConfig::conversationsPerIpHour),
    MESSAGES_PER_IP("msg-ip", Duration.ofMinutes(1), "messages from this address",
            WorkspacePolicies.Policy::messagesPerIpMinute, RateLimitConfig::messagesPerIpMinute),
    CONVERSATIONS_PER_SITE("conv-site", Duration.ofHours(1), "new conversations for this site key",
            WorkspacePolicies.Policy::conversationsPerSiteHour, RateLimitConfig::conversationsPerSiteHour),
    MESSAGES_PER_SITE("msg-site", Duration.ofMinutes(1), "messages for this site key",
            WorkspacePolicies.Policy::messagesPerSiteMinute, RateLimitConfig::messagesPerSiteMinute),
    API_REQUESTS_PER_KEY("api-key", Duration.ofMinutes(1), "requests with this API key",
            WorkspacePolicies.Policy::apiRequestsPerKeyMinute, RateLimitConfig::apiRequestsPerKeyMinute);

    final String prefix;
    final Duration window;
    final String what;
    private final Function<WorkspacePolicies.Policy, Integer> override;
    private final ToIntFunction<RateLimitConfig> fallback;

    Limit(String prefix, Duration window, String what, Function<WorkspacePolicies.Policy, Integer> override,
            ToIntFunction<RateLimitConfig> fallback) {
        this.prefix = prefix;
        this.window = window;
        this.what = what;
        this.override = override;
        this.fallback = fallback;
    }

    int max(WorkspacePolicies.Policy policy, RateLimitConfig defaults) {
        Integer own = override.apply(policy);
        return own != null ? own : fallback.applyAsInt(defaults);
    }

    String per() {
        return window.equals(Duration.ofHours(1)) ? "hour" : "minute";
    }
}
