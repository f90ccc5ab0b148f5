package dev.switchboard.llm;

import dev.switchboard.inference.EngineStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Publishes the in-process engine's figures through Micrometer (so /q/metrics shows them in Prometheus format):
 * counters of tokens and drafts, gauges of the batch, the queue and the KV cache, and time to first token and
 * inter-token latency as count and total (the engine keeps the buckets; its own /metrics in serve mode shows them).
 */
final class EngineMeters {

    /** One scrape reads many meters: they share a snapshot taken at most this often. */
    private static final long SNAPSHOT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Supplier<EngineStats> source;
    private EngineStats snapshot;
    private long takenAt;

    private EngineMeters(Supplier<EngineStats> source) {
        this.source = source;
    }

    static void bind(MeterRegistry registry, String model, Supplier<EngineStats> stats) {
        EngineMeters m = new EngineMeters(stats);
        m.counter(registry, model, "switchboard.engine.generations", "generations that ended", EngineStats::generations);
        m.counter(registry, model, "switchboard.engine.cancelled", "generations cancelled", EngineStats::cancelled);
        m.counter(registry, model, "switchboard.engine.prompt.tokens", "prompt tokens", EngineStats::promptTokens);
        m.counter(registry, model, "switchboard.engine.prompt.tokens.reused",
                "prompt tokens served from the prefix cache", EngineStats::reusedPromptTokens);
        m.counter(registry, model, "switchboard.engine.completion.tokens", "generated tokens",
                EngineStats::completionTokens);
        m.counter(registry, model, "switchboard.engine.draft.tokens", "tokens proposed by drafters",
                EngineStats::draftedTokens);
        m.counter(registry, model, "switchboard.engine.draft.accepted", "drafted tokens accepted",
                EngineStats::acceptedTokens);
        m.counter(registry, model, "switchboard.engine.steps", "batched forward passes", EngineStats::steps);
        m.counter(registry, model, "switchboard.engine.kv.evictions", "cached KV blocks evicted",
                EngineStats::kvEvictions);
        m.gauge(registry, model, "switchboard.engine.requests.running", "generations in the batch",
                EngineStats::requestsRunning);
        m.gauge(registry, model, "switchboard.engine.requests.queued", "generations waiting for KV room",
                EngineStats::requestsQueued);
        m.gauge(registry, model, "switchboard.engine.kv.blocks.total", "KV cache blocks", EngineStats::kvBlocksTotal);
        m.gauge(registry, model, "switchboard.engine.kv.blocks.used", "KV blocks held by running generations",
                EngineStats::kvBlocksInUse);
        m.gauge(registry, model, "switchboard.engine.kv.blocks.cached", "KV blocks in the prefix cache",
                EngineStats::kvBlocksCached);
        m.gauge(registry, model, "switchboard.engine.prefix.hit.ratio", "share of prompt tokens from the prefix cache",
                EngineStats::prefixHitRate);
        m.gauge(registry, model, "switchboard.engine.acceptance.length", "tokens gained per decode pass",
                EngineStats::acceptanceLength);
        m.timer(registry, model, "switchboard.engine.time.to.first.token", "from arrival (queueing included)",
                true);
        m.timer(registry, model, "switchboard.engine.inter.token.latency", "between consecutive tokens", false);
    }

    private synchronized EngineStats stats() {
        long now = System.nanoTime();
        if (snapshot == null || now - takenAt > SNAPSHOT_NANOS) {
            snapshot = source.get();
            takenAt = now;
        }
        return snapshot;
    }

    private void counter(MeterRegistry registry, String model, String name, String description,
            ToLongFunction<EngineStats> value) {
        FunctionCounter.builder(name, this, m -> value.applyAsLong(m.stats()))
                .description(description).tag("model", model).register(registry);
    }

    private void gauge(MeterRegistry registry, String model, String name, String description,
            ToDoubleFunction<EngineStats> value) {
        Gauge.builder(name, this, m -> value.applyAsDouble(m.stats()))
                .description(description).tag("model", model).register(registry);
    }

    private void timer(MeterRegistry registry, String model, String name, String description, boolean firstToken) {
        FunctionTimer.builder(name, this,
                        m -> (firstToken ? m.stats().timeToFirstToken() : m.stats().interTokenLatency()).count(),
                        m -> (firstToken ? m.stats().timeToFirstToken() : m.stats().interTokenLatency()).sumSeconds(),
                        TimeUnit.SECONDS)
                .description(description).tag("model", model).register(registry);
    }
}
