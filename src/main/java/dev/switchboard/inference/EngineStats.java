package dev.switchboard.inference;

/** Counters since the engine was loaded (for health output and metrics). */
public record EngineStats(long generations, long cancelled, long promptTokens, long completionTokens) {
}
