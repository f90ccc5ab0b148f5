package dev.switchboard.common;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

public final class Times {

    private Times() {}

    /** Now, at PostgreSQL's timestamp precision, so a value returned at creation equals the one read back later. */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
