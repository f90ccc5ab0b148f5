package dev.switchboard.inference;

import dev.switchboard.inference.cuda.BackendSelector;
import dev.switchboard.inference.cuda.CudaBackend;
import dev.switchboard.inference.cpu.CpuBackend;
import dev.switchboard.inference.cpu.SyntheticModels;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.hf.HfCheckpoint;
import dev.switchboard.inference.hf.ModelFiles;
import dev.switchboard.inference.kv.KvBlockPool;
import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.KvType;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import dev.switchboard.inference.model.MemoryPlan;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.DraftModel;
import dev.switchboard.inference.speculative.Speculation;
import dev.switchboard.inference.tokenizer.ChatMessage;
import dev.switchboard.inference.tokenizer.Llama3ChatTemplate;
import dev.switchboard.inference.tokenizer.Tokenizer;
import dev.switchboard.inference.tokenizer.Tokenizers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A loaded model ready to generate: backend, tokenizer and KV cache behind one facade. Thread-safe: concurrent
 * generations share the model through continuous batching ({@link Scheduler}: one forward pass per step over every
 * running generation), a KV cache budget with a FIFO queue, and a prefix cache of prompt blocks.
 */
public final class Engine implements AutoCloseable {
    /** Positions per KV block. */
    static final int BLOCK_SIZE = 16;

    private final Tokenizer tokenizer;
    /** The chat format, or null for a vocabulary without the Llama 3 chat tokens. */
    private final Llama3ChatTemplate chatTemplate;
    private final String modelName;
    private final LlamaConfig config;
    private final String backendName;
    private final int prefillChunk;
    private final Speculation speculation;
    private final Scheduler scheduler;
    private final int kvCacheTokens;
    private final boolean hasDraftModel;

    /**
     * One context's worth of KV cache, prefix caching on, no speculation by default.
     *
     * @param modelFile closed with the engine (the mapped GGUF the backend's weights live in), or null
     */
    Engine(Backend backend, Tokenizer tokenizer, String modelName, int prefillChunk, AutoCloseable modelFile) {
        this(backend, tokenizer, modelName, prefillChunk, Speculation.NONE, 0, true, null, modelFile);
    }

    /**
     * @param prefillChunk the token budget of a scheduler step for prefill
     * @param speculation the default speculative decoding of generations
     * @param kvCacheTokens positions of KV cache for all generations together (0: one context)
     * @param prefixCaching whether full prompt blocks are shared between generations
     * @param draftBackend the draft model of {@code DraftMode.MODEL} (same tokenizer), or null
     * @param modelFile closed with the engine (the mapped GGUFs the backends' weights live in), or null
     */
    Engine(Backend backend, Tokenizer tokenizer, String modelName, int prefillChunk, Speculation speculation,
            int kvCacheTokens, boolean prefixCaching, Backend draftBackend, AutoCloseable modelFile) {
        LlamaConfig config = backend.config();
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the model's output has only " + config.vocabSize());
        }
        this.tokenizer = tokenizer;
        this.chatTemplate = Llama3ChatTemplate.supports(tokenizer) ? new Llama3ChatTemplate(tokenizer) : null;
        this.modelName = modelName;
        this.config = config;
        this.backendName = backend.name();
        this.prefillChunk = prefillChunk;
        this.speculation = speculation;
        int numBlocks = Math.ceilDiv(kvCacheTokens > 0 ? kvCacheTokens : config.contextLength(), BLOCK_SIZE);
        this.kvCacheTokens = numBlocks * BLOCK_SIZE;
        KvCache cache = backend.newKvCache(numBlocks, BLOCK_SIZE);
        DraftModel draft = draftBackend == null ? null
                : new DraftModel(draftBackend, numBlocks, BLOCK_SIZE, tokenizer.vocabSize());
        this.hasDraftModel = draft != null;
        AutoCloseable release = () -> {
            try (modelFile; draft; cache; backend) {
                // closes all in reverse order (the weights' files last), even when one fails
            }
        };
        this.scheduler = new Scheduler(backend, cache, new KvBlockPool(numBlocks, BLOCK_SIZE, prefixCaching),
                prefillChunk, draft, modelName, release);
    }

    /** Loads the model named by the options; errors name the file and what is wrong with it. */
    public static Engine load(EngineOptions options) {
        return load(options, LoadProgress.NONE);
    }

    public static Engine load(EngineOptions options, LoadProgress progress) {
        Loaded target = Loaded.open(options, options.model(), options.contextLength(), progress);
        Loaded draft = null;
        try {
            if (options.draftModel() != null) {
                draft = Loaded.open(options, options.draftModel(), target.config.contextLength(), progress);
                checkSameTokenizer(target.tokenizer, draft.tokenizer, options.draftModel());
            }
            GgufFile draftFile = draft == null ? null : draft.gguf;
            AutoCloseable files = () -> {
                try (target.gguf; draftFile) {
                    // closes both mapped files, even when one fails
                }
            };
            return new Engine(target.backend, target.tokenizer, target.name, options.prefillChunk(),
                    options.speculation(), options.kvCacheTokens(), options.prefixCaching(),
                    draft == null ? null : draft.backend, files);
        } catch (RuntimeException e) {
            target.close();
            if (draft != null) {
                draft.close();
            }
            throw e;
        }
    }

    /** A model file opened and its backend loaded. */
    private record Loaded(GgufFile gguf, LlamaConfig config, Tokenizer tokenizer, Backend backend, String name) {

        static Loaded open(EngineOptions options, String model, int contextLength, LoadProgress progress) {
            boolean synthetic = SyntheticModels.isSynthetic(model);
            Path path;
            if (synthetic) {
                path = SyntheticModels.file(model, options.syntheticType());
            } else {
                path = Path.of(model);
            }
            GgufFile gguf = synthetic ? GgufFile.open(path) : ModelFiles.open(path, options.weights(), progress);
            try {
                int declared = LlamaConfig.fromGguf(gguf, 0).contextLength();
                // A checkpoint's max_position_embeddings is what it was trained for; GGUF files keep llama.cpp's
                // leniency (tests and small models run past a declared length).
                if (model.equals(options.model()) && contextLength > declared && HfCheckpoint.isCheckpoint(path)) {
                    throw new IllegalArgumentException("context length " + contextLength + " exceeds the "
                            + declared + " positions (max_position_embeddings) of " + model);
                }
                LlamaConfig config = LlamaConfig.fromGguf(gguf, contextLength);
                if (contextLength == 0 && config.contextLength() > EngineOptions.DEFAULT_MAX_CONTEXT) {
                    config = LlamaConfig.fromGguf(gguf, EngineOptions.DEFAULT_MAX_CONTEXT);
                }
                long weightBytes = gguf.tensors().values().stream().mapToLong(t -> t.data().byteSize()).sum();
                MemoryPlan plan = plan(options, config, weightBytes);
                // the default context shrinks until the model fits; one asked for is kept, and the plan says so
                while (contextLength == 0 && options.kvCacheTokens() == 0 && !plan.fits()
                        && config.contextLength() > 2048) {
                    config = LlamaConfig.fromGguf(gguf, config.contextLength() / 2);
                    plan = plan(options, config, weightBytes);
                }
                if (progress != LoadProgress.NONE && model.equals(options.model())) {
                    System.err.println(plan.describe());
                }
                // Synthetic models carry no vocabulary: benchmarks generate bytes.
                Tokenizer tokenizer = synthetic ? ByteVocabulary.INSTANCE : Tokenizers.fromGguf(gguf);
                String name = synthetic ? model + "-" + options.syntheticType() : modelNameOf(path);
                // "auto" and "cuda" fall back to the CPU with one notice when no GPU or CUDA library is usable.
                Backend backend = BackendSelector.open(BackendSelector.Kind.parse(options.backend()), gguf, config,
                        CudaBackend.Options.DEFAULT, options.effectiveThreads(), progress, System.err::println);
                if (backend instanceof CpuBackend cpu) {
                    cpu.kvType(options.kvType());
                } else if (options.kvType() != KvType.F32) {
                    backend.close();
                    throw new IllegalArgumentException("KV type " + options.kvType() + " is for the CPU backend; the "
                            + backend.name() + " backend keeps its own KV cache format");
                }
                return new Loaded(gguf, config, tokenizer, backend, name);
            } catch (RuntimeException e) {
                gguf.close();
                throw e;
            }
        }

        static MemoryPlan plan(EngineOptions options, LlamaConfig config, long weightBytes) {
            int kvTokens = options.kvCacheTokens() > 0 ? options.kvCacheTokens() : config.contextLength();
            return MemoryPlan.of(config, weightBytes, kvTokens, options.kvType(), options.effectiveThreads());
        }

        void close() {
            backend.close();
            gguf.close();
        }
    }

    /** Drafts are token ids of the target's vocabulary: the draft model must spell every id the same. */
    private static void checkSameTokenizer(Tokenizer target, Tokenizer draft, String draftModel) {
        boolean same = target.vocabSize() == draft.vocabSize();
        for (int id = 0; same && id < target.vocabSize(); id++) {
            same = target.decode(new int[] {id}).equals(draft.decode(new int[] {id}));
        }
        if (!same) {
            throw new IllegalArgumentException("the draft model " + draftModel + " has another tokenizer than the "
                    + "model (" + draft.vocabSize() + " vs " + target.vocabSize() + " tokens, or different tokens)");
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
        return config;
    }

    public String backendName() {
        return backendName;
    }

    /** Whether a draft model is loaded, for {@code DraftMode.MODEL}. */
    public boolean hasDraftModel() {
        return hasDraftModel;
    }

    /** Positions of KV cache that all generations share: a generation's prompt plus max tokens must fit. */
    public int kvCacheTokens() {
        return kvCacheTokens;
    }

    /**
     * KV blocks free or only cached (reclaimable): all of them whenever no generation runs (tests check that
     * nothing leaks).
     */
    int freeKvBlocks() {
        return scheduler.availableKvBlocks();
    }

    /** Counters, gauges and latency histograms: what the server's /metrics and the platform's metrics publish. */
    public EngineStats stats() {
        return scheduler.stats();
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

    /**
     * Encodes texts as a draft corpus (see {@link Speculation#corpus()}): each text one document, without BOS,
     * special tokens kept as text. Documents are taken in order while they fit {@link Speculation#MAX_CORPUS_TOKENS};
     * the rest are left out, so callers put the likeliest sources first.
     */
    public List<int[]> encodeCorpus(List<String> texts) {
        List<int[]> documents = new ArrayList<>();
        int total = 0;
        for (String text : texts) {
            int[] ids = tokenizer.encode(text, false);
            if (total + ids.length > Speculation.MAX_CORPUS_TOKENS) {
                break;
            }
            documents.add(ids);
            total += ids.length;
        }
        return documents;
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
     * Generates a continuation of the prompt, streaming text to the listener as it becomes final. Runs batched with
     * the other generations; waits first while the KV cache has no room for it. Cancelling (listener returns false,
     * or {@code cancellation}) ends it at the next step with {@link FinishReason#CANCELLED}. The listener is called
     * on the engine's scheduler thread and must return quickly: every running generation waits for it.
     *
     * @throws IllegalArgumentException if the prompt is empty, does not fit the context, has unknown ids, or
     *     could never fit the KV cache
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
        // Drafts go into forward passes as inputs: an id outside the vocabulary must fail here, not in a kernel.
        for (int[] document : speculation.corpus()) {
            for (int id : document) {
                if (id < 0 || id >= tokenizer.vocabSize()) {
                    throw new IllegalArgumentException("the draft corpus holds token id " + id + ", outside the "
                            + "vocabulary of " + tokenizer.vocabSize());
                }
            }
        }
        Sequence seq = new Sequence(promptTokens, params, tokenizer, config.contextLength(), listener, cancellation);
        return scheduler.generate(seq, speculation);
    }

    public GenerationResult chat(List<ChatMessage> messages, SamplingParams params, TokenListener listener) {
        return generate(encodeChat(messages), params, listener);
    }

    /**
     * Times forward passes of {@code n = 1..maxEntries} consecutive positions of one sequence (all wanting logits,
     * as in verifying a draft of n-1 tokens) after a prefix of {@code prefix} positions: the best of
     * {@code repetitions} passes for each n, in nanoseconds (index n-1). For benchmarks: it shows what verifying
     * k+1 positions costs relative to decoding one.
     */
    public long[] timeVerifyPasses(int prefix, int maxEntries, int repetitions) {
        if (prefix < 1 || maxEntries < 1 || repetitions < 1 || prefix + maxEntries > config.contextLength()) {
            throw new IllegalArgumentException("prefix " + prefix + " + entries " + maxEntries + " must fit the "
                    + "context of " + config.contextLength() + ", with at least one repetition");
        }
        // Between the scheduler's steps, with the backend to itself.
        return scheduler.exclusive(() -> {
            Backend backend = scheduler.backend();
            ForwardBatch batch = scheduler.batch();
            BlockTable table = scheduler.taskBlocks(prefix + maxEntries);
            try {
                float[] rows = new float[config.vocabSize() * maxEntries];
                for (int start = 0; start < prefix; start += prefillChunk) {
                    batch.clear();
                    for (int p = start; p < Math.min(prefix, start + prefillChunk); p++) {
                        batch.add(p % tokenizer.vocabSize(), p, table, p == prefix - 1);
                    }
                    backend.forward(batch, scheduler.cache(), rows);
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
                        backend.forward(batch, scheduler.cache(), rows);
                        best[n - 1] = Math.min(best[n - 1], System.nanoTime() - t0);
                    }
                }
                return best;
            } finally {
                batch.clear();
                scheduler.releaseTaskBlocks(table);
            }
        });
    }

    /**
     * Cancels running generations, fails queued ones, waits for the current step to end, then frees the model.
     * Later calls fail with "engine is closed".
     */
    @Override
    public void close() {
        scheduler.close();
    }
}
