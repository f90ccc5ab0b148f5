package dev.switchboard.inference.sampling;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StopStringsTest {

    /** Feeds the deltas and returns everything released, with "|" marking each append's output boundary. */
    private static String feed(StopStrings s, String... deltas) {
        StringBuilder out = new StringBuilder();
        for (String d : deltas) {
            out.append(s.append(d)).append('|');
        }
        return out.toString();
    }

    @Test
    void stopStringSpanningTokensIsNeverEmitted() {
        StopStrings s = new StopStrings(List.of("END"));
        assertEquals("Hello ||||", feed(s, "Hello E", "N", "D", "there"));
        assertTrue(s.stopped());
        assertEquals("", s.flush());
    }

    @Test
    void textBeforeTheStopInsideTheSameDeltaIsEmitted() {
        StopStrings s = new StopStrings(List.of("\n\n"));
        assertEquals("a line|", feed(s, "a line\n\nnext"));
        assertTrue(s.stopped());
    }

    @Test
    void aHeldPrefixIsReleasedWhenItCannotBecomeAStop() {
        StopStrings s = new StopStrings(List.of("<stop>"));
        assertEquals("x||<st!|", feed(s, "x<", "st", "!"));
        assertFalse(s.stopped());
    }

    @Test
    void aHeldPrefixIsReleasedByFlushAtTheEnd() {
        StopStrings s = new StopStrings(List.of("###"));
        assertEquals("done|", feed(s, "done##"));
        assertEquals("##", s.flush());
    }

    @Test
    void overlappingCandidatesKeepTheLongestPossiblePrefix() {
        // "aab" could not match at the first 'a' but could at the second: only one 'a' may be released.
        StopStrings s = new StopStrings(List.of("aab"));
        assertEquals("|a||", feed(s, "aa", "a", "b"));
        assertTrue(s.stopped());
    }

    @Test
    void theEarliestOfSeveralStopStringsWins() {
        StopStrings s = new StopStrings(List.of("world", "lo w"));
        assertEquals("hel|", feed(s, "hello world"));
        assertTrue(s.stopped());
    }

    @Test
    void textAfterAStopIsIgnored() {
        StopStrings s = new StopStrings(List.of("."));
        assertEquals("One|||", feed(s, "One.", "Two", "."));
    }

    @Test
    void withoutStopStringsEverythingPassesThrough() {
        StopStrings s = new StopStrings(List.of());
        assertEquals("abc|def|", feed(s, "abc", "def"));
        assertEquals("", s.flush());
    }

    @Test
    void emptyStopStringIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new StopStrings(List.of("")));
    }
}
