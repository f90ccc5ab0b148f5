package dev.switchboard.inference.sampling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Records, for each sampled token, its log-probability and the {@code top} most likely alternatives, computed as a
 * log-softmax of the row the sampler saw (after the logits processors, at temperature 1: the model's own
 * distribution as the request shaped it). Written on the engine loop's thread, which may run a step ahead of the
 * output: an entry is shown once the output side {@link #reveal revealed} its token (a step computed after a stop
 * string is never shown). Read by whoever streams the response: synchronized.
 */
public final class LogprobsRecorder {
    /** OpenAI's limit on top_logprobs. */
    public static final int MAX_TOP = 20;

    /** One alternative: a token and its log-probability. */
    public record Alternative(int token, float logprob) {
    }

    /** The sampled token's entry. */
    public record Entry(int token, float logprob, List<Alternative> top) {
    }

    private final int top;
    private final List<Entry> entries = new ArrayList<>();
    private long[] keys = new long[0];
    private int revealed;

    public LogprobsRecorder(int top) {
        if (top < 0 || top > MAX_TOP) {
            throw new IllegalArgumentException("top_logprobs must be between 0 and " + MAX_TOP + ", got " + top);
        }
        this.top = top;
    }

    /** Records the sampled token of this row. */
    public void record(float[] logits, int offset, int vocabSize, int token) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabSize; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocabSize; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        float logZ = (float) (max + Math.log(sum));
        List<Alternative> alternatives = new ArrayList<>(top);
        if (top > 0) {
            // k <= 20: keep the k largest in a sorted array, inserting by shifting (no heap needed).
            if (keys.length < top) {
                keys = new long[top];
            }
            int size = 0;
            for (int i = 0; i < vocabSize; i++) {
                long key = Sampler.key(logits[offset + i], i);
                if (size < top) {
                    keys[size++] = key;
                    if (size == top) {
                        Arrays.sort(keys, 0, size);
                    }
                } else if (key > keys[0]) {
                    // Insert in sorted order, dropping the smallest.
                    int j = 1;
                    while (j < size && keys[j] < key) {
                        keys[j - 1] = keys[j];
                        j++;
                    }
                    keys[j - 1] = key;
                }
            }
            if (size < top) {
                Arrays.sort(keys, 0, size);
            }
            for (int j = size - 1; j >= 0; j--) {
                int id = Sampler.tokenOf(keys[j]);
                alternatives.add(new Alternative(id, logits[offset + id] - logZ));
            }
        }
        Entry entry = new Entry(token, logits[offset + token] - logZ, List.copyOf(alternatives));
        synchronized (this) {
            entries.add(entry);
        }
    }

    /** The output side took the first {@code count} tokens: their entries may be shown. */
    public synchronized void reveal(int count) {
        revealed = Math.max(revealed, count);
    }

    /** The revealed entries from index {@code from} on (streaming takes the new ones after each delta). */
    public synchronized List<Entry> since(int from) {
        int end = Math.min(revealed, entries.size());
        return List.copyOf(entries.subList(Math.min(from, end), end));
    }

    /** Revealed entries. */
    public synchronized int size() {
        return Math.min(revealed, entries.size());
    }

    public int top() {
        return top;
    }
}
