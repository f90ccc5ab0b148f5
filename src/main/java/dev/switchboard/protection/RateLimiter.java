package dev.switchboard.protection;

import dev.switchboard.common.ApiException;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fixed-window rate limits whose counters live in PostgreSQL, so all replicas share them: a check is an upsert
 * that opens a new window or counts into the current one and returns the count (atomic under the row lock the
 * upsert takes). Over the limit: a 429 problem with Retry-After, the seconds until the window ends.
 *
 * <p>A high limit is not counted in the database one request at a time (one write, on one hot row, per request):
 * a replica takes hits in leases of a hundredth of the limit and hands them out from memory until the lease is used
 * up or the window ends. The database's count therefore never falls behind what was admitted, so all replicas
 * together never admit more than the limit; hits leased but not used by a replica are lost to the others for that
 * window (at most a hundredth of the limit per replica). Limits under 200 lease one hit: counted exactly as before.
 */
@ApplicationScoped
public class RateLimiter {

    // A newer window (by the caller's clock) restarts the count; the same or an older one counts into the stored one,
    // so replicas with slightly different clocks never reset each other's windows backwards.
    private static final String HIT = """
            insert into rate_limit_windows as w (bucket, window_start, window_end, hits) values (?, ?, ?, ?)
            on conflict (bucket) do update set
              hits = case when excluded.window_start > w.window_start then excluded.hits else w.hits + excluded.hits end,
              window_end = greatest(w.window_end, excluded.window_end),
              window_start = greatest(w.window_start, excluded.window_start)
            returning hits, window_end""";

    @Inject
    AgroalDataSource dataSource;

    /** A limit leases this share of itself at a time (see the class comment). */
    static final int LEASE_DIVISOR = 100;

    /** Hits this replica leased from a window's count and has not handed out yet. */
    private static final class Lease {
        Instant windowStart = Instant.MIN;
        Instant windowEnd = Instant.MIN;
        int max;
        int left;
    }

    private final Map<String, Lease> leases = new ConcurrentHashMap<>();

    @Inject
    WorkspacePolicies policies;

    @Inject
    RateLimitConfig config;

    @Inject
    ClientAddress clientAddress;

    @Inject
    Clock clock;

    /** A widget starts a conversation: counts per client address and per site key of the workspace. */
    public void widgetConversation(UUID workspaceId) {
        if (config.enabled()) {
            WorkspacePolicies.Policy policy = policies.current(workspaceId);
            String ip = clientAddress.current();
            check(Limit.CONVERSATIONS_PER_IP, workspaceId + "|" + ip, policy);
            check(Limit.CONVERSATIONS_PER_SITE, workspaceId.toString(), policy);
        }
    }

    /** A widget posts a message: counts per client address and per site key of the workspace. */
    public void widgetMessage(UUID workspaceId) {
        if (config.enabled()) {
            WorkspacePolicies.Policy policy = policies.current(workspaceId);
            String ip = clientAddress.current();
            check(Limit.MESSAGES_PER_IP, workspaceId + "|" + ip, policy);
            check(Limit.MESSAGES_PER_SITE, workspaceId.toString(), policy);
        }
    }

    /** A REST API request with an API key, identified by the key's hash (never the key). */
    public void apiRequest(UUID workspaceId, String apiKeyHash) {
        if (config.enabled()) {
            check(Limit.API_REQUESTS_PER_KEY, apiKeyHash, policies.current(workspaceId));
        }
    }

    private void check(Limit limit, String key, WorkspacePolicies.Policy policy) {
        int max = limit.max(policy, config);
        Instant now = clock.instant();
        long windowMillis = limit.window.toMillis();
        Instant start = Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), windowMillis) * windowMillis);
        Instant end = start.plus(limit.window);
        String bucket = limit.prefix + ":" + key;
        int leaseSize = max / LEASE_DIVISOR;
        if (leaseSize <= 1) {
            claim(limit, bucket, start, end, 1, max, now);
            return;
        }
        Lease lease = leases.computeIfAbsent(bucket, b -> new Lease());
        synchronized (lease) {
            if (!lease.windowStart.equals(start) || lease.max != max) {
                // A new window, or a changed limit (a lower one applies at once, not after the lease).
                lease.windowStart = start;
                lease.windowEnd = end;
                lease.max = max;
                lease.left = 0;
            }
            if (lease.left == 0) {
                lease.left = claim(limit, bucket, start, end, leaseSize, max, now);
            }
            lease.left--;
        }
    }

    /**
     * Counts {@code hits} into the bucket's window and returns how many of them fit under the limit (at least one);
     * a 429 when none does.
     */
    private int claim(Limit limit, String bucket, Instant start, Instant end, int hits, int max, Instant now) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(HIT)) {
            s.setString(1, bucket);
            s.setTimestamp(2, Timestamp.from(start));
            s.setTimestamp(3, Timestamp.from(end));
            s.setInt(4, hits);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                int counted = rs.getInt(1);
                Instant windowEnd = rs.getTimestamp(2).toInstant();
                int granted = Math.min(hits, max - (counted - hits));
                if (granted <= 0) {
                    long retryAfter = Math.max(1, (windowEnd.toEpochMilli() - now.toEpochMilli() + 999) / 1000);
                    throw ApiException.tooManyRequests("Too many " + limit.what + ": at most " + max + " per "
                            + limit.per() + "; retry in " + retryAfter + " s", retryAfter);
                }
                return granted;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("counting " + limit.prefix + " requests", e);
        }
    }

    /** Ended windows count nothing any more; this keeps the table as small as the set of active clients. */
    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeEnded() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("delete from rate_limit_windows where window_end < ?")) {
            Instant now = clock.instant();
            s.setTimestamp(1, Timestamp.from(now));
            s.executeUpdate();
            leases.values().removeIf(lease -> lease.windowEnd.isBefore(now));
        }
    }
}
