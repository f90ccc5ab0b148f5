package dev.switchboard.scaleout;

import dev.switchboard.llm.FakeOpenAiServer;
import dev.switchboard.scaleout.ScaleOutCluster.Instance;
import dev.switchboard.scaleout.ScaleOutCluster.Workspace;
import dev.switchboard.support.SseClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Latency of the event flow between replicas (bench/scale-out.sh): a message posted on instance A, the bot answering
 * on whichever instance owns the conversation's partition, and the time until a client on each instance sees the
 * first delta and the stored answer; then the same on one instance without Kafka. The model is a local fake that
 * streams at once, so the figures are the platform's and the broker's, not a model's.
 * <pre>--messages N (default 30)</pre>
 */
public final class ScaleOutBench {

    private ScaleOutBench() {}

    public static void main(String[] args) throws Exception {
        int messages = args.length == 2 && args[0].equals("--messages") ? Integer.parseInt(args[1]) : 30;
        try (ScaleOutCluster cluster = new ScaleOutCluster(2, true, List.of())) {
            report("Kafka, 2 instances", cluster, messages);
        }
        try (ScaleOutCluster cluster = new ScaleOutCluster(1, false, List.of())) {
            report("in-process, 1 instance", cluster, messages);
        }
    }

    private static void report(String setup, ScaleOutCluster cluster, int messages) throws Exception {
        for (Instance i : cluster.instances) {
            i.model().setDefaultReply(FakeOpenAiServer.answer("Sure,", " we", " can", " help", " with", " that."));
        }
        Instance a = cluster.instance(0);
        Workspace w = cluster.createWorkspace(a);
        cluster.createFaq(a, w, "How long does delivery take?", "Orders arrive within 3 to 5 business days.");
        String conversation = cluster.startConversation(a, w);
        List<SseClient> streams = new ArrayList<>();
        for (Instance i : cluster.instances) {
            streams.add(cluster.events(i, w, conversation, null));
        }
        // [instance][message]: nanoseconds from the POST to the first delta, and to the answer's message.created
        long[][] firstDelta = new long[streams.size()][messages];
        long[][] answer = new long[streams.size()][messages];
        Instance worker = null;
        // Every message after the first has the earlier ones as context, so none is served from the answer cache.
        for (int m = -3; m < messages; m++) { // 3 rounds of warm-up
            long start = System.nanoTime();
            cluster.post(a, w, conversation, "Can you help me with question " + m + "?");
            // Each stream read on its own thread, so every event is timed when it arrives.
            List<Future<long[]>> timings = new ArrayList<>();
            try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
                for (SseClient stream : streams) {
                    timings.add(readers.submit(() -> firstDeltaAndAnswer(stream, start)));
                }
            }
            for (int s = 0; s < streams.size() && m >= 0; s++) {
                firstDelta[s][m] = timings.get(s).get()[0];
                answer[s][m] = timings.get(s).get()[1];
            }
            if (worker == null) {
                worker = cluster.instances.stream().filter(i -> !i.model().requests().isEmpty()).findFirst()
                        .orElseThrow();
            }
        }
        streams.forEach(SseClient::close);
        System.out.printf("%s, %d messages, the bot answering on instance %s:%n", setup, messages,
                worker.process().name);
        for (int s = 0; s < streams.size(); s++) {
            Instance on = cluster.instance(s);
            System.out.printf("  client on %s (%s): post -> first delta %s; post -> stored answer %s%n",
                    on.process().name, on == worker ? "the worker" : "another replica",
                    percentiles(firstDelta[s]), percentiles(answer[s]));
        }
    }

    /** Nanoseconds from {@code start} to the first delta and to the bot's message.created. */
    private static long[] firstDeltaAndAnswer(SseClient stream, long start) {
        long firstDelta = -1;
        while (true) {
            SseClient.Event e = stream.next();
            long at = System.nanoTime() - start;
            if (e.name().equals("bot.delta") && firstDelta < 0) {
                firstDelta = at;
            } else if (e.name().equals("message.created") && e.data().contains("\"role\":\"bot\"")) {
                return new long[] {firstDelta, at};
            }
        }
    }

    private static String percentiles(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("p50 %.1f ms, p90 %.1f ms, max %.1f ms", ms(sorted, 0.5), ms(sorted, 0.9),
                sorted[sorted.length - 1] / 1e6);
    }

    private static double ms(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6;
    }
}
