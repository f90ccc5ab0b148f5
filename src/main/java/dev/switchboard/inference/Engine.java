package dev.switchboard.inference;

import dev.switchboard.inference.cuda.BackendSelector;
import dev.switchboard.inference.cuda.CudaBackend;
import dev.switchboard.inference.cpu.SyntheticModels;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.kv.BlockAllocator;
import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.Drafter;
import dev.switchboard.inference.speculative.Speculation;
import dev.switchboard.inference.tokenizer.ChatMessage;
import dev.switchboard.inference.tokenizer.Llama3ChatTemplate;
import dev.switchboard.inference.tokenizer.Tokenizer;
import dev.switchboard.inference.tokenizer.Tokenizers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A loaded model ready to generate: backend, tokenizer and KV cache behind one facade. Thread-safe: generations
 * run one at a time, in arrival order (a fair lock), each over the whole KV cache. Continuous batching will
 * replace {@link #run(Sequence, Speculation)} with a scheduler stepping many {@link Sequence}s per forward pass.
 */
public final class Engine implements AutoCloseable {
    /** Positions per KV block. */
    static final int BLOCK_SIZE = 16;

    private final Backend backend;
    private final Tokenizer tokenizer;
    /** The chat format, or null for a vocabulary without the Llama 3 chat tokens. */
    private final Llama3ChatTemplate chatTemplate;
    private final String modelName;
    private final int prefillChunk;
    private final AutoCloseable modelFile;
    private final KvCache cache;
    private final BlockAllocator blocks;
    private final ForwardBatch batch;
    private final Speculation speculation;
    /** Rows of {@code config().vocabSize()} logits: one per position a decode pass verifies. */
    private float[] logits;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final AtomicLong generations = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong completionTokens = new AtomicLong();
    private final AtomicLong draftedTokens = new AtomicLong();
    private final AtomicLong acceptedTokens = new AtomicLong();
    private volatile boolean closed;
    private boolean released;
    /** The running generation's handle, so that {@link #close()} can stop it instead of waiting for its end. */
    private volatile Cancellation running;

    /**
     * @param modelFile closed with the engine (the mapped GGUF the backend's weights live in), or null
     */
    Engine(Backend backend, Tokenizer tokenizer, String modelName, int prefillChunk, AutoCloseable modelFile) {
        this(backend, tokenizer, modelName, prefillChunk, Speculation.NONE, modelFile);
    }

    /**
     * @param speculation the default speculative decoding of generations
     * @param modelFile closed with the engine (the mapped GGUF the backend's weights live in), or null
     */
    Engine(Backend backend, Tokenizer tokenizer, String modelName, int prefillChunk, Speculation speculation,
            AutoCloseable modelFile) {
        LlamaConfig config = backend.config();
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the model's output has only " + config.vocabSize());
        }
        this.backend = backend;
        this.tokenizer = tokenizer;
        this.chatTemplate = Llama3ChatTemplate.supports(tokenizer) ? new Llama3ChatTemplate(tokenizer) : null;
        this.modelName = modelName;
        this.prefillChunk = prefillChunk;
        this.speculation = speculation;
        this.modelFile = modelFile;
        int numBlocks = Math.ceilDiv(config.contextLength(), BLOCK_SIZE);
        this.cache = backend.newKvCache(numBlocks, BLOCK_SIZE);
        this.blocks = new BlockAllocator(numBlocks);
        this.batch = new ForwardBatch(Math.min(prefillChunk, config.contextLength()));
        this.logits = new float[config.vocabSize() * (speculation.enabled() ? speculation.maxTokens() + 1 : 1)];
    }

    /** Loads the model named by the options; errors name the file and what is wrong with it. */
    public static Engine load(EngineOptions options) {
        return load(options, LoadProgress.NONE);
    }

    public static Engine load(EngineOptions options, LoadProgress progress) {
        boolean synthetic = SyntheticModels.isSynthetic(options.model());
        Path path;
        if (synthetic) {
            path = SyntheticModels.file(options.model(), options.syntheticType());
        } else {
            path = Path.of(options.model());
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("model file " + path.toAbsolutePath() + " does not exist");
            }
        }
        GgufFile gguf = GgufFile.open(path);
        try {
            LlamaConfig config = LlamaConfig.fromGguf(gguf, options.contextLength());
            if (options.contextLength() == 0 && config.contextLength() > EngineOptions.DEFAULT_MAX_CONTEXT) {
                config = LlamaConfig.fromGguf(gguf, EngineOptions.DEFAULT_MAX_CONTEXT);
            }
            // Synthetic models carry no vocabulary: benchmarks generate bytes.
            Tokenizer tokenizer = synthetic ? ByteVocabulary.INSTANCE : Tokenizers.fromGguf(gguf);
            String name = synthetic ? options.model() + "-" + options.syntheticType() : modelNameOf(path);
            // "auto" and "cuda" fall back to the CPU with one notice when no GPU or CUDA library is usable.
            Backend backend = BackendSelector.open(BackendSelector.Kind.parse(options.backend()), gguf, config,
                    CudaBackend.Options.DEFAULT, options.effectiveThreads(), progress, System.err::println);
            try {
                return new Engine(backend, tokenizer, name, options.prefillChunk(), options.speculation(), gguf);
            } catch (RuntimeException e) {
                backend.close();
                throw e;
            }
        } catch (RuntimeException e) {
            gguf.close();
            throw e;
        }
    }

    /**
     * The file name without {@code .gguf}: what clients of the HTTP API name the model by (GGUF's
     * {@code general.name} is often generic, e.g. "llama", or has spaces).
     */
    private static String modelNameOf(Path path) {
        String file = path.getFileName().toString();
        return file.endsWith(".gguf") ? file.substring(0, file.length() - 5) : file;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public String modelName() {
        return modelName;
    }

    public LlamaConfig config() {
        return backend.config();
    }

    public String backendName() {
        return backend.name();
    }

    /** Free KV blocks: all of them whenever no generation runs (tests check that nothing leaks). */
    int freeKvBlocks() {
        lock.lock();
        try {
            return blocks.freeBlocks();
        } finally {
            lock.unlock();
        }
    }

    public EngineStats stats() {
        return new EngineStats(generations.get(), cancelled.get(), promptTokens.get(), completionTokens.get(),
                draftedTokens.get(), acceptedTokens.get());
    }

    /** Whether the vocabulary has the Llama 3 chat tokens that {@link #chat} needs. */
    public boolean supportsChat() {
        return chatTemplate != null;
    }

    /**
     * Encodes text as a completion prompt: BOS (when the vocabulary asks for it) then the text. Special tokens
     * spelled out in the text stay text: prompts come from clients.
     */
    public int[] encodePrompt(String text) {
        return encode(text, true, false);
    }

    /**
     * Encodes text.
     *
     * @param addSpecial prepend BOS when the vocabulary asks for it
     * @param parseSpecial turn spelled-out special tokens into their ids (only for trusted text)
     */
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        int[] ids = tokenizer.encode(text, parseSpecial);
        if (!addSpecial || !tokenizer.addBos() || tokenizer.bos() < 0) {
            return ids;
        }
        int[] withBos = new int[ids.length + 1];
        withBos[0] = tokenizer.bos();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
    }

    /** Encodes a conversation with the Llama 3 chat template, ending with the assistant's header. */
    public int[] encodeChat(List<ChatMessage> messages) {
        if (!supportsChat()) {
            throw new UnsupportedOperationException("model '" + modelName + "' has no chat vocabulary (no Llama 3 "
                    + "header and end-of-turn tokens): use plain completions");
        }
        return chatTemplate.render(messages, true);
    }

    public GenerationResult generate(int[] promptTokens, SamplingParams params, TokenListener listener) {
        return generate(promptTokens, params, listener, new Cancellation());
    }

    /**
     * Generates a continuation of the prompt, streaming text to the listener as it becomes final. Blocks while
     * another generation runs. Cancelling (listener returns false, or {@code cancellation}) ends it at the next
     * forward pass with {@link FinishReason#CANCELLED}.
     *
     * @throws IllegalArgumentException if the prompt is empty, does not fit the context, or has unknown ids
     */
    public GenerationResult generate(int[] promptTokens, SamplingParams params, TokenListener listener,
            Cancellation cancellation) {
        return generate(promptTokens, params, listener, cancellation, speculation);
    }

    /** The engine's default speculative decoding (from {@link EngineOptions#speculation()}). */
    public Speculation speculation() {
        return speculation;
    }

    /**
     * Like {@link #generate(int[], SamplingParams, TokenListener, Cancellation)} with speculative decoding chosen
     * for this generation. Speculation changes speed, never the output's distribution (greedy: the same tokens).
     */
    public GenerationResult generate(int[] promptTokens, SamplingParams params, TokenListener listener,
            Cancellation cancellation, Speculation speculation) {
        Sequence seq = new Sequence(promptTokens, params, tokenizer, config().contextLength(), listener, cancellation);
        lock.lock();
        try {
            // Publish the handle before checking closed (close() does the reverse): with both volatile, either
            // close() sees this generation and cancels it, or this generation sees that the engine is closed.
            running = cancellation;
            GenerationResult result;
            try {
                if (closed) {
                    throw new IllegalStateException("engine is closed");
                }
                result = run(seq, speculation);
            } finally {
                running = null;
            }
            generations.incrementAndGet();
            this.promptTokens.addAndGet(result.promptTokens());
            completionTokens.addAndGet(result.completionTokens());
            draftedTokens.addAndGet(result.draftedTokens());
            acceptedTokens.addAndGet(result.acceptedTokens());
            if (result.finishReason() == FinishReason.CANCELLED) {
                cancelled.incrementAndGet();
            }
            return result;
        } finally {
            lock.unlock();
        }
    }

    public GenerationResult chat(List<ChatMessage> messages, SamplingParams params, TokenListener listener) {
        return generate(encodeChat(messages), params, listener);
    }

    /**
     * Runs one sequence to its end: chunked prefill, then decode passes. Each decode pass feeds the last emitted
     * token and the drafter's proposals (none without speculation), all wanting logits; verification keeps the
     * drafts the target agrees with and adds one token of its own, so a pass emits 1..k+1 tokens.
     */
    private GenerationResult run(Sequence seq, Speculation speculation) {
        Drafter drafter = speculation.mode().newDrafter();
        int maxDraft = drafter == null ? 0 : speculation.maxTokens();
        int rowStride = config().vocabSize();
        if (logits.length < rowStride * (maxDraft + 1)) {
            logits = new float[rowStride * (maxDraft + 1)];
        }
        BlockTable table = new BlockTable();
        seq.started();
        try {
            int[] prompt = seq.prompt();
            for (int start = 0; start < prompt.length && !seq.isCancelled(); start += prefillChunk) {
                int end = Math.min(prompt.length, start + prefillChunk);
                growTo(table, end);
                batch.clear();
                for (int p = start; p < end; p++) {
                    batch.add(prompt[p], p, table, p == prompt.length - 1);
                }
                backend.forward(batch, cache, logits);
            }
            if (seq.isFinished()) {
                return seq.result();
            }
            // The prompt then every emitted token: what the drafter matches against.
            int[] history = Arrays.copyOf(prompt, config().contextLength());
            int[] draft = new int[maxDraft];
            int[] emitted = new int[maxDraft + 1];
            int position = prompt.length;
            int token = seq.sample(logits);
            while (seq.accept(token)) {
                history[position] = token;
                int k = drafter == null ? 0
                        : drafter.propose(history, position + 1, Math.min(maxDraft, seq.draftBudget()), draft);
                growTo(table, position + 1 + k);
                batch.clear();
                batch.add(token, position, table, true);
                for (int i = 0; i < k; i++) {
                    batch.add(draft[i], position + 1 + i, table, true);
                }
                backend.forward(batch, cache, logits);
                int accepted = seq.verify(logits, rowStride, draft, k, emitted);
                if (drafter != null) {
                    drafter.accepted(k, accepted);
                }
                // Keys/values past the accepted drafts are stale: later passes overwrite them; whole blocks
                // holding only stale positions go back to the allocator now.
                releaseBlocksFrom(table, position + 1 + accepted);
                int i = 0;
                while (i < accepted && seq.accept(emitted[i])) {
                    history[position + 1 + i] = emitted[i];
                    i++;
                }
                if (i < accepted) {
                    break; // a stop, the token limit or cancellation cut the accepted run
                }
                position += accepted + 1;
                token = emitted[accepted];
            }
            return seq.result();
        } finally {
            blocks.free(table.toArray());
        }
    }

    /**
     * Times forward passes of {@code n = 1..maxEntries} consecutive positions of one sequence (all wanting logits,
     * as in verifying a draft of n-1 tokens) after a prefix of {@code prefix} positions: the best of
     * {@code repetitions} passes for each n, in nanoseconds (index n-1). For benchmarks: it shows what verifying
     * k+1 positions costs relative to decoding one.
     */
    public long[] timeVerifyPasses(int prefix, int maxEntries, int repetitions) {
        if (prefix < 1 || maxEntries < 1 || repetitions < 1 || prefix + maxEntries > config().contextLength()) {
            throw new IllegalArgumentException("prefix " + prefix + " + entries " + maxEntries + " must fit the "
                    + "context of " + config().contextLength() + ", with at least one repetition");
        }
        lock.lock();
        BlockTable table = new BlockTable();
        try {
            if (closed) {
                throw new IllegalStateException("engine is closed");
            }
            float[] rows = new float[config().vocabSize() * maxEntries];
            growTo(table, prefix + maxEntries);
            for (int start = 0; start < prefix; start += prefillChunk) {
                batch.clear();
                for (int p = start; p < Math.min(prefix, start + prefillChunk); p++) {
                    batch.add(p % tokenizer.vocabSize(), p, table, p == prefix - 1);
                }
                backend.forward(batch, cache, rows);
            }
            long[] best = new long[maxEntries];
            Arrays.fill(best, Long.MAX_VALUE);
            for (int rep = 0; rep < repetitions; rep++) {
                for (int n = 1; n <= maxEntries; n++) {
                    batch.clear();
                    for (int i = 0; i < n; i++) {
                        batch.add(i % tokenizer.vocabSize(), prefix + i, table, true);
                    }
                    long t0 = System.nanoTime();
                    backend.forward(batch, cache, rows);
                    best[n - 1] = Math.min(best[n - 1], System.nanoTime() - t0);
                }
            }
            return best;
        } finally {
            blocks.free(table.toArray());
            lock.unlock();
        }
    }

    /** Frees the blocks that hold only positions {@code >= positions}. */
    private void releaseBlocksFrom(BlockTable table, int positions) {
        int keep = Math.ceilDiv(positions, BLOCK_SIZE);
        if (table.size() > keep) {
            blocks.free(table.truncate(keep));
        }
    }

    private void growTo(BlockTable table, int positions) {
        while (table.size() * BLOCK_SIZE < positions) {
            int block = blocks.allocate();
            if (block < 0) {
                throw new IllegalStateException("KV cache exhausted: " + blocks.numBlocks() + " blocks of " + BLOCK_SIZE);
            }
            table.add(block);
        }
    }

    /** Cancels the running generation, waits for it to end, then frees the model; queued generations fail. */
    @Override
    public void close() {
        closed = true;
        Cancellation current = running;
        if (current != null) {
            current.cancel();
        }
        lock.lock();
        try {
            if (released) {
                return;
            }
            released = true;
            cache.close();
            backend.close();
            if (modelFile != null) {
                modelFile.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("closing model '" + modelName + "' failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }
}
