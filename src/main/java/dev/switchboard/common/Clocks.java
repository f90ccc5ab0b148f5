package dev.switchboard.common;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;

/**
 * The clock of time-window logic (rate limits, retention, webhook retries), a bean so tests can move time instead of
 * sleeping (QuarkusMock replaces it for one test).
 */
public class Clocks {

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }
}
