package dev.switchboard.inference.server;

import dev.switchboard.inference.EngineStats;
import dev.switchboard.inference.Histogram;

import java.util.Locale;

/**
 * An engine's {@link EngineStats} in the Prometheus text exposition format (version 0.0.4), every series labelled
 * with the model: what {@code GET /metrics} answers.
 */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String PREFIX = "switchboard_engine_";

    private final StringBuilder out = new StringBuilder(4096);
    private final String label;

    private PrometheusText(String model) {
        this.label = "model=\"" + escape(model) + "\"";
    }

    static String format(EngineStats s, String model) {
        PrometheusText p = new PrometheusText(model);
        p.gauge("requests_running", "Generations in the running batch.", s.requestsRunning());
        p.gauge("requests_queued", "Generations waiting for KV cache room.", s.requestsQueued());
        p.counter("generations_total", "Generations that ended.", s.generations());
        p.counter("generations_cancelled_total", "Generations cancelled by their caller.", s.cancelled());
        p.counter("prompt_tokens_total", "Prompt tokens of ended generations.", s.promptTokens());
        p.counter("completion_tokens_total", "Generated tokens.", s.completionTokens());
        p.counter("prompt_tokens_reused_total", "Prompt tokens served from the prefix cache.",
                s.reusedPromptTokens());
        p.counter("prefilled_tokens_total", "Prompt positions computed.", s.prefilledTokens());
        p.gauge("prefix_hit_ratio", "Prompt tokens reused over prompt tokens.", s.prefixHitRate());
        p.counter("steps_total", "Batched forward passes.", s.steps());
        p.gauge("kv_blocks_total", "Blocks of the KV cache.", s.kvBlocksTotal());
        p.header("kv_blocks", "gauge", "KV cache blocks by state (cached blocks may also be in use).");
        p.sample("kv_blocks", "state=\"in_use\"", s.kvBlocksInUse());
        p.sample("kv_blocks", "state=\"free\"", s.kvBlocksFree());
        p.sample("kv_blocks", "state=\"cached\"", s.kvBlocksCached());
        p.counter("kv_evictions_total", "Cached blocks evicted for room.", s.kvEvictions());
        p.counter("draft_tokens_total", "Tokens proposed by speculative drafters.", s.draftedTokens());
        p.counter("draft_tokens_accepted_total", "Drafted tokens the model accepted.", s.acceptedTokens());
        p.counter("decode_passes_total", "Decode passes (each verifies a draft, possibly empty).", s.decodePasses());
        p.gauge("acceptance_length", "Tokens gained per decode pass.", s.acceptanceLength());
        p.histogram("time_to_first_token_seconds", "From arrival to the first token.", s.timeToFirstToken());
        p.histogram("inter_token_latency_seconds", "Between tokens of one stream.", s.interTokenLatency());
        return p.out.toString();
    }

    private void header(String name, String type, String help) {
        out.append("# HELP ").append(PREFIX).append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(PREFIX).append(name).append(' ').append(type).append('\n');
    }

    private void gauge(String name, String help, double value) {
        header(name, "gauge", help);
        sample(name, null, value);
    }

    private void counter(String name, String help, double value) {
        header(name, "counter", help);
        sample(name, null, value);
    }

    private void histogram(String name, String help, Histogram h) {
        header(name, "histogram", help);
        double[] bounds = h.upperBoundsSeconds();
        long[] counts = h.cumulativeCounts();
        for (int i = 0; i < bounds.length; i++) {
            sample(name + "_bucket", "le=\"" + number(bounds[i]) + "\"", counts[i]);
        }
        sample(name + "_bucket", "le=\"+Inf\"", h.count());
        sample(name + "_sum", null, h.sumSeconds());
        sample(name + "_count", null, h.count());
    }

    private void sample(String name, String labels, double value) {
        out.append(PREFIX).append(name).append('{').append(label);
        if (labels != null) {
            out.append(',').append(labels);
        }
        out.append("} ").append(number(value)).append('\n');
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
    }

    /** Label values escape backslash, double quote and newline. */
    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
