package dev.switchboard.inference.server;

import dev.switchboard.inference.EngineStats;
import dev.switchboard.inference.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusTextTest {

    @Test
    void countersGaugesAndCumulativeHistogramsInTheExpositionFormat() {
        Histogram ttft = new Histogram(new double[] {0.01, 0.5}, new long[] {2, 3, 4}, 1.75);
        Histogram itl = new Histogram(new double[] {0.001}, new long[] {0, 0}, 0);
        EngineStats s = EngineStats.builder().generations(4).cancelled(1).promptTokens(200).completionTokens(90)
                .draftedTokens(30).acceptedTokens(12).decodePasses(40).reusedPromptTokens(64).prefilledTokens(136)
                .steps(55).requestsRunning(2).requestsQueued(3).kvBlocksTotal(100).kvBlocksInUse(20).kvBlocksFree(70)
                .kvBlocksCached(15).kvEvictions(7).preemptions(5).timeToFirstToken(ttft).interTokenLatency(itl).build();
        List<String> lines = PrometheusText.format(s, "my \"model\"").lines().toList();
        String m = "{model=\"my \\\"model\\\"\"";
        for (String expected : List.of(
                "# TYPE switchboard_engine_requests_queued gauge",
                "switchboard_engine_requests_queued" + m + "} 3",
                "switchboard_engine_generations_total" + m + "} 4",
                "switchboard_engine_prompt_tokens_reused_total" + m + "} 64",
                "switchboard_engine_prefix_hit_ratio" + m + "} 0.32",
                "switchboard_engine_kv_blocks" + m + ",state=\"in_use\"} 20",
                "switchboard_engine_kv_blocks" + m + ",state=\"free\"} 70",
                "switchboard_engine_kv_blocks" + m + ",state=\"cached\"} 15",
                "switchboard_engine_acceptance_length" + m + "} 1.3",
                "switchboard_engine_preemptions_total" + m + "} 5",
                "# TYPE switchboard_engine_time_to_first_token_seconds histogram",
                "switchboard_engine_time_to_first_token_seconds_bucket" + m + ",le=\"0.01\"} 2",
                "switchboard_engine_time_to_first_token_seconds_bucket" + m + ",le=\"0.5\"} 3",
                "switchboard_engine_time_to_first_token_seconds_bucket" + m + ",le=\"+Inf\"} 4",
                "switchboard_engine_time_to_first_token_seconds_sum" + m + "} 1.75",
                "switchboard_engine_time_to_first_token_seconds_count" + m + "} 4",
                "switchboard_engine_inter_token_latency_seconds_count" + m + "} 0")) {
            assertTrue(lines.contains(expected), expected + " missing in\n" + String.join("\n", lines));
        }
        for (String line : lines) {
            assertTrue(line.startsWith("# HELP switchboard_engine_") || line.startsWith("# TYPE switchboard_engine_")
                    || line.matches("switchboard_engine_[a-z_]+\\{[^}]*} -?[0-9.eE+-]+"), line);
        }
        assertEquals(1, lines.stream().filter(l -> l.equals("# TYPE switchboard_engine_kv_blocks gauge")).count());
    }
}
