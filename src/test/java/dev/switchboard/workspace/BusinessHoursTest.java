package dev.switchboard.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.common.ApiException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Opening hours in a zone with DST (Europe/Berlin: clocks go forward on 2026-03-29, back on 2026-10-25). */
class BusinessHoursTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final List<String> NINE_TO_FIVE = List.of("09:00-17:00");
    private static final BusinessHours WEEKDAYS = BusinessHours.parse("Europe/Berlin",
            Map.of("mon", NINE_TO_FIVE, "tue", NINE_TO_FIVE, "wed", NINE_TO_FIVE, "thu", NINE_TO_FIVE,
                    "fri", NINE_TO_FIVE), List.of("2026-12-25", "2027-01-01"), null);

    private static Instant berlin(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(BERLIN).toInstant();
    }

    @Test
    void closesAtFiveAndIsBackOnMondayAfterTheClocksWentForward() {
        assertTrue(WEEKDAYS.isOpen(berlin("2026-03-27T16:59")));
        Instant friday = berlin("2026-03-27T17:00");
        assertFalse(WEEKDAYS.isOpen(friday));
        // 09:00 in Berlin is 08:00 UTC on the Friday (CET) and 07:00 UTC on the Monday (CEST).
        assertEquals(Instant.parse("2026-03-27T08:00:00Z"), berlin("2026-03-27T09:00"));
        assertEquals(Optional.of(Instant.parse("2026-03-30T07:00:00Z")), WEEKDAYS.nextOpening(friday));
        assertFalse(WEEKDAYS.isOpen(Instant.parse("2026-03-30T06:59:00Z")));
        assertTrue(WEEKDAYS.isOpen(Instant.parse("2026-03-30T07:00:00Z")));
    }

    @Test
    void aHolidayIsClosedAllDayAndSkippedForTheNextOpening() {
        Instant christmasMorning = berlin("2026-12-25T10:00"); // a Friday
        assertFalse(WEEKDAYS.isOpen(christmasMorning));
        assertEquals(Optional.of(berlin("2026-12-28T09:00")), WEEKDAYS.nextOpening(christmasMorning));
        assertTrue(WEEKDAYS.isOpen(berlin("2026-12-24T10:00")));
        // New Year's Day is a Friday too: from Thursday evening the next opening is Monday the 4th.
        assertEquals(Optional.of(berlin("2027-01-04T09:00")), WEEKDAYS.nextOpening(berlin("2026-12-31T18:00")));
    }

    @Test
    void whileOpenTheNextOpeningIsNow() {
        Instant now = berlin("2026-06-03T12:00");
        assertEquals(Optional.of(now), WEEKDAYS.nextOpening(now));
    }

    @Test
    void anOpeningInTheSpringForwardGapStartsWhenTheClocksResume() {
        BusinessHours sunday = BusinessHours.parse("Europe/Berlin", Map.of("sun", List.of("02:30-04:00")),
                List.of(), null);
        // 02:30 does not exist on 2026-03-29: the opening starts at 03:00 CEST = 01:00 UTC.
        assertEquals(Optional.of(Instant.parse("2026-03-29T01:00:00Z")),
                sunday.nextOpening(Instant.parse("2026-03-28T20:00:00Z")));
        assertTrue(sunday.isOpen(Instant.parse("2026-03-29T01:30:00Z")));
        assertFalse(sunday.isOpen(Instant.parse("2026-03-29T02:00:00Z")));
    }

    @Test
    void theRepeatedHourOfTheAutumnChangeIsOpenBothTimes() {
        BusinessHours night = BusinessHours.parse("Europe/Berlin", Map.of("sun", List.of("00:00-02:45")),
                List.of(), null);
        // 02:30 local happens twice on 2026-10-25: at 00:30 UTC (CEST) and at 01:30 UTC (CET).
        assertTrue(night.isOpen(Instant.parse("2026-10-25T00:30:00Z")));
        assertTrue(night.isOpen(Instant.parse("2026-10-25T01:30:00Z")));
        assertFalse(night.isOpen(Instant.parse("2026-10-25T01:45:00Z")));
    }

    @Test
    void twentyFourHundredEndsTheDayAndNightShiftsSpanMidnight() {
        BusinessHours late = BusinessHours.parse("America/New_York",
                Map.of("sat", List.of("20:00-24:00"), "sun", List.of("00:00-02:00")), List.of(), null);
        ZoneId ny = ZoneId.of("America/New_York");
        assertTrue(late.isOpen(LocalDateTime.parse("2026-06-06T23:59").atZone(ny).toInstant()));
        assertTrue(late.isOpen(LocalDateTime.parse("2026-06-07T01:59").atZone(ny).toInstant()));
        assertFalse(late.isOpen(LocalDateTime.parse("2026-06-07T02:00").atZone(ny).toInstant()));
        assertEquals(Map.of("sat", List.of("20:00-24:00"), "sun", List.of("00:00-02:00")), late.weeklyText());
    }

    @Test
    void withoutAnyOpeningThereIsNoNextOne() {
        BusinessHours never = BusinessHours.parse("UTC", Map.of(), List.of(), null);
        assertEquals(Optional.empty(), never.nextOpening(Instant.parse("2026-01-01T00:00:00Z")));
    }

    @Test
    void malformedHoursAreRefusedNamingTheField() {
        assertRefused("timeZone", () -> BusinessHours.parse("Mars/Olympus", Map.of(), List.of(), null));
        assertRefused("timeZone", () -> BusinessHours.parse("+02:00", Map.of(), List.of(), null));
        assertRefused("timeZone", () -> BusinessHours.parse(null, Map.of(), List.of(), null));
        assertRefused("weekly.mon", () -> BusinessHours.parse("UTC", Map.of("mon", List.of("9-17")), List.of(), null));
        assertRefused("weekly.mon", () -> BusinessHours.parse("UTC", Map.of("mon", List.of("17:00-09:00")),
                List.of(), null));
        assertRefused("weekly.mon", () -> BusinessHours.parse("UTC", Map.of("mon", List.of("09:00-24:30")),
                List.of(), null));
        assertRefused("overlapping", () -> BusinessHours.parse("UTC",
                Map.of("tue", List.of("09:00-12:00", "11:00-14:00")), List.of(), null));
        assertRefused("monday", () -> BusinessHours.parse("UTC", Map.of("monday", NINE_TO_FIVE), List.of(), null));
        assertRefused("holidays", () -> BusinessHours.parse("UTC", Map.of(), List.of("2026-02-30"), null));
        assertRefused("expectedReplyMinutes", () -> BusinessHours.parse("UTC", Map.of(), List.of(), 0));
        assertRefused("weekly", () -> BusinessHours.parse("UTC", null, List.of(), null));
    }

    private static void assertRefused(String field, org.junit.jupiter.api.function.Executable parse) {
        ApiException e = assertThrows(ApiException.class, parse);
        assertEquals(400, e.status());
        assertTrue(e.detail().contains(field), e.detail());
    }
}
