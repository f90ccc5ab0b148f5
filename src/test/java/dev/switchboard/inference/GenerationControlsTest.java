package dev.switchboard.inference;

import dev.switchboard.inference.sampling.GenerationControls;
import dev.switchboard.inference.sampling.LogitBias;
import dev.switchboard.inference.sampling.LogprobsRecorder;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.DraftMode;
import dev.switchboard.inference.speculative.Speculation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A generation's controls through the loop: processors run before the pick, the recorder notes what was picked. */
class GenerationControlsTest {
    static Engine engine;

    @BeforeAll
    static void load(@TempDir Path dir) {
        engine = Engine.load(EngineOptions.of(TinyChatModel.write(dir).toString()).withThreads(1));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void processorsRunBeforeThePickAndTheRecorderSeesTheProcessedRow() {
        int forced = 'Q';
        LogprobsRecorder recorder = new LogprobsRecorder(1);
        GenerationControls controls = new GenerationControls(
                List.of(new LogitBias(Map.of(forced, 100f), engine.tokenizer().vocabSize())), recorder, false);
        // Prompt lookup would draft from this repetitive prompt: the controls switch drafting off.
        GenerationResult r = engine.generate(new int[] {TinyChatModel.BOS, 'Q', 'Q', 'Q', 'Q'},
                SamplingParams.greedy(4), controls, TokenListener.IGNORE, new Cancellation(),
                new Speculation(DraftMode.PROMPT, Speculation.DEFAULT_TOKENS));
        assertEquals("QQQQ", r.text(), "the bias made the forced token the argmax of every row");
        assertEquals(0, r.draftedTokens(), "a generation with controls is not drafted");
        List<LogprobsRecorder.Entry> entries = recorder.since(0);
        assertEquals(4, entries.size(), "one entry per generated token");
        for (LogprobsRecorder.Entry e : entries) {
            assertEquals(forced, e.token());
            assertEquals(forced, e.top().getFirst().token(), "the recorder saw the row after the bias");
        }
    }
}
