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
import java.util.UUID;

/**
 * Fixed-window rate limits whose counters live in PostgreSQL, so all replicas share them: each check is one upsert
 * that opens a new window or counts into the current one and returns the count (atomic under the row lock the
 * upsert takes). Over the limit: a 429 problem with Retry-After, the seconds until the window ends.
 */
@ApplicationScoped
public class RateLimiter {

    // A newer window (by the caller's clock) restarts the count; the same or an older one counts into the stored one,
    // so replicas with slightly different clocks never reset each other's windows backwards.
    private static final String HIT = """
            insert into rate_limit_windows as w (bucket, window_start, window_end, hits) values (?, ?, ?, 1)
            on conflict (bucket) do update set
              hits = case when excluded.window_start > w.window_start then 1 else w.hits + 1 end,
              window_end = greatest(w.window_end, excluded.window_end),
              window_start = greatest(w.window_start, excluded.window_start)
            returning hits, window_end""";

    @Inject
    AgroalDataSource dataSource;

    @Inject
    RateLimitConfig config;

    @Inject
    ClientAddress clientAddress;

    @Inject
    Clock clock;

    /** A widget starts a conversation: counts per client address and per site key of the workspace. */
    public void widgetConversation(UUID workspaceId) {
        if (config.enabled()) {
            WorkspacePolicy policy = WorkspacePolicy.findById(workspaceId);
            String ip = clientAddress.current();
            check(Limit.CONVERSATIONS_PER_IP, workspaceId + "|" + ip, policy);
            check(Limit.CONVERSATIONS_PER_SITE, workspaceId.toString(), policy);
        }
    }

    /** A widget posts a message: counts per client address and per site key of the workspace. */
    public void widgetMessage(UUID workspaceId) {
        if (config.enabled()) {
            WorkspacePolicy policy = WorkspacePolicy.findById(workspaceId);
            String ip = clientAddress.current();
            check(Limit.MESSAGES_PER_IP, workspaceId + "|" + ip, policy);
            check(Limit.MESSAGES_PER_SITE, workspaceId.toString(), policy);
        }
    }

    /** A REST API request with an API key, identified by the key's hash (never the key). */
    public void apiRequest(UUID workspaceId, String apiKeyHash) {
        if (config.enabled()) {
            check(Limit.API_REQUESTS_PER_KEY, apiKeyHash, WorkspacePolicy.findById(workspaceId));
        }
    }

    private void check(Limit limit, String key, WorkspacePolicy policy) {
        int max = limit.max(policy, config);
        Instant now = clock.instant();
        long windowMillis = limit.window.toMillis();
        Instant start = Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), windowMillis) * windowMillis);
        Instant end = start.plus(limit.window);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(HIT)) {
            s.setString(1, limit.prefix + ":" + key);
            s.setTimestamp(2, Timestamp.from(start));
            s.setTimestamp(3, Timestamp.from(end));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                int hits = rs.getInt(1);
                Instant windowEnd = rs.getTimestamp(2).toInstant();
                if (hits > max) {
                    long retryAfter = Math.max(1, (windowEnd.toEpochMilli() - now.toEpochMilli() + 999) / 1000);
                    throw ApiException.tooManyRequests("Too many " + limit.what + ": at most " + max + " per "
                            + limit.per() + "; retry in " + retryAfter + " s", retryAfter);
                }
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
            s.setTimestamp(1, Timestamp.from(clock.instant()));
            s.executeUpdate();
        }
    }
}
