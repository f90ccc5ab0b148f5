package dev.switchboard.inference;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The engine's counters (written by the loop and output threads) and gauges (published by the loop), read by
 * {@link #snapshot} from any thread.
 */
final class EngineMetrics {
    private final AtomicLong generations = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong reusedTokens = new AtomicLong();
    private final AtomicLong prefilledTokens = new AtomicLong();
    private final AtomicLong completionTokens = new AtomicLong();
    private final AtomicLong draftedTokens = new AtomicLong();
    private final AtomicLong acceptedTokens = new AtomicLong();
    private final AtomicLong decodePasses = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong preemptions = new AtomicLong();
    private final LatencyHistogram ttft = new LatencyHistogram(LatencyHistogram.TTFT_BOUNDS);
    private final LatencyHistogram itl = new LatencyHistogram(LatencyHistogram.ITL_BOUNDS);
    private volatile int running;
    private volatile int queued;
    private volatile int free;
    private volatile int evictable;
    private volatile int cached;
    private volatile long evictions;
    private final int totalBlocks;
    private volatile LongConsumer ttftObserver = nanos -> { };
    private volatile LongConsumer itlObserver = nanos -> { };

    EngineMetrics(int totalBlocks) {
        this.totalBlocks = totalBlocks;
        this.free = totalBlocks;
    }

    void step() {
        steps.incrementAndGet();
    }

    void preempted() {
        preemptions.incrementAndGet();
    }

    void prefilled(int positions) {
        prefilledTokens.addAndGet(positions);
    }

    /** A request's tokens arrived: the first counts as time to first token, later ones share the wait equally. */
    void emitted(Request r, int before, long now) {
        int emitted = r.generated - before;
        if (emitted == 0) {
            return;
        }
        if (before == 0) {
            ttft.record(r.timeToFirstTokenNanos());
            ttftObserver.accept(r.timeToFirstTokenNanos());
            emitted--;
        } else {
            // Tokens accepted together arrive together: each counts an equal share of the wait.
            long each = (now - r.lastTokenNanos) / emitted;
            for (int i = 0; i < emitted; i++) {
                itl.record(each);
                itlObserver.accept(each);
            }
        }
        r.lastTokenNanos = now;
    }

    /** A generation ended with {@code result}. */
    void ended(GenerationResult result) {
        generations.incrementAndGet();
        promptTokens.addAndGet(result.promptTokens());
        reusedTokens.addAndGet(result.cachedPromptTokens());
        completionTokens.addAndGet(result.completionTokens());
        draftedTokens.addAndGet(result.draftedTokens());
        acceptedTokens.addAndGet(result.acceptedTokens());
        decodePasses.addAndGet(result.decodePasses());
        if (result.finishReason() == FinishReason.CANCELLED) {
            cancelled.incrementAndGet();
        }
    }

    void observe(LongConsumer timeToFirstToken, LongConsumer interTokenLatency) {
        ttftObserver = timeToFirstToken;
        itlObserver = interTokenLatency;
    }

    void queued(int n) {
        queued = n;
    }

    void publish(int runningNow, KvManager kv) {
        running = runningNow;
        free = kv.freeBlocks();
        evictable = kv.evictableBlocks();
        cached = kv.cachedBlocks();
        evictions = kv.evictions();
    }

    /** KV blocks that are free or only cached (reclaimable): all of them when nothing runs. */
    int availableKvBlocks() {
        return free + evictable;
    }

    EngineStats snapshot() {
        return EngineStats.builder()
                .generations(generations.get()).cancelled(cancelled.get())
                .promptTokens(promptTokens.get()).completionTokens(completionTokens.get())
                .draftedTokens(draftedTokens.get()).acceptedTokens(acceptedTokens.get())
                .decodePasses(decodePasses.get()).reusedPromptTokens(reusedTokens.get())
                .prefilledTokens(prefilledTokens.get()).steps(steps.get())
                .requestsRunning(running).requestsQueued(queued)
                .kvBlocksTotal(totalBlocks).kvBlocksInUse(totalBlocks - free - evictable).kvBlocksFree(free)
                .kvBlocksCached(cached).kvEvictions(evictions)
                .preemptions(preemptions.get())
                .timeToFirstToken(ttft.snapshot()).interTokenLatency(itl.snapshot())
                .build();
    }
}
