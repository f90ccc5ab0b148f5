package dev.switchboard.common;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

public final class Times {

    private Times() {}

    /**
     * Now by the application's {@code Clock} bean (the one source of the current time), at PostgreSQL's timestamp
     * precision, so a value returned at creation equals the one read back later.
     */
    public static Instant now(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
