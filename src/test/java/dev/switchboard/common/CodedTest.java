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

    private static List<String> codes(Coded[] values) {
        return Arrays.stream(values).map(Coded::code).toList();
    }
}
