package dev.switchboard.inference;

/**
 * Counters since the engine was loaded (for health output and metrics).
 *
 * @param draftedTokens tokens proposed by speculative drafters
 * @param acceptedTokens drafted tokens the target model accepted
 */
public record EngineStats(long generations, long cancelled, long promptTokens, long completionTokens,
        long draftedTokens, long acceptedTokens) {
}
