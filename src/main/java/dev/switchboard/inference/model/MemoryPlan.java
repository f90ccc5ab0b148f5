package dev.switchboard.inference.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a model needs in memory at a context length, computed from its shape: weights (memory-mapped, so page
 * cache), the KV cache (off-heap) and the forward pass's activations (Java heap), against the heap limit and the
 * machine's RAM.
 *
 * @param ramBytes the machine's memory, or -1 when unknown (not Linux)
 */
public record MemoryPlan(long weightBytes, long kvBytes, long activationBytes, int kvTokens, KvType kvType,
                         long heapMaxBytes, long ramBytes) {
    /** Entries of one forward chunk (the CPU backend's). */
    private static final int CHUNK = 128;

    public static MemoryPlan of(LlamaConfig c, long weightBytes, int kvTokens, KvType kvType, int threads) {
        long kv = 2L * c.layers() * kvTokens * kvType.bytesPerPosition(c.kvDim(), c.headSize());
        // per chunk row: x, xb, xb2, q, k, v, the two FFN buffers, RoPE tables, a row of logits; per thread: scores
        long perRow = 4L * (4L * c.dim() + 2L * c.kvDim() + 2L * c.ffnDim() + c.headSize() + c.vocabSize());
        long activations = CHUNK * perRow + 4L * kvTokens * threads;
        return new MemoryPlan(weightBytes, kv, activations, kvTokens, kvType, Runtime.getRuntime().maxMemory(),
                machineMemory());
    }

    public long totalBytes() {
        return weightBytes + kvBytes + activationBytes;
    }

    /** Activations fit the heap, and everything the machine's RAM (when known). */
    public boolean fits() {
        return activationBytes < heapMaxBytes && (ramBytes < 0 || totalBytes() <= ramBytes);
    }

    public String describe() {
        return String.format(Locale.ROOT, "memory plan: weights %s (mapped) + KV %s (%s, %d positions, off-heap) "
                        + "+ activations %s (heap) = %s; heap max %s, RAM %s: %s",
                gib(weightBytes), gib(kvBytes), kvType.name().toLowerCase(Locale.ROOT), kvTokens, gib(activationBytes),
                gib(totalBytes()), gib(heapMaxBytes), ramBytes < 0 ? "unknown" : gib(ramBytes),
                fits() ? "fits" : "does NOT fit");
    }

    private static String gib(long bytes) {
        return bytes < 1L << 30 ? String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20))
                : String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    /** MemTotal of /proc/meminfo, or -1. */
    static long machineMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
