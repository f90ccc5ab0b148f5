package dev.switchboard.llm;

import dev.switchboard.inference.EngineMetric;
import dev.switchboard.inference.EngineStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Publishes the in-process engine's figures through Micrometer (so /q/metrics shows them in Prometheus format) under
 * the engine's own vocabulary ({@link EngineMetric}): the same series as the engine server's /metrics, time to
 * first token and inter-token latency as histograms with the engine's buckets.
 */
final class EngineMeters {
    static final String PREFIX = "switchboard.engine.";

    /** One scrape reads many meters: they share a snapshot taken at most this often. */
    private static final long SNAPSHOT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Supplier<EngineStats> source;
    private EngineStats snapshot;
    private long takenAt;

    private EngineMeters(Supplier<EngineStats> source) {
        this.source = source;
    }

    /**
     * @param observe registers the two latency observers with the engine ({@code Engine#observeLatencies}): the
     *     histograms count what happens from now on
     */
    static void bind(MeterRegistry registry, String model, Supplier<EngineStats> stats,
            BiConsumer<LongConsumer, LongConsumer> observe) {
        EngineMeters m = new EngineMeters(stats);
        for (EngineMetric metric : EngineMetric.values()) {
            Tags tags = metric.state() == null ? Tags.of("model", model)
                    : Tags.of("model", model, EngineMetric.STATE_LABEL, metric.state());
            String name = PREFIX + metric.metricName();
            // Micrometer holds a meter's object weakly and nothing else holds m: after the first garbage collection
            // every engine series would read 0 (counters) or NaN (gauges). Gauges can be told to hold it strongly;
            // function counters cannot, so their function holds m itself.
            if (metric.type() == EngineMetric.Type.COUNTER) {
                FunctionCounter.builder(name, m, e -> metric.value(m.stats()))
                        .description(metric.help()).tags(tags).register(registry);
            } else {
                Gauge.builder(name, m, e -> metric.value(e.stats()))
                        .description(metric.help()).tags(tags).strongReference(true).register(registry);
            }
        }
        EngineStats now = stats.get();
        Timer ttft = timer(registry, model, EngineMetric.TIME_TO_FIRST_TOKEN, EngineMetric.TIME_TO_FIRST_TOKEN_HELP,
                now.timeToFirstToken().upperBoundsSeconds());
        Timer itl = timer(registry, model, EngineMetric.INTER_TOKEN_LATENCY, EngineMetric.INTER_TOKEN_LATENCY_HELP,
                now.interTokenLatency().upperBoundsSeconds());
        observe.accept(nanos -> ttft.record(nanos, TimeUnit.NANOSECONDS),
                nanos -> itl.record(nanos, TimeUnit.NANOSECONDS));
    }

    private static Timer timer(MeterRegistry registry, String model, String name, String help, double[] bounds) {
        Duration[] buckets = Arrays.stream(bounds).mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9)))
                .toArray(Duration[]::new);
        return Timer.builder(PREFIX + name).description(help).tag("model", model)
                .serviceLevelObjectives(buckets).register(registry);
    }

    private synchronized EngineStats stats() {
        long now = System.nanoTime();
        if (snapshot == null || now - takenAt > SNAPSHOT_NANOS) {
            snapshot = source.get();
            takenAt = now;
        }
        return snapshot;
    }
}
