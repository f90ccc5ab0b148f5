package dev.switchboard.protection;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.ShortLivedCache;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/** The protection room's API to workspace policies: limit overrides and retention periods. */
@ApplicationScoped
public class WorkspacePolicies {

    static final int MAX_RETENTION_DAYS = 36500;
    static final int MAX_RATE = 1_000_000;

    /** A workspace's overrides; a null field means the configured default (retentionDays null: keep data). */
    public record Policy(Integer conversationsPerIpHour, Integer messagesPerIpMinute,
            Integer conversationsPerSiteHour, Integer messagesPerSiteMinute, Integer apiRequestsPerKeyMinute,
            Integer retentionDays) {

        static Policy of(WorkspacePolicy p) {
            return p == null ? new Policy(null, null, null, null, null, null)
                    : new Policy(p.conversationsPerIpHour, p.messagesPerIpMinute, p.conversationsPerSiteHour,
                            p.messagesPerSiteMinute, p.apiRequestsPerKeyMinute, p.retentionDays);
        }
    }

    /** How long this replica applies a workspace's limits without reading them again (replicas other than the one
     * that changed them see a change this much later). */
    static final Duration POLICY_KEPT = Duration.ofSeconds(5);

    @Inject
    Clock clock;

    @Inject
    TransactionSynchronizationRegistry transactions;

    /** Every rate-limited request reads its workspace's limits. */
    private ShortLivedCache<UUID, Policy> current;

    @PostConstruct
    void init() {
        current = new ShortLivedCache<>(clock, POLICY_KEPT, 10_000);
    }

    /** The workspace's policy as rate limits apply it: read at most every {@link #POLICY_KEPT} per replica. */
    Policy current(UUID workspaceId) {
        return current.get(workspaceId, id -> Optional.of(Policy.of(WorkspacePolicy.findById(id)))).orElseThrow();
    }

    @Transactional
    public Policy get(UUID workspaceId) {
        return Policy.of(WorkspacePolicy.findById(workspaceId));
    }

    /** Replaces the workspace's policy; a 400 names the first field out of range. */
    @Transactional
    public Policy replace(UUID workspaceId, Policy body) {
        current.forgetWhenDone(transactions, (workspace, policy) -> workspace.equals(workspaceId));
        WorkspacePolicy p = WorkspacePolicy.<WorkspacePolicy>findByIdOptional(workspaceId).orElseGet(() -> {
            WorkspacePolicy fresh = new WorkspacePolicy();
            fresh.workspaceId = workspaceId;
            fresh.persist();
            return fresh;
        });
        p.conversationsPerIpHour = positive(body.conversationsPerIpHour(), "conversationsPerIpHour", MAX_RATE);
        p.messagesPerIpMinute = positive(body.messagesPerIpMinute(), "messagesPerIpMinute", MAX_RATE);
        p.conversationsPerSiteHour = positive(body.conversationsPerSiteHour(), "conversationsPerSiteHour",
                MAX_RATE);
        p.messagesPerSiteMinute = positive(body.messagesPerSiteMinute(), "messagesPerSiteMinute", MAX_RATE);
        p.apiRequestsPerKeyMinute = positive(body.apiRequestsPerKeyMinute(), "apiRequestsPerKeyMinute", MAX_RATE);
        p.retentionDays = positive(body.retentionDays(), "retentionDays", MAX_RETENTION_DAYS);
        return Policy.of(p);
    }

    /** Workspaces with a retention period, and its days. */
    @Transactional
    public Map<UUID, Integer> retentionDays() {
        return WorkspacePolicy.<WorkspacePolicy>list("retentionDays is not null").stream()
                .collect(Collectors.toMap(p -> p.workspaceId, p -> p.retentionDays));
    }

    private static Integer positive(Integer value, String field, int max) {
        if (value != null && (value < 1 || value > max)) {
            throw ApiException.badRequest(
                    "Field '" + field + "' must be between 1 and " + max + ", or null for the default");
        }
        return value;
    }
}
