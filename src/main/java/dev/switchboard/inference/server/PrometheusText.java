package dev.switchboard.inference.server;

import dev.switchboard.inference.EngineMetric;
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
        String previous = null;
        for (EngineMetric m : EngineMetric.values()) {
            String name = m.metricName().replace('.', '_') + (m.type() == EngineMetric.Type.COUNTER ? "_total" : "");
            if (!name.equals(previous)) { // the series of one name (by state) share one header
                p.header(name, m.type().name().toLowerCase(Locale.ROOT), m.help());
                previous = name;
            }
            p.sample(name, m.state() == null ? null : EngineMetric.STATE_LABEL + "=\"" + m.state() + "\"", m.value(s));
        }
        p.histogram(seconds(EngineMetric.TIME_TO_FIRST_TOKEN), EngineMetric.TIME_TO_FIRST_TOKEN_HELP,
                s.timeToFirstToken());
        p.histogram(seconds(EngineMetric.INTER_TOKEN_LATENCY), EngineMetric.INTER_TOKEN_LATENCY_HELP,
                s.interTokenLatency());
        return p.out.toString();
    }

    private static String seconds(String metricName) {
        return metricName.replace('.', '_') + "_seconds";
    }

    private void header(String name, String type, String help) {
        out.append("# HELP ").append(PREFIX).append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(PREFIX).append(name).append(' ').append(type).append('\n');
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
