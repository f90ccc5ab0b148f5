package dev.switchboard.inference;

import dev.switchboard.inference.cli.VerifyPasses;
import dev.switchboard.inference.model.KvType;
import dev.switchboard.inference.model.LoadProgress;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;

/**
 * Long-context figures of the CPU backend: a prompt prefilled in scheduler-sized chunks up to 32K positions, and the
 * time of one decode step after 1K, 8K and 32K positions (attention reads the whole KV cache each step). Prints the
 * heap limit and the peak heap used, so a run under {@code -Xmx} shows the prefill stays within it. Run with
 * {@code java -Xmx256m --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * dev.switchboard.inference.LongContextBench [model] [kv-type] [threads] [contexts, e.g. 1024,8192,32768]}.
 */
public final class LongContextBench {
    private LongContextBench() {
    }

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "synthetic:tiny";
        KvType kv = KvType.parse(args.length > 1 ? args[1] : "f32");
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        int[] contexts = args.length > 3 ? java.util.Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt)
                .toArray() : new int[]{1024, 8192, 32768};
        EngineOptions options = EngineOptions.of(model).withContextLength(32768 + 16).withKvType(kv)
                .withThreads(threads).withPrefillChunk(512);
        System.out.printf(Locale.ROOT, "model %s, kv %s, %d threads, heap max %d MiB, load average %.2f%n", model, kv,
                options.effectiveThreads(), Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        try (Engine.Loaded loaded = Engine.Loaded.open(options, options.model(), options.contextLength(),
                LoadProgress.NONE)) {
            for (int context : contexts) {
                long t0 = System.nanoTime();
                long[] best = VerifyPasses.time(loaded, new VerifyPasses.Shape(context, 1, 5), options.prefillChunk());
                double total = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "context %6d: prefill (chunks of 512) + 5 decode steps %.1f s "
                        + "(%.0f prompt tok/s); decode step %.2f ms = %.1f tok/s%n", context, total,
                        context / total, best[0] / 1e6, 1e9 / best[0]);
            }
        }
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf(Locale.ROOT, "peak heap used (sum of pools' peaks): %d MiB of %d MiB%n", peak >> 20,
                Runtime.getRuntime().maxMemory() >> 20);
    }
}
