package dev.switchboard.common;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.switchboard.conversation.ConversationStatus;
import dev.switchboard.conversation.HandoffReason;
import dev.switchboard.conversation.MessageRole;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The codes are stored in the database and sent to clients: this pins them and the mapping both ways. */
class CodedTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void codesAreTheStoredValues() {
        assertEquals(List.of("bot", "pending", "open", "resolved"), codes(ConversationStatus.values()));
        assertEquals(List.of("customer_request", "missing_knowledge", "low_confidence", "inference_unavailable",
                "policy", "outside_business_hours"), codes(HandoffReason.values()));
        assertEquals(List.of("customer", "bot", "agent", "system"), codes(MessageRole.values()));
    }

    @Test
    void jsonUsesTheCodeBothWaysAndAsMapKeys() throws Exception {
        assertEquals("\"missing_knowledge\"", json.writeValueAsString(HandoffReason.MISSING_KNOWLEDGE));
        assertEquals(HandoffReason.MISSING_KNOWLEDGE, json.readValue("\"missing_knowledge\"", HandoffReason.class));
        assertEquals("{\"pending\":2}", json.writeValueAsString(Map.of(ConversationStatus.PENDING, 2)));
        ValueInstantiationException e = assertThrows(ValueInstantiationException.class,
                () -> json.readValue("\"MISSING_KNOWLEDGE\"", HandoffReason.class));
        assertTrue(e.getMessage().contains("'MISSING_KNOWLEDGE' is not one of [customer_request,"), e.getMessage());
    }

    @Test
    void databaseConverterMapsCodesAndNulls() {
        MessageRole.DbConverter db = new MessageRole.DbConverter();
        assertEquals("agent", db.convertToDatabaseColumn(MessageRole.AGENT));
        assertEquals(MessageRole.SYSTEM, db.convertToEntityAttribute("system"));
        assertNull(db.convertToDatabaseColumn(null));
        assertNull(db.convertToEntityAttribute(null));
        assertThrows(IllegalArgumentException.class, () -> db.convertToEntityAttribute("admin"));
    }

    /** A constant with a body of its own is a subclass; one may keep a stored code that is not its name. */
    enum Sample implements Coded {
        PLAIN,
        WITH_BODY {
            @Override
            public String toString() {
                return "with a body";
            }
        },
        RENAMED {
            @Override
            public String code() {
                return "legacy_name";
            }
        }
    }

    @Test
    void codesComeFromEachConstantAndAreLookedUpByWhatCodeSays() {
        assertEquals(List.of("plain", "with_body", "legacy_name"), codes(Sample.values()));
        assertSame(Sample.WITH_BODY, Coded.fromCode(Sample.class, "with_body"));
        assertSame(Sample.RENAMED, Coded.fromCode(Sample.class, "legacy_name"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Coded.fromCode(Sample.class, "renamed"));
        assertEquals("'renamed' is not one of [plain, with_body, legacy_name]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Coded.fromCode(Sample.class, null));
    }

    private static List<String> codes(Coded[] values) {
        return Arrays.stream(values).map(Coded::code).toList();
    }
}
