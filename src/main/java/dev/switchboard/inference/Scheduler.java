package dev.switchboard.inference;

import dev.switchboard.inference.kv.KvBlockPool;
import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.speculative.DraftModel;
import dev.switchboard.inference.speculative.Drafter;
import dev.switchboard.inference.speculative.ModelDrafter;
import dev.switchboard.inference.speculative.Speculation;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Continuous batching: one thread runs one {@link Backend#forward} per step over every active sequence. Requests
 * join between steps and leave the moment they finish, giving their KV blocks back at once.
 *
 * <p>A step feeds each decoding sequence its last token plus its drafts (each its own number: 0 without
 * speculation), then fills what is left of the step's token budget with prompt chunks of sequences still in
 * prefill, oldest first. A long prompt therefore never stalls the running streams for more than a chunk.
 *
 * <p>KV memory is admitted, not hoped for: a request enters only when the blocks it may need in the worst case
 * (prompt plus max tokens) fit beside what the running ones may still claim, so a step never runs out of blocks and
 * no sequence is ever preempted or corrupted. Requests that do not fit wait in arrival order (FIFO: a large request
 * is not overtaken forever by small ones). Blocks of a prompt prefix found in the prefix cache are shared instead of
 * recomputed; the last prompt token is always computed, since its logits give the first token.
 *
 * <p>Listeners run on the scheduler thread between steps: they must be quick (the server's SSE writes are).
 */
final class Scheduler {
    private final Backend backend;
    private final KvCache cache;
    private final KvBlockPool pool;
    private final int blockSize;
    private final int stepTokens;
    private final int contextLength;
    private final int vocabSize;
    private final AutoCloseable onExit;
    /** The engine's draft model for {@link dev.switchboard.inference.speculative.DraftMode#MODEL}, or null. */
    private final DraftModel draftModel;
    private final ForwardBatch batch;
    private float[] logits;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    /** Guarded by lock. */
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    /** Guarded by lock: work to run on the scheduler thread between steps (benchmarks of raw passes). */
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    /** Guarded by lock. */
    private boolean closed;
    /** Scheduler thread only. */
    private final List<Request> running = new ArrayList<>();
    /** Scheduler thread only: this step's sequences that draft with the draft model. */
    private final List<ModelDrafter> modelDrafters = new ArrayList<>();
    private final Thread thread;

    // Counters and gauges, written by the scheduler thread and read by stats() from any thread.
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
    private final LatencyHistogram ttft = new LatencyHistogram(LatencyHistogram.TTFT_BOUNDS);
    private final LatencyHistogram itl = new LatencyHistogram(LatencyHistogram.ITL_BOUNDS);
    private volatile int runningGauge;
    private volatile int queuedGauge;
    private volatile int freeGauge;
    private volatile int evictableGauge;
    private volatile int cachedGauge;
    private volatile long evictionsGauge;

    /**
     * @param stepTokens the most positions a step feeds for prefill when nothing decodes (decoding sequences take
     *     their share first; prefill always gets at least a quarter, so that new requests start under load)
     * @param draftModel the draft model of {@code DraftMode.MODEL}, or null
     * @param onExit closed by the scheduler thread after the last step (the backend, cache and model files)
     */
    Scheduler(Backend backend, KvCache cache, KvBlockPool pool, int stepTokens, DraftModel draftModel, String name,
            AutoCloseable onExit) {
        this.draftModel = draftModel;
        this.backend = backend;
        this.cache = cache;
        this.pool = pool;
        this.blockSize = pool.blockSize();
        this.stepTokens = stepTokens;
        this.contextLength = backend.config().contextLength();
        this.vocabSize = backend.config().vocabSize();
        this.onExit = onExit;
        this.batch = new ForwardBatch(stepTokens);
        this.logits = new float[vocabSize];
        publishGauges();
        this.thread = Thread.ofPlatform().name("engine-scheduler-" + name).daemon().start(this::loop);
    }

    /** One generation's place in the scheduler: its sequence, KV blocks, drafter and progress. */
    private final class Request {
        final Sequence seq;
        final Drafter drafter;
        final int maxDraft;
        final int[] prompt;
        /** The prompt then every token whose KV is or will be final: what drafts and cached blocks are read from. */
        final int[] history;
        final BlockTable table = new BlockTable();
        /** Blocks the request may need at most: positions up to min(prompt + max tokens, context) - 1. */
        final int worstBlocks;
        final CompletableFuture<GenerationResult> done = new CompletableFuture<>();
        /** Hashes of the blocks of {@code table} registered in (or taken from) the prefix cache, in order. */
        long[] hashes = new long[8];
        int registered;
        /** Blocks taken from the prefix cache at admission: not the request's to budget. */
        int reused;
        /** Blocks this request allocated and still holds. */
        int allocated;
        /** Prompt positions computed (or reused). */
        int computed;
        /** In decode: the position of {@link #token}, the last emitted token, fed next. */
        int position;
        int token;
        boolean decoding;
        /** This step's entries: prompt positions of a prefill chunk, or drafts of a decode pass. */
        int chunk;
        int drafts;
        final int[] draft;
        final int[] emitted;
        long lastTokenNanos;

        Request(Sequence seq, Speculation speculation) {
            this.seq = seq;
            this.drafter = speculation.mode().newDrafter(draftModel, speculation.corpus());
            this.maxDraft = drafter == null ? 0 : speculation.maxTokens();
            this.prompt = seq.prompt();
            this.history = Arrays.copyOf(prompt, contextLength);
            this.worstBlocks = Math.ceilDiv(Math.min(prompt.length + seq.maxTokens(), contextLength) - 1, blockSize);
            this.draft = new int[maxDraft];
            this.emitted = new int[maxDraft + 1];
        }

        /** Blocks the request may still allocate: its share of the cache that admission set aside. */
        int outstanding() {
            return worstBlocks - reused - allocated;
        }

        /** Entries wanting logits this step. */
        int logitRows() {
            return decoding ? 1 + drafts : chunk > 0 && computed + chunk == prompt.length ? 1 : 0;
        }
    }

    /**
     * Runs a generation to its end through the batch and returns its result; blocks the calling thread meanwhile.
     * An interrupt cancels the generation (the call still returns its result, with the interrupt flag set).
     */
    GenerationResult generate(Sequence seq, Speculation speculation) {
        Request r = new Request(seq, speculation);
        if (r.worstBlocks > pool.numBlocks()) {
            throw new IllegalArgumentException("the request needs up to " + r.worstBlocks + " KV blocks of "
                    + blockSize + " positions (prompt " + seq.prompt().length + " + max tokens " + seq.maxTokens()
                    + "), the KV cache has " + pool.numBlocks() + ": lower max_tokens");
        }
        seq.arrived();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("engine is closed");
            }
            waiting.addLast(r);
            queuedGauge = waiting.size();
            work.signal();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return r.done.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                    seq.cancel();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs work on the scheduler thread between steps, with the backend to itself, and returns its result. */
    <T> T exclusive(Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("engine is closed");
            }
            tasks.addLast(() -> {
                try {
                    result.complete(task.get());
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
            work.signal();
        } finally {
            lock.unlock();
        }
        try {
            return result.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    /**
     * Allocates {@code positions} worth of private blocks for a task run by {@link #exclusive}, if the requests
     * admitted so far can spare them; {@link #releaseTaskBlocks} gives them back.
     */
    BlockTable taskBlocks(int positions) {
        int need = Math.ceilDiv(positions, blockSize);
        if (need > pool.availableBlocks() - outstanding()) {
            throw new IllegalStateException("the KV cache is busy: " + need + " blocks needed");
        }
        BlockTable table = new BlockTable();
        for (int i = 0; i < need; i++) {
            table.add(pool.allocate());
        }
        return table;
    }

    void releaseTaskBlocks(BlockTable table) {
        pool.release(table.toArray());
        publishGauges();
    }

    Backend backend() {
        return backend;
    }

    KvCache cache() {
        return cache;
    }

    ForwardBatch batch() {
        return batch;
    }

    /**
     * Refuses new work, cancels queued and running generations (queued ones fail: the engine is closed), waits for
     * the scheduler thread to finish its step and free the model. Called from a listener (the scheduler thread),
     * it does not wait: the thread frees the model after this step.
     */
    void close() {
        lock.lock();
        try {
            closed = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() == thread) {
            return;
        }
        Threads.joinUninterruptibly(thread);
    }

    private void loop() {
        try {
            while (true) {
                List<Runnable> todo;
                lock.lock();
                try {
                    while (!closed && waiting.isEmpty() && tasks.isEmpty() && running.isEmpty()) {
                        work.awaitUninterruptibly();
                    }
                    if (closed) {
                        failWaiting();
                        if (running.isEmpty()) {
                            return;
                        }
                        for (Request r : running) {
                            r.seq.cancel();
                        }
                    } else {
                        admit();
                    }
                    todo = new ArrayList<>(tasks);
                    tasks.clear();
                } finally {
                    lock.unlock();
                }
                todo.forEach(Runnable::run);
                if (!running.isEmpty()) {
                    try {
                        step();
                    } catch (RuntimeException e) {
                        // A bug outside the forward pass (a drafter, the block accounting): the running generations
                        // fail, the engine goes on with the next ones.
                        failRunning(e);
                    }
                }
                publishGauges();
            }
        } finally {
            // Normally nothing is left here; after an Error, nobody may wait forever.
            IllegalStateException stopped = new IllegalStateException("the engine's scheduler stopped");
            lock.lock();
            try {
                closed = true;
                for (Request r : waiting) {
                    r.done.completeExceptionally(stopped);
                }
                waiting.clear();
            } finally {
                lock.unlock();
            }
            for (Request r : running) {
                r.done.completeExceptionally(stopped);
            }
            try {
                onExit.close();
            } catch (Exception e) {
                System.getLogger(Scheduler.class.getName()).log(System.Logger.Level.ERROR, "closing the model failed",
                        e);
            }
        }
    }

    /** Under lock, closed: queued requests and tasks fail. */
    private void failWaiting() {
        IllegalStateException closedError = new IllegalStateException("engine is closed");
        for (Request r : waiting) {
            r.done.completeExceptionally(closedError);
        }
        waiting.clear();
        queuedGauge = 0;
        tasks.forEach(Runnable::run); // the model is still open: they may finish
        tasks.clear();
    }

    /** Under lock: drops cancelled waiters, then admits from the head of the queue while the KV budget allows. */
    private void admit() {
        for (Iterator<Request> it = waiting.iterator(); it.hasNext(); ) {
            Request r = it.next();
            if (r.seq.isCancelled()) {
                it.remove();
                queuedGauge = waiting.size();
                finish(r);
            }
        }
        while (!waiting.isEmpty()) {
            Request r = waiting.peekFirst();
            // Full blocks before the last prompt token only: that token's logits must be computed.
            int[] hits = pool.lookup(r.prompt, (r.prompt.length - 1) / blockSize);
            int spare = pool.availableBlocks() - pool.countEvictable(hits) - outstanding();
            if (r.worstBlocks - hits.length > spare) {
                break;
            }
            waiting.removeFirst();
            pool.acquire(hits);
            long parent = KvBlockPool.ROOT;
            for (int b : hits) {
                r.table.add(b);
                parent = pool.hash(parent, r.prompt, r.registered * blockSize);
                remember(r, parent);
            }
            r.reused = hits.length;
            r.computed = hits.length * blockSize;
            running.add(r);
        }
        queuedGauge = waiting.size();
        publishGauges();
    }

    private int outstanding() {
        int n = 0;
        for (Request r : running) {
            n += r.outstanding();
        }
        return n;
    }

    private void step() {
        batch.clear();
        int decodeTokens = 0;
        for (Iterator<Request> it = running.iterator(); it.hasNext(); ) {
            Request r = it.next();
            r.chunk = 0;
            r.drafts = 0;
            if (r.seq.isCancelled()) {
                it.remove();
                finish(r);
            } else if (r.decoding && r.drafter != null) {
                int budget = Math.min(r.maxDraft, r.seq.draftBudget());
                if (r.drafter instanceof ModelDrafter m) {
                    // Drafted below, for all such sequences in shared passes of the draft model.
                    r.drafts = m.prepare(r.history, r.position + 1, budget, r.draft);
                    if (r.drafts > 0) {
                        modelDrafters.add(m);
                    }
                } else {
                    r.drafts = r.drafter.propose(r.history, r.position + 1, budget, r.draft);
                }
            }
        }
        try {
            if (!modelDrafters.isEmpty()) {
                draftModel.draftAll(modelDrafters);
            }
        } finally {
            modelDrafters.clear();
        }
        for (Request r : running) {
            if (r.decoding) {
                growTo(r, r.position + 1 + r.drafts);
                batch.add(r.token, r.position, r.table, true);
                for (int i = 0; i < r.drafts; i++) {
                    batch.add(r.draft[i], r.position + 1 + i, r.table, true);
                }
                decodeTokens += 1 + r.drafts;
            }
        }
        int prefillBudget = decodeTokens == 0 ? stepTokens : Math.max(stepTokens - decodeTokens,
                Math.ceilDiv(stepTokens, 4));
        for (Request r : running) {
            if (r.decoding || prefillBudget == 0) {
                continue;
            }
            r.chunk = Math.min(prefillBudget, r.prompt.length - r.computed);
            prefillBudget -= r.chunk;
            growTo(r, r.computed + r.chunk);
            for (int p = r.computed; p < r.computed + r.chunk; p++) {
                batch.add(r.prompt[p], p, r.table, p == r.prompt.length - 1);
            }
        }
        if (batch.size() == 0) {
            return;
        }
        if (logits.length < batch.logitRows() * vocabSize) {
            logits = new float[batch.logitRows() * vocabSize];
        }
        try {
            backend.forward(batch, cache, logits);
        } catch (RuntimeException e) {
            // The pass's KV writes are unknown: every sequence in it fails; the engine goes on with new ones.
            failRunning(e);
            return;
        }
        steps.incrementAndGet();
        long now = System.nanoTime();
        int row = 0;
        // Entry order: decoding sequences first, then prefill chunks, as the batch was built.
        for (boolean decodePhase : new boolean[] {true, false}) {
            for (Iterator<Request> it = running.iterator(); it.hasNext(); ) {
                Request r = it.next();
                if (r.decoding != decodePhase || (!r.decoding && r.chunk == 0)) {
                    continue;
                }
                int rows = r.logitRows();
                boolean goesOn;
                int before = r.seq.generated();
                try {
                    goesOn = decodePhase ? afterDecode(r, row * vocabSize) : afterPrefill(r, row * vocabSize);
                } catch (RuntimeException e) { // a listener failed: only its own generation ends
                    it.remove();
                    release(r);
                    r.done.completeExceptionally(e);
                    row += rows;
                    continue;
                }
                row += rows;
                recordLatency(r, before, now);
                if (!goesOn) {
                    it.remove();
                    finish(r);
                }
            }
        }
    }

    private void failRunning(RuntimeException e) {
        for (Request r : running) {
            release(r);
            r.done.completeExceptionally(e);
        }
        running.clear();
        publishGauges();
    }

    private void recordLatency(Request r, int before, long now) {
        int emitted = r.seq.generated() - before;
        if (emitted == 0) {
            return;
        }
        if (before == 0) {
            ttft.record(r.seq.timeToFirstTokenNanos());
            emitted--;
        } else {
            // Tokens accepted together arrive together: each counts an equal share of the wait.
            long each = (now - r.lastTokenNanos) / emitted;
            for (int i = 0; i < emitted; i++) {
                itl.record(each);
            }
        }
        r.lastTokenNanos = now;
    }

    /** After a prefill chunk: the last one samples the first token. Returns whether the request goes on. */
    private boolean afterPrefill(Request r, int offset) {
        r.computed += r.chunk;
        prefilledTokens.addAndGet(r.chunk);
        registerFullBlocks(r, r.computed);
        if (r.computed < r.prompt.length) {
            return !r.seq.isCancelled();
        }
        r.token = r.seq.sample(logits, offset);
        r.position = r.prompt.length;
        r.decoding = true;
        if (!r.seq.accept(r.token)) {
            return false;
        }
        r.history[r.position] = r.token;
        return true;
    }

    /**
     * After a decode pass: verification keeps the drafts the target agrees with plus one token of its own. Keys
     * and values past the accepted drafts are stale: later passes overwrite them, and whole blocks holding only
     * stale positions go back to the pool now.
     */
    private boolean afterDecode(Request r, int offset) {
        int k = r.drafts;
        int accepted = r.seq.verify(logits, offset, vocabSize, r.draft, k, r.emitted);
        if (r.drafter != null) {
            r.drafter.accepted(k, accepted);
        }
        int valid = r.position + 1 + accepted;
        int keep = Math.ceilDiv(valid, blockSize);
        if (r.table.size() > keep) {
            int[] dropped = r.table.truncate(keep);
            pool.release(dropped);
            r.allocated -= dropped.length;
        }
        System.arraycopy(r.emitted, 0, r.history, r.position + 1, accepted);
        registerFullBlocks(r, valid);
        int i = 0;
        while (i < accepted && r.seq.accept(r.emitted[i])) {
            i++;
        }
        if (i < accepted) {
            return false; // a stop, the token limit or cancellation cut the accepted run
        }
        r.position += accepted + 1;
        r.token = r.emitted[accepted];
        if (!r.seq.accept(r.token)) {
            return false;
        }
        r.history[r.position] = r.token;
        return true;
    }

    /** Offers the blocks whose positions all hold final keys and values ({@code < valid}) to the prefix cache. */
    private void registerFullBlocks(Request r, int valid) {
        if (!pool.caching()) {
            return;
        }
        while ((r.registered + 1) * blockSize <= valid) {
            long parent = r.registered == 0 ? KvBlockPool.ROOT : r.hashes[r.registered - 1];
            remember(r, pool.register(r.table.block(r.registered), parent, r.history, r.registered * blockSize));
        }
    }

    private static void remember(Request r, long hash) {
        if (r.registered == r.hashes.length) {
            r.hashes = Arrays.copyOf(r.hashes, r.registered * 2);
        }
        r.hashes[r.registered++] = hash;
    }

    private void growTo(Request r, int positions) {
        while (r.table.size() * blockSize < positions) {
            int block = pool.allocate();
            if (block < 0) {
                // Admission reserved every block a request can need: running out is a bug, not a full cache.
                throw new IllegalStateException("KV block accounting broken: no block for a request within its "
                        + "reservation of " + r.worstBlocks);
            }
            r.table.add(block);
            r.allocated++;
        }
    }

    /** Gives the request's blocks back and publishes the gauges before anyone is told that it ended. */
    private void release(Request r) {
        pool.release(r.table.truncate(0));
        r.allocated = 0;
        if (r.drafter != null) {
            r.drafter.close();
        }
        publishGauges();
    }

    /** Frees the request's blocks and completes it with its result. */
    private void finish(Request r) {
        release(r);
        GenerationResult result = r.seq.result();
        generations.incrementAndGet();
        promptTokens.addAndGet(result.promptTokens());
        reusedTokens.addAndGet((long) r.reused * blockSize);
        completionTokens.addAndGet(result.completionTokens());
        draftedTokens.addAndGet(result.draftedTokens());
        acceptedTokens.addAndGet(result.acceptedTokens());
        decodePasses.addAndGet(result.decodePasses());
        if (result.finishReason() == FinishReason.CANCELLED) {
            cancelled.incrementAndGet();
        }
        r.done.complete(result);
    }

    private void publishGauges() {
        runningGauge = running.size();
        freeGauge = pool.freeBlocks();
        evictableGauge = pool.evictableBlocks();
        cachedGauge = pool.cachedBlocks();
        evictionsGauge = pool.evictions();
    }

    /** KV blocks that are free or only cached (reclaimable): all of them when nothing runs. */
    int availableKvBlocks() {
        return freeGauge + evictableGauge;
    }

    EngineStats stats() {
        int total = pool.numBlocks();
        return new EngineStats(generations.get(), cancelled.get(), promptTokens.get(), completionTokens.get(),
                draftedTokens.get(), acceptedTokens.get(), decodePasses.get(), reusedTokens.get(),
                prefilledTokens.get(), steps.get(), runningGauge, queuedGauge, total,
                total - freeGauge - evictableGauge, freeGauge, cachedGauge, evictionsGauge, ttft.snapshot(),
                itl.snapshot());
    }
}
