package dev.switchboard.bot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HandoffMarkerFilterTest {

    private static String feed(HandoffMarkerFilter filter, List<String> deltas) {
        StringBuilder shown = new StringBuilder();
        deltas.forEach(d -> shown.append(filter.accept(d)));
        return shown.toString();
    }

    @Test
    void plainTextPassesThroughUnchanged() {
        HandoffMarkerFilter f = new HandoffMarkerFilter();
        String shown = feed(f, List.of("Returns are", " free within", " 30 days."));
        assertEquals("Returns are free within 30 days.", shown + f.flush());
        assertFalse(f.markerSeen());
    }

    @Test
    void aMarkerSplitAcrossDeltasIsNeverShown() {
        HandoffMarkerFilter f = new HandoffMarkerFilter();
        String shown = feed(f, List.of("[", "[HAND", "OFF", "]]"));
        assertEquals("", shown + f.flush());
        assertTrue(f.markerSeen());
    }

    @Test
    void textBeforeTheMarkerIsShownAndNothingAfterIt() {
        HandoffMarkerFilter f = new HandoffMarkerFilter();
        String shown = feed(f, List.of("Sorry. [[HAN", "DOFF]] more", " text"));
        assertEquals("Sorry. ", shown + f.flush());
        assertTrue(f.markerSeen());
    }

    @Test
    void aPossibleMarkerStartIsHeldUntilItCannotBeOne() {
        HandoffMarkerFilter f = new HandoffMarkerFilter();
        assertEquals("See ", f.accept("See [["));
        assertEquals("[[link]] here", f.accept("link]] here"));
        assertEquals("", f.flush());
        assertFalse(f.markerSeen());
    }

    @Test
    void anUnfinishedMarkerStartAtTheEndIsReleasedByFlush() {
        HandoffMarkerFilter f = new HandoffMarkerFilter();
        assertEquals("Total: ", f.accept("Total: [[HAND"));
        assertEquals("[[HAND", f.flush());
        assertFalse(f.markerSeen());
    }
}
