package dev.switchboard.inference.server;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;

/**
 * Ids of stored files and batches that sort by creation: the prefix, a millisecond key (made to increase within a
 * process even when the clock stands still, as a test clock does) and random bits. Lists page newest first by id.
 */
final class StoredIds {
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private long last;

    StoredIds(Clock clock) {
        this.clock = clock;
    }

    synchronized String next(String prefix) {
        last = Math.max(clock.millis(), last + 1);
        byte[] tail = new byte[6];
        random.nextBytes(tail);
        return prefix + String.format("%012x", last) + HexFormat.of().formatHex(tail);
    }
}
