package dev.switchboard.dashboard;

import dev.switchboard.common.Secrets;
import dev.switchboard.common.Times;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Dashboard sessions in PostgreSQL (so any replica knows them): the browser holds a 256-bit random token in an
 * HttpOnly cookie, the table only its SHA-256. A session unused for the configured idle timeout is over, and so is
 * any session older than the absolute timeout, however busy.
 */
@ApplicationScoped
public class AgentSessions {

    public static final String COOKIE = "sb_agent";

    @Inject
    DashboardConfig config;

    /** Tests move it (TestClock) instead of sleeping through the idle timeout. */
    @Inject
    Clock clock;

    /** A new session: the cookie's token (never stored) and the stored row. */
    public record Opened(String token, AgentSession session) {}

    @Transactional
    public Opened open(UUID agentId) {
        String token = Secrets.newToken("as_");
        AgentSession s = new AgentSession();
        s.tokenHash = Secrets.sha256Hex(token);
        s.agentId = agentId;
        s.csrfToken = Secrets.newToken("");
        s.createdAt = now();
        s.lastSeenAt = s.createdAt;
        s.persist();
        return new Opened(token, s);
    }

    /** The live session of this token, marked as used now; empty when unknown, idle or too old (then deleted). */
    @Transactional
    public Optional<AgentSession> resolve(String token) {
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        AgentSession s = AgentSession.findById(Secrets.sha256Hex(token.strip()));
        if (s == null) {
            return Optional.empty();
        }
        Instant now = now();
        if (s.lastSeenAt.plus(config.sessionIdleTimeout()).isBefore(now)
                || s.createdAt.plus(config.sessionAbsoluteTimeout()).isBefore(now)) {
            s.delete();
            return Optional.empty();
        }
        s.lastSeenAt = now;
        return Optional.of(s);
    }

    @Transactional
    public void close(String token) {
        if (token != null && !token.isBlank()) {
            AgentSession.deleteById(Secrets.sha256Hex(token.strip()));
        }
    }

    @Scheduled(every = "1h", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void purgeIdle() {
        AgentSession.delete("lastSeenAt < ?1 or createdAt < ?2", now().minus(config.sessionIdleTimeout()),
                now().minus(config.sessionAbsoluteTimeout()));
    }

    private Instant now() {
        return Times.now(clock);
    }
}
