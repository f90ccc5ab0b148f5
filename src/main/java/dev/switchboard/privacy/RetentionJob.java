package dev.switchboard.privacy;

import dev.switchboard.conversation.ConversationService;
import dev.switchboard.protection.WorkspacePolicies;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Deletes resolved conversations (with messages, events and webhook deliveries) idle longer than their workspace's
 * retention period ({@code retentionDays} of the workspace policy; none: kept). One delete per such workspace, so
 * replicas running it at the same time only find less to delete.
 */
@ApplicationScoped
public class RetentionJob {

    private static final Logger LOG = Logger.getLogger(RetentionJob.class);

    @Inject
    WorkspacePolicies policies;

    @Inject
    ConversationService conversations;

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
        Instant now = clock.instant();
        int deleted = policies.retentionDays().entrySet().stream().mapToInt(p -> conversations
                .deleteResolvedIdleSince(p.getKey(), now.minus(Duration.ofDays(p.getValue())))).sum();
        if (deleted > 0) {
            LOG.infof("Retention: deleted %d resolved conversation(s) past their workspace's retention period",
                    deleted);
        }
        return deleted;
    }
}
