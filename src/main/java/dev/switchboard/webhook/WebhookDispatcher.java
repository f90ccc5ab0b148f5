package dev.switchboard.webhook;

import dev.switchboard.common.SecretBox;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jboss.logging.Logger;

/**
 * Sends due outbox rows. Every replica polls; a claim is one UPDATE over rows picked with FOR UPDATE SKIP LOCKED
 * that counts the attempt and leases the row (its next attempt moves past the request timeout), so replicas never
 * send the same row at once, and a replica that dies mid-send leaves a row that is simply sent again when the lease
 * ends, with the same delivery id for the receiver to dedupe by.
 */
@ApplicationScoped
public class WebhookDispatcher {

    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
    private static final int MAX_ERROR = 500;

    private static final String CLAIM = """
            update webhook_deliveries d set attempts = d.attempts + 1, next_attempt_at = ?, last_attempt_at = ?
            from webhooks w
            where w.id = d.webhook_id and d.id in (
              select id from webhook_deliveries where status = 'pending' and next_attempt_at <= ?
              order by next_attempt_at limit ? for update skip locked)
            returning d.id, d.webhook_id, d.event_type, d.payload, d.attempts, w.url, w.secret_encrypted""";

    private record Claimed(UUID id, UUID webhookId, String eventType, String payload, int attempts, String url,
                           String sealedSecret) {}

    private record Outcome(Integer statusCode, String error) {
        boolean delivered() {
            return statusCode != null && statusCode >= 200 && statusCode < 300;
        }
    }

    @Inject
    AgroalDataSource dataSource;

    @Inject
    SecretBox secrets;

    @Inject
    WebhookConfig config;

    @Inject
    Clock clock;

    @Inject
    WebhookTargets targets;

    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private HttpClient http;

    @Scheduled(every = "${switchboard.webhooks.poll-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        try {
            dispatchDue();
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Webhook dispatch skipped this round: %s", e.getMessage());
        }
    }

    /** Sends every delivery due now (one batch) and records the outcomes; returns how many were attempted. */
    int dispatchDue() throws SQLException {
        List<Claimed> claimed = claim();
        List<Future<?>> sends = new ArrayList<>();
        for (Claimed c : claimed) {
            sends.add(senders.submit(() -> record(c, send(c))));
        }
        for (Future<?> f : sends) {
            try {
                f.get();
            } catch (Exception e) {
                LOG.warnf(e, "A webhook send failed unexpectedly; the delivery is retried after its lease");
            }
        }
        return claimed.size();
    }

    /** The wait after {@code attempts} failed attempts: base, 2 x base, 4 x base, ... capped. */
    static Duration backoff(int attempts, Duration base, Duration max) {
        int doublings = Math.min(Math.max(attempts - 1, 0), 30);
        Duration wait = base.multipliedBy(1L << doublings);
        return wait.compareTo(max) > 0 ? max : wait;
    }

    private List<Claimed> claim() throws SQLException {
        Instant now = clock.instant();
        Instant lease = now.plus(config.timeout()).plus(config.timeout());
        List<Claimed> claimed = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(CLAIM)) {
            s.setTimestamp(1, Timestamp.from(lease));
            s.setTimestamp(2, Timestamp.from(now));
            s.setTimestamp(3, Timestamp.from(now));
            s.setInt(4, config.batchSize());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    claimed.add(new Claimed(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                            rs.getString(3), rs.getString(4), rs.getInt(5), rs.getString(6), rs.getString(7)));
                }
            }
        }
        return claimed;
    }

    private Outcome send(Claimed d) {
        try {
            targets.checkForDelivery(d.url());
        } catch (WebhookTargets.Refused e) {
            return new Outcome(null, "refused: " + e.getMessage());
        }
        try {
            String secret = secrets.decrypt(d.sealedSecret(), WebhookService.secretContext(d.webhookId()));
            HttpRequest request = HttpRequest.newBuilder(URI.create(d.url()))
                    .timeout(config.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Switchboard-Webhooks/1")
                    .header("X-Switchboard-Delivery", d.id().toString())
                    .header("X-Switchboard-Event", d.eventType())
                    .header(WebhookSignature.HEADER,
                            WebhookSignature.header(secret, clock.instant().getEpochSecond(), d.payload()))
                    .POST(HttpRequest.BodyPublishers.ofString(d.payload()))
                    .build();
            HttpResponse<Void> response = client().send(request, HttpResponse.BodyHandlers.discarding());
            return new Outcome(response.statusCode(),
                    response.statusCode() / 100 == 2 ? null : "HTTP " + response.statusCode());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(null, "interrupted (shutting down)");
        } catch (HttpTimeoutException e) {
            return new Outcome(null, "timed out");
        } catch (Exception e) {
            // No exception text: which ports answer, refuse or time out on a host is no business of the log's reader.
            return new Outcome(null, "could not deliver (no HTTP response)");
        }
    }

    private void record(Claimed d, Outcome outcome) {
        Instant now = clock.instant();
        boolean giveUp = !outcome.delivered() && d.attempts() >= config.maxAttempts();
        String status = outcome.delivered() ? WebhookDelivery.DELIVERED
                : giveUp ? WebhookDelivery.FAILED : WebhookDelivery.PENDING;
        Instant next = outcome.delivered() || giveUp ? now
                : now.plus(backoff(d.attempts(), config.retryBase(), config.retryMax()));
        String error = outcome.error() == null ? null
                : outcome.error().substring(0, Math.min(outcome.error().length(), MAX_ERROR));
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "update webhook_deliveries set status = ?, next_attempt_at = ?, last_status_code = ?, last_error = ?"
                        + " where id = ?")) {
            s.setString(1, status);
            s.setTimestamp(2, Timestamp.from(next));
            if (outcome.statusCode() == null) {
                s.setNull(3, Types.INTEGER);
            } else {
                s.setInt(3, outcome.statusCode());
            }
            s.setString(4, error);
            s.setObject(5, d.id());
            s.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("Could not record the outcome of webhook delivery %s (%s); it is sent again after its lease",
                    d.id(), e.getMessage());
        }
        if (!outcome.delivered()) {
            LOG.debugf("Webhook delivery %s attempt %d failed: %s", d.id(), d.attempts(), error);
        }
    }

    private synchronized HttpClient client() {
        if (http == null) {
            // No redirects: a receiver's redirect must not send signed customer data somewhere else.
            http = HttpClient.newBuilder().connectTimeout(config.timeout())
                    .followRedirects(HttpClient.Redirect.NEVER).executor(senders).build();
        }
        return http;
    }

    @PreDestroy
    void stop() {
        senders.shutdownNow();
    }
}
