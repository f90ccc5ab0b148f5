package dev.switchboard.inference;

import java.util.function.ToDoubleFunction;

/**
 * The engine's metrics vocabulary: one name, type and help text per figure of {@link EngineStats}, used both by
 * the engine server's {@code /metrics} and by the platform's Micrometer meters, so that a dashboard reads the same
 * series from either. Names are dotted ({@code kv.blocks}); Prometheus spells them
 * {@code switchboard_engine_kv_blocks}, with {@code _total} after counters.
 */
public enum EngineMetric {
    REQUESTS_RUNNING("requests.running", Type.GAUGE, "Generations in the running batch.", null,
            EngineStats::requestsRunning),
    REQUESTS_QUEUED("requests.queued", Type.GAUGE, "Generations waiting for KV cache room.", null,
            EngineStats::requestsQueued),
    GENERATIONS("generations", Type.COUNTER, "Generations that ended.", null, EngineStats::generations),
    GENERATIONS_CANCELLED("generations.cancelled", Type.COUNTER, "Generations cancelled by their caller.", null,
            EngineStats::cancelled),
    PROMPT_TOKENS("prompt.tokens", Type.COUNTER, "Prompt tokens of ended generations.", null,
            EngineStats::promptTokens),
    COMPLETION_TOKENS("completion.tokens", Type.COUNTER, "Generated tokens.", null, EngineStats::completionTokens),
    PROMPT_TOKENS_REUSED("prompt.tokens.reused", Type.COUNTER, "Prompt tokens served from the prefix cache.", null,
            EngineStats::reusedPromptTokens),
    PREFILLED_TOKENS("prefilled.tokens", Type.COUNTER, "Prompt positions computed.", null,
            EngineStats::prefilledTokens),
    PREFIX_HIT_RATIO("prefix.hit.ratio", Type.GAUGE, "Prompt tokens reused over prompt tokens.", null,
            EngineStats::prefixHitRate),
    STEPS("steps", Type.COUNTER, "Batched forward passes.", null, EngineStats::steps),
    KV_BLOCKS_TOTAL("kv.blocks.total", Type.GAUGE, "Blocks of the KV cache.", null, EngineStats::kvBlocksTotal),
    KV_BLOCKS_IN_USE("kv.blocks", Type.GAUGE, Help.KV_BLOCKS, "in_use", EngineStats::kvBlocksInUse),
    KV_BLOCKS_FREE("kv.blocks", Type.GAUGE, Help.KV_BLOCKS, "free", EngineStats::kvBlocksFree),
    KV_BLOCKS_CACHED("kv.blocks", Type.GAUGE, Help.KV_BLOCKS, "cached", EngineStats::kvBlocksCached),
    KV_EVICTIONS("kv.evictions", Type.COUNTER, "Cached blocks evicted for room.", null, EngineStats::kvEvictions),
    PREEMPTIONS("preemptions", Type.COUNTER, "Running generations preempted for KV room (recomputed later).", null,
            EngineStats::preemptions),
    DRAFT_TOKENS("draft.tokens", Type.COUNTER, "Tokens proposed by speculative drafters.", null,
            EngineStats::draftedTokens),
    DRAFT_TOKENS_ACCEPTED("draft.tokens.accepted", Type.COUNTER, "Drafted tokens the model accepted.", null,
            EngineStats::acceptedTokens),
    DECODE_PASSES("decode.passes", Type.COUNTER, "Decode passes (each verifies a draft, possibly empty).", null,
            EngineStats::decodePasses),
    ACCEPTANCE_LENGTH("acceptance.length", Type.GAUGE, "Tokens gained per decode pass.", null,
            EngineStats::acceptanceLength);

    /** Histograms, in seconds, with the buckets of {@link EngineStats#timeToFirstToken()} and its sibling. */
    public static final String TIME_TO_FIRST_TOKEN = "time.to.first.token";
    public static final String TIME_TO_FIRST_TOKEN_HELP = "From arrival (queueing included) to the first token.";
    public static final String INTER_TOKEN_LATENCY = "inter.token.latency";
    public static final String INTER_TOKEN_LATENCY_HELP = "Between tokens of one stream.";
    public static final String STATE_LABEL = "state";

    public enum Type { COUNTER, GAUGE }

    private final String name;
    private final Type type;
    private final String help;
    private final String state;
    private final ToDoubleFunction<EngineStats> value;

    EngineMetric(String name, Type type, String help, String state, ToDoubleFunction<EngineStats> value) {
        this.name = name;
        this.type = type;
        this.help = help;
        this.state = state;
        this.value = value;
    }

    /** Help shared by the series of one name. */
    private static final class Help {
        static final String KV_BLOCKS = "KV cache blocks by state (cached blocks may also be in use).";
    }

    /** The dotted name, without the {@code switchboard.engine.} prefix. */
    public String metricName() {
        return name;
    }

    public Type type() {
        return type;
    }

    public String help() {
        return help;
    }

    /** The value of the {@value #STATE_LABEL} label, or null for a series without one. */
    public String state() {
        return state;
    }

    public double value(EngineStats stats) {
        return value.applyAsDouble(stats);
    }
}
