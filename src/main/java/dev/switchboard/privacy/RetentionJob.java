package dev.switchboard.privacy;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jboss.logging.Logger;

/**
 * Deletes resolved conversations (with messages, events and webhook deliveries) idle longer than their workspace's
 * retention period ({@code retentionDays} of the workspace policy; none: kept). One statement, so replicas running
 * it at the same time only find less to delete.
 */
@ApplicationScoped
public class RetentionJob {

    private static final Logger LOG = Logger.getLogger(RetentionJob.class);

    @Inject
    EntityManager em;

    @Inject
    Clock clock;

    @Scheduled(every = "${switchboard.retention.interval:1h}", delayed = "5m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void run() {
        try {
            deleteExpired();
        } catch (RuntimeException e) {
            LOG.warnf("Retention run skipped: %s", e.getMessage());
        }
    }

    /** @return how many conversations were deleted */
    public int deleteExpired() {
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        int deleted = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                        delete from conversations c using workspace_policies p
                        where p.workspace_id = c.workspace_id and p.retention_days is not null
                          and c.status = 'resolved'
                          and c.last_activity_at < cast(?1 as timestamptz) - make_interval(days => p.retention_days)""")
                .setParameter(1, now).executeUpdate());
        if (deleted > 0) {
            LOG.infof("Retention: deleted %d resolved conversation(s) past their workspace's retention period",
                    deleted);
        }
        return deleted;
    }
}
