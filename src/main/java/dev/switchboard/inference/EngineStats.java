package dev.switchboard.inference;

/**
 * A snapshot of an engine's counters (since it was loaded) and gauges (now), for health output and metrics.
 *
 * @param generations generations that ended (any finish reason; failures excluded)
 * @param promptTokens prompt tokens of those generations
 * @param draftedTokens tokens proposed by speculative drafters
 * @param acceptedTokens drafted tokens the target model accepted
 * @param decodePasses forward passes that verified a (possibly empty) draft: the denominator of acceptance length
 * @param reusedPromptTokens prompt tokens whose KV came from the prefix cache instead of being computed
 * @param prefilledTokens prompt positions actually computed (prompt tokens minus reused ones, plus cancelled work)
 * @param steps batched forward passes the scheduler ran
 * @param requestsRunning generations admitted to the batch now
 * @param requestsQueued generations waiting for KV cache room now
 * @param kvBlocksTotal blocks of the KV cache
 * @param kvBlocksInUse blocks held by running generations (shared prefix blocks once)
 * @param kvBlocksFree blocks on the free list
 * @param kvBlocksCached blocks in the prefix cache (in use or not; those not in use are reclaimable)
 * @param kvEvictions cached blocks evicted to make room
 * @param timeToFirstToken from a request's arrival (queueing included) to its first token
 * @param interTokenLatency between consecutive tokens of one stream (tokens accepted together share the wait)
 */
public record EngineStats(long generations, long cancelled, long promptTokens, long completionTokens,
        long draftedTokens, long acceptedTokens, long decodePasses, long reusedPromptTokens, long prefilledTokens,
        long steps, int requestsRunning, int requestsQueued, int kvBlocksTotal, int kvBlocksInUse, int kvBlocksFree,
        int kvBlocksCached, long kvEvictions, Histogram timeToFirstToken, Histogram interTokenLatency) {

    /** Share of prompt tokens served from the prefix cache (0 before any generation). */
    public double prefixHitRate() {
        return promptTokens == 0 ? 0 : (double) reusedPromptTokens / promptTokens;
    }

    /** Tokens gained per decode pass: 1 without speculation, more as drafts are accepted (0 before any pass). */
    public double acceptanceLength() {
        return decodePasses == 0 ? 0 : (double) (decodePasses + acceptedTokens) / decodePasses;
    }
}
