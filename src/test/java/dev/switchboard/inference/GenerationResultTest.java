package dev.switchboard.inference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GenerationResultTest {

    private static GenerationResult result(int tokens, long decodeNanos, int passes, int accepted) {
        return new GenerationResult("", new int[tokens], FinishReason.LENGTH, 3, 1_000_000, decodeNanos, passes,
                accepted, accepted, 0);
    }

    @Test
    void rateAndLatencyDeriveFromTheDecodePhase() {
        GenerationResult r = result(5, 8_000_000, 2, 2);
        assertEquals(2.0, r.meanInterTokenMillis(), 1e-12, "4 gaps in 8 ms");
        assertEquals(500.0, r.decodeTokensPerSecond(), 1e-9);
        assertEquals(2.0, r.acceptanceLength(), 1e-12, "(2 passes + 2 accepted) / 2 passes");
        assertEquals(0.0, result(1, 0, 0, 0).meanInterTokenMillis());
        assertEquals(0.0, result(1, 0, 0, 0).acceptanceLength());
    }
}
