package dev.switchboard.bot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.faq.match.FaqCandidate;
import dev.switchboard.llm.ChatMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroundedPromptTest {

    private static final List<FaqCandidate> FAQ = List.of(
            new FaqCandidate("a", "Do you ship abroad?", "To 30 countries.", List.of(new float[] {1f})),
            new FaqCandidate("b", "How long is delivery?", "3 to 5 days.", List.of(new float[] {1f})));

    @Test
    void theSystemPromptCarriesTheRulesAndTheEntriesInOrderThenTheConversation() {
        List<ChatMessage> history = List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"),
                ChatMessage.user("Do you ship to Canada?"));

        List<ChatMessage> prompt = GroundedPrompt.build(FAQ, history);

        assertEquals(ChatMessage.Role.SYSTEM, prompt.getFirst().role());
        String system = prompt.getFirst().content();
        assertTrue(system.contains("reply with exactly " + HandoffMarkerFilter.MARKER), system);
        assertTrue(system.contains("Never invent facts"), system);
        int first = system.indexOf("Q: Do you ship abroad?\nA: To 30 countries.");
        int second = system.indexOf("Q: How long is delivery?\nA: 3 to 5 days.");
        assertTrue(first > 0 && second > first, "entries in relevance order: " + system);
        assertEquals(history, prompt.subList(1, prompt.size()));
    }

    @Test
    void refusesAHistoryNotEndingWithTheCustomerOrNoEntries() {
        assertThrows(IllegalArgumentException.class,
                () -> GroundedPrompt.build(FAQ, List.of(ChatMessage.assistant("Hello!"))));
        assertThrows(IllegalArgumentException.class,
                () -> GroundedPrompt.build(List.of(), List.of(ChatMessage.user("Hi"))));
    }
}
