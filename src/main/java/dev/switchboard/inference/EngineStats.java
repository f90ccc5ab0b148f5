package dev.switchboard.inference;

/**
 * A snapshot of an engine's counters (since it was loaded), gauges (now) and latency histograms, for health output
 * and metrics ({@link EngineMetric} names them). Built with {@link #builder()}.
 */
public final class EngineStats {
    private final long generations;
    private final long cancelled;
    private final long promptTokens;
    private final long completionTokens;
    private final long draftedTokens;
    private final long acceptedTokens;
    private final long decodePasses;
    private final long reusedPromptTokens;
    private final long prefilledTokens;
    private final long steps;
    private final int requestsRunning;
    private final int requestsQueued;
    private final int kvBlocksTotal;
    private final int kvBlocksInUse;
    private final int kvBlocksFree;
    private final int kvBlocksCached;
    private final long kvEvictions;
    private final long preemptions;
    private final Histogram timeToFirstToken;
    private final Histogram interTokenLatency;

    private EngineStats(Builder b) {
        this.generations = b.generations;
        this.cancelled = b.cancelled;
        this.promptTokens = b.promptTokens;
        this.completionTokens = b.completionTokens;
        this.draftedTokens = b.draftedTokens;
        this.acceptedTokens = b.acceptedTokens;
        this.decodePasses = b.decodePasses;
        this.reusedPromptTokens = b.reusedPromptTokens;
        this.prefilledTokens = b.prefilledTokens;
        this.steps = b.steps;
        this.requestsRunning = b.requestsRunning;
        this.requestsQueued = b.requestsQueued;
        this.kvBlocksTotal = b.kvBlocksTotal;
        this.kvBlocksInUse = b.kvBlocksInUse;
        this.kvBlocksFree = b.kvBlocksFree;
        this.kvBlocksCached = b.kvBlocksCached;
        this.kvEvictions = b.kvEvictions;
        this.preemptions = b.preemptions;
        this.timeToFirstToken = b.timeToFirstToken;
        this.interTokenLatency = b.interTokenLatency;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Generations that ended (any finish reason; failures excluded). */
    public long generations() {
        return generations;
    }

    /** Generations cancelled by their caller. */
    public long cancelled() {
        return cancelled;
    }

    /** Prompt tokens of those generations. */
    public long promptTokens() {
        return promptTokens;
    }

    /** Tokens they generated. */
    public long completionTokens() {
        return completionTokens;
    }

    /** Tokens proposed by speculative drafters. */
    public long draftedTokens() {
        return draftedTokens;
    }

    /** Drafted tokens the target model accepted. */
    public long acceptedTokens() {
        return acceptedTokens;
    }

    /** Forward passes that verified a (possibly empty) draft: the denominator of acceptance length. */
    public long decodePasses() {
        return decodePasses;
    }

    /** Prompt tokens whose KV came from the prefix cache instead of being computed. */
    public long reusedPromptTokens() {
        return reusedPromptTokens;
    }

    /** Prompt positions actually computed (prompt tokens minus reused ones, plus cancelled work). */
    public long prefilledTokens() {
        return prefilledTokens;
    }

    /** Batched forward passes the engine loop ran. */
    public long steps() {
        return steps;
    }

    /** Generations admitted to the batch now. */
    public int requestsRunning() {
        return requestsRunning;
    }

    /** Generations waiting for KV cache room now. */
    public int requestsQueued() {
        return requestsQueued;
    }

    /** Blocks of the KV cache. */
    public int kvBlocksTotal() {
        return kvBlocksTotal;
    }

    /** Blocks held by running generations (shared prefix blocks once). */
    public int kvBlocksInUse() {
        return kvBlocksInUse;
    }

    /** Blocks on the free list. */
    public int kvBlocksFree() {
        return kvBlocksFree;
    }

    /** Blocks in the prefix cache (in use or not; those not in use are reclaimable). */
    public int kvBlocksCached() {
        return kvBlocksCached;
    }

    /** Cached blocks evicted to make room. */
    public long kvEvictions() {
        return kvEvictions;
    }

    /** Running generations preempted (their KV blocks freed, recomputed when admitted again). */
    public long preemptions() {
        return preemptions;
    }

    /** From a request's arrival (queueing included) to its first token. */
    public Histogram timeToFirstToken() {
        return timeToFirstToken;
    }

    /** Between consecutive tokens of one stream (tokens accepted together share the wait). */
    public Histogram interTokenLatency() {
        return interTokenLatency;
    }

    /** Share of prompt tokens served from the prefix cache (0 before any generation). */
    public double prefixHitRate() {
        return promptTokens == 0 ? 0 : (double) reusedPromptTokens / promptTokens;
    }

    /** Tokens gained per decode pass: 1 without speculation, more as drafts are accepted (0 before any pass). */
    public double acceptanceLength() {
        return decodePasses == 0 ? 0 : (double) (decodePasses + acceptedTokens) / decodePasses;
    }

    /** Sets each figure by name; unset counters and gauges are 0, unset histograms empty. */
    public static final class Builder {
        private long generations;
        private long cancelled;
        private long promptTokens;
        private long completionTokens;
        private long draftedTokens;
        private long acceptedTokens;
        private long decodePasses;
        private long reusedPromptTokens;
        private long prefilledTokens;
        private long steps;
        private int requestsRunning;
        private int requestsQueued;
        private int kvBlocksTotal;
        private int kvBlocksInUse;
        private int kvBlocksFree;
        private int kvBlocksCached;
        private long kvEvictions;
        private long preemptions;
        private Histogram timeToFirstToken = Histogram.EMPTY;
        private Histogram interTokenLatency = Histogram.EMPTY;

        public Builder generations(long v) {
            generations = v;
            return this;
        }

        public Builder cancelled(long v) {
            cancelled = v;
            return this;
        }

        public Builder promptTokens(long v) {
            promptTokens = v;
            return this;
        }

        public Builder completionTokens(long v) {
            completionTokens = v;
            return this;
        }

        public Builder draftedTokens(long v) {
            draftedTokens = v;
            return this;
        }

        public Builder acceptedTokens(long v) {
            acceptedTokens = v;
            return this;
        }

        public Builder decodePasses(long v) {
            decodePasses = v;
            return this;
        }

        public Builder reusedPromptTokens(long v) {
            reusedPromptTokens = v;
            return this;
        }

        public Builder prefilledTokens(long v) {
            prefilledTokens = v;
            return this;
        }

        public Builder steps(long v) {
            steps = v;
            return this;
        }

        public Builder requestsRunning(int v) {
            requestsRunning = v;
            return this;
        }

        public Builder requestsQueued(int v) {
            requestsQueued = v;
            return this;
        }

        public Builder kvBlocksTotal(int v) {
            kvBlocksTotal = v;
            return this;
        }

        public Builder kvBlocksInUse(int v) {
            kvBlocksInUse = v;
            return this;
        }

        public Builder kvBlocksFree(int v) {
            kvBlocksFree = v;
            return this;
        }

        public Builder kvBlocksCached(int v) {
            kvBlocksCached = v;
            return this;
        }

        public Builder kvEvictions(long v) {
            kvEvictions = v;
            return this;
        }

        public Builder preemptions(long v) {
            preemptions = v;
            return this;
        }

        public Builder timeToFirstToken(Histogram v) {
            timeToFirstToken = v;
            return this;
        }

        public Builder interTokenLatency(Histogram v) {
            interTokenLatency = v;
            return this;
        }

        public EngineStats build() {
            return new EngineStats(this);
        }
    }
}
