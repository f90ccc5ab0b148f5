package dev.switchboard.llm;

import dev.switchboard.inference.speculative.DraftMode;
import dev.switchboard.inference.speculative.Speculation;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The port's drafting types are its own, but must stay the engine's by name and limits (they map by name). */
class DraftingModeTest {

    @Test
    void everyModeIsTheEnginesByNameAndWireName() {
        assertEquals(Arrays.stream(DraftMode.values()).map(DraftMode::wireName).toList(),
                Arrays.stream(ChatOptions.DraftingMode.values()).map(ChatOptions.DraftingMode::wireName).toList());
        for (ChatOptions.DraftingMode m : ChatOptions.DraftingMode.values()) {
            assertEquals(m.wireName(), DraftMode.valueOf(m.name()).wireName());
        }
    }

    @Test
    void limitsAreTheEngines() {
        assertEquals(Speculation.MAX_TOKENS, ChatOptions.Drafting.MAX_TOKENS);
        assertEquals(Speculation.DEFAULT_TOKENS, ChatOptions.Drafting.DEFAULT_TOKENS);
    }
}
