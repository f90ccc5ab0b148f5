package dev.switchboard.dashboard;

import dev.switchboard.common.security.LogSafe;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Slows password guessing at the dashboard login: after a few failures for one account, or more for one client
 * address, further attempts (even with the right password) wait out a lockout that doubles with each failure, up to
 * a cap. Each lockout is logged. Counts live in this replica's memory; with N replicas a guesser gets at most N times
 * the attempts, still a handful per minute.
 */
@ApplicationScoped
public class LoginThrottle {

    private static final Logger LOG = Logger.getLogger(LoginThrottle.class);

    @Inject
    DashboardConfig config;

    @Inject
    Clock clock;

    private final Map<String, Failures> byAccount = new ConcurrentHashMap<>();
    private final Map<String, Failures> byAddress = new ConcurrentHashMap<>();

    private record Failures(int count, Instant lockedUntil, Instant last) {}

    /** Forgets every count (tests share one address). */
    void reset() {
        byAccount.clear();
        byAddress.clear();
    }

    /** How long this account or address must still wait before a login is tried; empty when it may try now. */
    public Optional<Duration> lockedFor(String email, String address) {
        Instant now = clock.instant();
        Instant until = later(locked(byAccount.get(key(email)), now), locked(byAddress.get(address), now));
        return until == null ? Optional.empty() : Optional.of(Duration.between(now, until));
    }

    public void failed(String email, String address) {
        Instant now = clock.instant();
        Failures account = count(byAccount, key(email), config.loginFailuresPerAccount(), now);
        Failures client = count(byAddress, address, config.loginFailuresPerAddress(), now);
        if (account.lockedUntil() != null && account.lockedUntil().isAfter(now)
                || client.lockedUntil() != null && client.lockedUntil().isAfter(now)) {
            LOG.warnf("Dashboard login locked after failed attempts: account '%s' (%d failures), address %s "
                    + "(%d failures)", LogSafe.path(key(email)), account.count(), LogSafe.path(address),
                    client.count());
        }
    }

    public void succeeded(String email) {
        byAccount.remove(key(email));
    }

    private Failures count(Map<String, Failures> map, String key, int allowed, Instant now) {
        Failures f = map.compute(key, (k, old) -> {
            int n = old == null || old.last().plus(config.loginLockoutMax()).isBefore(now) ? 1 : old.count() + 1;
            Instant until = n < allowed ? null : now.plus(backoff(n - allowed));
            return new Failures(n, until, now);
        });
        if (map.size() > 100_000) {
            map.entrySet().removeIf(e -> e.getValue().last().plus(config.loginLockoutMax()).isBefore(now));
        }
        return f;
    }

    /** 1 s after the last allowed failure, doubling with each further one, capped. */
    private Duration backoff(int beyond) {
        Duration d = Duration.ofSeconds(1L << Math.min(beyond, 20));
        return d.compareTo(config.loginLockoutMax()) > 0 ? config.loginLockoutMax() : d;
    }

    private static Instant locked(Failures f, Instant now) {
        return f == null || f.lockedUntil() == null || !f.lockedUntil().isAfter(now) ? null : f.lockedUntil();
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }

    private static String key(String email) {
        return email == null ? "" : email.strip().toLowerCase(Locale.ROOT);
    }
}
