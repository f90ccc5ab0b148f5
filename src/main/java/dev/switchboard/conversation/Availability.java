package dev.switchboard.conversation;

import dev.switchboard.workspace.BusinessHours;
import dev.switchboard.workspace.BusinessHoursService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Whether a workspace's team is in, when it is back, and how soon it typically replies: what the widget shows. */
@ApplicationScoped
public class Availability {

    /** The window of handoffs whose first agent reply makes the computed expected reply time. */
    static final Duration RECENT = Duration.ofDays(30);

    /**
     * {@code open}: inside business hours (always, without hours). {@code nextOpenAt}: when the team is back, while
     * closed (null when no opening is ahead). {@code expectedReplyMinutes}: the workspace's setting
     * ({@code expectedReplySource} "setting") or the median first agent reply after a handoff over the last 30 days
     * ("recent"); null when neither exists. {@code timeZone}: the hours' zone, null without hours.
     */
    public record View(boolean open, Instant nextOpenAt, String timeZone, Integer expectedReplyMinutes,
            String expectedReplySource) {}

    @Inject
    BusinessHoursService hours;

    @Inject
    ConversationStats stats;

    @Inject
    Clock clock;

    public View of(UUID workspaceId) {
        Instant now = clock.instant();
        Optional<BusinessHours> h = hours.of(workspaceId);
        boolean open = h.map(x -> x.isOpen(now)).orElse(true);
        Instant back = open ? null : h.flatMap(x -> x.nextOpening(now)).orElse(null);
        Integer setting = h.map(BusinessHours::expectedReplyMinutes).orElse(null);
        if (setting != null) {
            return new View(open, back, zone(h), setting, "setting");
        }
        Double median = stats.medianHumanFirstResponseSeconds(workspaceId, now.minus(RECENT));
        return median == null ? new View(open, back, zone(h), null, null)
                : new View(open, back, zone(h), (int) Math.max(1, Math.ceil(median / 60)), "recent");
    }

    private static String zone(Optional<BusinessHours> h) {
        return h.map(x -> x.zone().getId()).orElse(null);
    }
}
