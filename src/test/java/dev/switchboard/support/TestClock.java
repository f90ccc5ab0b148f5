package dev.switchboard.support;

import io.quarkus.test.junit.QuarkusMock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock a test moves by hand; {@link #install} makes it the application's Clock bean for the current test. */
public final class TestClock extends Clock {

    private volatile Instant now;

    private TestClock(Instant start) {
        this.now = start;
    }

    /** A clock outside Quarkus, for code that is handed its Clock (the engine server's Batch API). */
    public static TestClock at(Instant start) {
        return new TestClock(start);
    }

    public static TestClock install(Instant start) {
        TestClock clock = new TestClock(start);
        QuarkusMock.installMockForType(clock, Clock.class);
        return clock;
    }

    public void advance(Duration by) {
        now = now.plus(by);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the application uses UTC");
    }
}
