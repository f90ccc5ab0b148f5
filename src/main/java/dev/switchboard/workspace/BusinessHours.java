package dev.switchboard.workspace;

import dev.switchboard.common.ApiException;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.format.DateTimeParseException;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A workspace's weekly opening hours in its time zone, with holidays (whole local days closed). Hours are wall-clock
 * times of the zone, so a DST change moves the instants, not the hours; an opening that starts in a spring-forward gap
 * starts when the clocks resume.
 */
public record BusinessHours(ZoneId zone, Map<DayOfWeek, List<Opening>> weekly, SortedSet<LocalDate> holidays,
        Integer expectedReplyMinutes) {

    static final int MAX_OPENINGS_PER_DAY = 10;
    static final int MAX_HOLIDAYS = 400;
    static final int MAX_EXPECTED_REPLY_MINUTES = 7 * 24 * 60;
    /** How far ahead the next opening is looked for: a year of holidays cannot hide it. */
    private static final int LOOKAHEAD_DAYS = 400;
    private static final Pattern INTERVAL = Pattern.compile("(\\d{2}):(\\d{2})-(\\d{2}):(\\d{2})");

    /** Open from {@code from} to {@code to}, in minutes of the local day (0 to 1440, 1440 being 24:00). */
    public record Opening(int from, int to) {

        @Override
        public String toString() {
            return hhmm(from) + "-" + hhmm(to);
        }

        private static String hhmm(int minute) {
            return String.format(Locale.ROOT, "%02d:%02d", minute / 60, minute % 60);
        }
    }

    /** Whether the team is in at {@code now}: inside an opening of that local day, and the day no holiday. */
    public boolean isOpen(Instant now) {
        ZonedDateTime local = now.atZone(zone);
        if (holidays.contains(local.toLocalDate())) {
            return false;
        }
        int minute = local.getHour() * 60 + local.getMinute();
        return weekly.getOrDefault(local.getDayOfWeek(), List.of()).stream()
                .anyMatch(o -> o.from() <= minute && minute < o.to());
    }

    /** When the team is next in: {@code now} while open; empty when no opening lies within the lookahead. */
    public Optional<Instant> nextOpening(Instant now) {
        if (isOpen(now)) {
            return Optional.of(now);
        }
        LocalDate today = now.atZone(zone).toLocalDate();
        for (int i = 0; i <= LOOKAHEAD_DAYS; i++) {
            LocalDate day = today.plusDays(i);
            if (holidays.contains(day)) {
                continue;
            }
            for (Opening o : weekly.getOrDefault(day.getDayOfWeek(), List.of())) {
                Instant start = at(day, o.from());
                if (start.isAfter(now) && start.isBefore(at(day, o.to()))) {
                    return Optional.of(start);
                }
            }
        }
        return Optional.empty();
    }

    /** The first instant at or after that local time: in a spring-forward gap, the moment the clocks jump. */
    private Instant at(LocalDate day, int minute) {
        if (minute == 24 * 60) {
            return day.plusDays(1).atStartOfDay(zone).toInstant();
        }
        LocalDateTime local = LocalDateTime.of(day, LocalTime.of(minute / 60, minute % 60));
        ZoneOffsetTransition gap = zone.getRules().getTransition(local);
        return gap != null && gap.isGap() ? gap.getInstant() : local.atZone(zone).toInstant();
    }

    /** The weekly hours as the API shows them: "mon" to "sun", each with "HH:MM-HH:MM" intervals. */
    public Map<String, List<String>> weeklyText() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        weekly.forEach((day, openings) -> out.put(key(day), openings.stream().map(Opening::toString).toList()));
        return out;
    }

    public List<String> holidayText() {
        return holidays.stream().map(LocalDate::toString).toList();
    }

    static String key(DayOfWeek day) {
        return day.getDisplayName(TextStyle.SHORT, Locale.ROOT).toLowerCase(Locale.ROOT);
    }

    /**
     * Reads and checks hours as the API takes them; a 400 names the field and the value at fault. Days left out are
     * closed; intervals of a day may not overlap.
     */
    public static BusinessHours parse(String timeZone, Map<String, List<String>> weekly, List<String> holidays,
            Integer expectedReplyMinutes) {
        ZoneId zone = zone(timeZone);
        if (weekly == null) {
            throw ApiException.badRequest("Field 'weekly' is required: e.g. {\"mon\": [\"09:00-17:00\"]}");
        }
        Map<DayOfWeek, List<Opening>> days = new EnumMap<>(DayOfWeek.class);
        for (Map.Entry<String, List<String>> e : weekly.entrySet()) {
            DayOfWeek day = day(e.getKey());
            List<String> intervals = e.getValue() == null ? List.of() : e.getValue();
            if (intervals.size() > MAX_OPENINGS_PER_DAY) {
                throw ApiException.badRequest("Field 'weekly." + e.getKey() + "' has " + intervals.size()
                        + " intervals; at most " + MAX_OPENINGS_PER_DAY + " are allowed");
            }
            List<Opening> openings = new ArrayList<>();
            for (String interval : intervals) {
                openings.add(opening(e.getKey(), interval));
            }
            openings.sort(Comparator.comparingInt(Opening::from));
            for (int i = 1; i < openings.size(); i++) {
                if (openings.get(i).from() < openings.get(i - 1).to()) {
                    throw ApiException.badRequest("Field 'weekly." + e.getKey() + "' has overlapping intervals "
                            + openings.get(i - 1) + " and " + openings.get(i));
                }
            }
            if (!openings.isEmpty()) {
                days.put(day, List.copyOf(openings));
            }
        }
        List<String> given = holidays == null ? List.of() : holidays;
        if (given.size() > MAX_HOLIDAYS) {
            throw ApiException.badRequest("Field 'holidays' has " + given.size() + " dates; at most " + MAX_HOLIDAYS
                    + " are allowed");
        }
        SortedSet<LocalDate> dates = new TreeSet<>();
        for (String h : given) {
            try {
                dates.add(LocalDate.parse(h == null ? "" : h.strip()));
            } catch (DateTimeParseException ex) {
                throw ApiException.badRequest("Field 'holidays' has '" + h + "', which is not a date like 2026-12-25");
            }
        }
        if (expectedReplyMinutes != null
                && (expectedReplyMinutes < 1 || expectedReplyMinutes > MAX_EXPECTED_REPLY_MINUTES)) {
            throw ApiException.badRequest("Field 'expectedReplyMinutes' must be between 1 and "
                    + MAX_EXPECTED_REPLY_MINUTES + ", or null to compute it from recent first responses");
        }
        return new BusinessHours(zone, days, dates, expectedReplyMinutes);
    }

    private static ZoneId zone(String timeZone) {
        String problem = "Field 'timeZone' must be an IANA time zone such as Europe/Berlin";
        if (timeZone == null || timeZone.isBlank()) {
            throw ApiException.badRequest(problem);
        }
        // Region ids only: a fixed offset like +01:00 would silently ignore the DST changes of the team's region.
        if (!ZoneId.getAvailableZoneIds().contains(timeZone.strip())) {
            throw ApiException.badRequest(problem + "; '" + timeZone + "' is not one");
        }
        try {
            return ZoneId.of(timeZone.strip());
        } catch (DateTimeException e) {
            throw ApiException.badRequest(problem + "; '" + timeZone + "' is not one");
        }
    }

    private static DayOfWeek day(String key) {
        for (DayOfWeek d : DayOfWeek.values()) {
            if (key(d).equals(key)) {
                return d;
            }
        }
        throw ApiException.badRequest("Field 'weekly' has the key '" + key + "'; days are mon, tue, wed, thu, fri, sat and sun");
    }

    private static Opening opening(String day, String interval) {
        String problem = "Field 'weekly." + day + "' has '" + interval
                + "', which is not an interval like 09:00-17:30 (24:00 ends the day)";
        Matcher m = interval == null ? null : INTERVAL.matcher(interval.strip());
        if (m == null || !m.matches()) {
            throw ApiException.badRequest(problem);
        }
        int from = minute(m.group(1), m.group(2));
        int to = minute(m.group(3), m.group(4));
        if (from < 0 || to < 0 || from >= 24 * 60 || from >= to) {
            throw ApiException.badRequest(problem);
        }
        return new Opening(from, to);
    }

    /** Minutes of the day for HH:MM (24:00 allowed), or -1. */
    private static int minute(String hh, String mm) {
        int h = Integer.parseInt(hh);
        int m = Integer.parseInt(mm);
        if (m > 59 || h > 24 || (h == 24 && m != 0)) {
            return -1;
        }
        return h * 60 + m;
    }
}
