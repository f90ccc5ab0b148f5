package dev.switchboard.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class VisitorNamesTest {

    private static final String GENERATED = "v_1a2b3c4d-0000-4000-8000-000000000001";

    @Test
    void aGeneratedIdReadsAsAShortLabelAlsoWhenNamespacedAsAnonymous() {
        assertEquals("Visitor 1a2b3c4d", VisitorNames.of(GENERATED, null));
        assertEquals("Visitor 1a2b3c4d", VisitorNames.of(ConversationService.ANONYMOUS_PREFIX + GENERATED, null));
        assertEquals("nanon:" + GENERATED, VisitorNames.of("nanon:" + GENERATED, null));
    }

    @Test
    void aGivenNameWinsAndBidiControlsNeverReachTheLabel() {
        assertEquals("Ada", VisitorNames.of(GENERATED, "Ada"));
        assertEquals("user-42evil", VisitorNames.of("user-42\u202Eevil", " "));
    }
}
