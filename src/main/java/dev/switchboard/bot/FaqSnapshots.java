package dev.switchboard.bot;

import dev.switchboard.faq.FaqMatching;
import dev.switchboard.faq.FaqService;
import dev.switchboard.faq.match.Calibration;
import dev.switchboard.faq.FaqVersion;
import dev.switchboard.faq.match.FaqCandidate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each workspace's FAQ entries as the matcher takes them, with the workspace's calibration, kept in memory so that
 * answering a message does not load and convert every entry with its embedding; reloaded when the workspace's
 * {@link FaqVersion} changes (learning from an agent adds a variant, which changes it too).
 */
@ApplicationScoped
class FaqSnapshots {

    record Snapshot(FaqVersion version, List<FaqCandidate> candidates, Calibration calibration) {}

    @Inject
    FaqService faq;

    @Inject
    FaqMatching matching;

    private final ConcurrentHashMap<UUID, Snapshot> snapshots = new ConcurrentHashMap<>();

    Snapshot of(UUID workspaceId, FaqVersion current) {
        Snapshot s = snapshots.get(workspaceId);
        if (s == null || !s.version().equals(current)) {
            // Loaded after the version was read: at worst newer than the version, so the next message reloads.
            s = new Snapshot(current, faq.candidates(workspaceId), matching.calibration(workspaceId));
            snapshots.put(workspaceId, s);
        }
        return s;
    }

    List<FaqCandidate> candidates(UUID workspaceId, FaqVersion current) {
        return of(workspaceId, current).candidates();
    }
}
