package dev.switchboard.workspace;

import dev.switchboard.common.Times;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Business hours per workspace: stored, read back, and the one place other rooms ask whether a team is in. */
@ApplicationScoped
public class BusinessHoursService {

    /** The hours as the API and the dashboard take and show them. */
    public record Settings(String timeZone, Map<String, List<String>> weekly, List<String> holidays,
            Integer expectedReplyMinutes) {

        public static Settings of(BusinessHours h) {
            return new Settings(h.zone().getId(), h.weeklyText(), h.holidayText(), h.expectedReplyMinutes());
        }
    }

    @Inject
    Clock clock;

    /** The workspace's hours; empty when none are set (the team counts as always in). */
    @Transactional
    public Optional<BusinessHours> of(UUID workspaceId) {
        return WorkspaceHours.<WorkspaceHours>findByIdOptional(workspaceId).map(BusinessHoursService::read);
    }

    /** Checks and stores the hours (a 400 names the field at fault); replaces earlier ones. */
    @Transactional
    public BusinessHours replace(UUID workspaceId, Settings settings) {
        BusinessHours hours = BusinessHours.parse(settings.timeZone(), settings.weekly(), settings.holidays(),
                settings.expectedReplyMinutes());
        WorkspaceHours row = WorkspaceHours.<WorkspaceHours>findByIdOptional(workspaceId).orElseGet(() -> {
            WorkspaceHours fresh = new WorkspaceHours();
            fresh.workspaceId = workspaceId;
            return fresh;
        });
        row.timeZone = hours.zone().getId();
        List<String> weekly = new ArrayList<>();
        hours.weeklyText().forEach((day, intervals) -> intervals.forEach(i -> weekly.add(day + " " + i)));
        row.weekly = weekly.toArray(String[]::new);
        row.holidays = hours.holidayText().toArray(String[]::new);
        row.expectedReplyMinutes = hours.expectedReplyMinutes();
        row.updatedAt = Times.now(clock);
        row.persist();
        return hours;
    }

    /** Removes the workspace's hours: always open again. Returns whether there were any. */
    @Transactional
    public boolean clear(UUID workspaceId) {
        return WorkspaceHours.deleteById(workspaceId);
    }

    /** Whether the workspace's team is in now (true without hours). */
    public boolean openNow(UUID workspaceId) {
        return of(workspaceId).map(h -> h.isOpen(clock.instant())).orElse(true);
    }

    private static BusinessHours read(WorkspaceHours row) {
        Map<String, List<String>> weekly = new LinkedHashMap<>();
        for (String entry : row.weekly) {
            String[] dayAndInterval = entry.split(" ", 2);
            weekly.computeIfAbsent(dayAndInterval[0], d -> new ArrayList<>()).add(dayAndInterval[1]);
        }
        return BusinessHours.parse(row.timeZone, weekly, List.of(row.holidays), row.expectedReplyMinutes);
    }
}
