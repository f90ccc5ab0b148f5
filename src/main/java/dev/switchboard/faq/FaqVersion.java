package dev.switchboard.faq;

import java.time.Instant;
import java.util.UUID;

/**
 * Identifies the state of a workspace's FAQ: any create, edit or delete changes the entry count or the latest
 * update time. Read with the customer message, it tells whether cached entries and cached answers are still valid,
 * also when another instance changed the FAQ, at the cost of one indexed aggregate query.
 */
public record FaqVersion(long entries, Instant lastUpdate) {

    /** Reads the current version; call inside a transaction. */
    public static FaqVersion of(UUID workspaceId) {
        Object[] row = FaqEntry.getEntityManager()
                .createQuery("select count(e), max(e.updatedAt) from FaqEntry e where e.workspaceId = ?1",
                        Object[].class)
                .setParameter(1, workspaceId)
                .getSingleResult();
        return new FaqVersion((Long) row[0], (Instant) row[1]);
    }
}
