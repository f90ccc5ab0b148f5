package dev.switchboard.inference;

import dev.switchboard.inference.backend.Backends;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.hf.HfCheckpoint;
import dev.switchboard.inference.hf.ModelFiles;
import dev.switchboard.inference.kv.KvBlockPool;
import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.KvType;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import dev.switchboard.inference.sampling.GenerationControls;
import dev.switchboard.inference.sampling.LogitsProcessor;
import dev.switchboard.inference.model.MemoryPlan;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.DraftModel;
import dev.switchboard.inference.speculative.Speculation;
import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.tokenizer.ChatMessage;
import dev.switchboard.inference.tokenizer.Llama3ChatTemplate;
import dev.switchboard.inference.tokenizer.Tokenizer;
import dev.switchboard.inference.tokenizer.Tokenizers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A loaded model ready to generate: backend, tokenizer and KV cache behind one facade. Thread-safe: concurrent
 * generations share the model through continuous batching ({@link EngineCore}: one forward pass per step over
 * every running generation), a KV cache budget with a FIFO queue, and a prefix cache of prompt blocks.
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
    private final EngineCore core;
    private final KvManager kv;
    private final EngineMetrics metrics;
    private final DraftModel draftModel;
    private final int kvCacheTokens;

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
        this.draftModel = draft;
        AutoCloseable release = () -> {
            try (modelFile; draft; cache; backend) {
                // closes all in reverse order (the weights' files last), even when one fails
            }
        };
        this.metrics = new EngineMetrics(numBlocks);
        this.kv = new KvManager(new KvBlockPool(numBlocks, BLOCK_SIZE, prefixCaching));
        this.core = new EngineCore(new Scheduler(kv, metrics, prefillChunk), kv,
                new ModelRunner(backend, cache, prefillChunk), new OutputProcessor(modelName, metrics),
                metrics, draft, modelName, release);
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

    /**
     * A model file opened and its backend loaded, as {@link #load} does: also what benchmarks of raw forward passes
     * use, without an engine.
     */
    public record Loaded(GgufFile gguf, LlamaConfig config, Tokenizer tokenizer, Backend backend, String name)
            implements AutoCloseable {

        /** @param contextLength positions per sequence (0: the model's, at most the default maximum) */
        public static Loaded open(EngineOptions options, String model, int contextLength, LoadProgress progress) {
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
                Backend backend = Backends.open(options.backend(), gguf, config, options.effectiveThreads(), progress,
                        System.err::println);
                Backends.useKvType(backend, options.kvType());
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

        @Override
        public void close() {
            try (gguf; backend) {
                // closes the backend, then its weights' file, even when one fails
            }
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
        return draftModel != null;
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
        return metrics.availableKvBlocks();
    }

    /** Counters, gauges and latency histograms: what the server's /metrics and the platform's metrics publish. */
    public EngineStats stats() {
        return metrics.snapshot();
    }

    /**
     * Passes every time to first token and inter-token latency (nanoseconds) as it is observed, besides the
     * histograms of {@link #stats()}: for a metrics library's own histograms. Called on the engine loop: must be
     * quick. Replaces the observers set before.
     */
    public void observeLatencies(LongConsumer timeToFirstToken, LongConsumer interTokenLatency) {
        metrics.observe(timeToFirstToken, interTokenLatency);
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
     * on the engine's output thread and must return quickly: every running generation waits for it.
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
        return generate(promptTokens, params, GenerationControls.NONE, listener, cancellation, speculation);
    }

    /**
     * Like {@link #generate(int[], SamplingParams, TokenListener, Cancellation, Speculation)} with logits processors,
     * log-probabilities or special tokens in the text. A generation whose rows the controls touch is not drafted:
     * verification would need every drafted row processed in turn.
     */
    public GenerationResult generate(int[] promptTokens, SamplingParams params, GenerationControls controls,
            TokenListener listener, Cancellation cancellation, Speculation speculation) {
        return core.generate(List.of(request(promptTokens, params, controls, listener, cancellation, speculation)))
                .getFirst();
    }

    /**
     * Generates several choices of one prompt at once (OpenAI's {@code n}), choice i with {@code params.get(i)},
     * {@code controls.get(i)} (a controls object serves one generation) and {@code listeners.get(i)}, batched like
     * any generations. The choices after the first share the prompt's KV blocks: they wait until the first one's
     * prompt is computed and take its full blocks from the prefix cache (when it is on). Returns the results in
     * order; cancelling ends them all.
     *
     * @throws IllegalArgumentException as {@link #generate}, or when the lists differ in size or are empty
     */
    public List<GenerationResult> generateChoices(int[] promptTokens, List<SamplingParams> params,
            List<GenerationControls> controls, List<TokenListener> listeners, Cancellation cancellation,
            Speculation speculation) {
        if (params.isEmpty() || params.size() != controls.size() || params.size() != listeners.size()) {
            throw new IllegalArgumentException("one SamplingParams, GenerationControls and TokenListener per choice: "
                    + "got " + params.size() + ", " + controls.size() + " and " + listeners.size());
        }
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            Request r = request(promptTokens, params.get(i), controls.get(i), listeners.get(i), cancellation,
                    speculation);
            r.leader = i == 0 ? null : requests.getFirst();
            requests.add(r);
        }
        return core.generate(requests);
    }

    private Request request(int[] promptTokens, SamplingParams params, GenerationControls controls,
            TokenListener listener, Cancellation cancellation, Speculation speculation) {
        if (controls.touchesRows()) {
            speculation = Speculation.NONE;
            // The controls' processors run after the caller's own, in Request.pick like them.
            List<LogitsProcessor> processors = new ArrayList<>(params.processors());
            processors.addAll(controls.processors());
            params = params.withProcessors(processors);
        }
        // Drafts go into forward passes as inputs: an id outside the vocabulary must fail here, not in a kernel.
        for (int[] document : speculation.corpus()) {
            for (int id : document) {
                if (id < 0 || id >= tokenizer.vocabSize()) {
                    throw new IllegalArgumentException("the draft corpus holds token id " + id + ", outside the "
                            + "vocabulary of " + tokenizer.vocabSize());
                }
            }
        }
        int contextLength = config.contextLength();
        Request.checkPrompt(promptTokens, tokenizer.vocabSize(), contextLength);
        KvManager.Blocks blocks = kv.blocksFor(promptTokens.length, params.maxTokens(), contextLength);
        return new Request(promptTokens.clone(), params, tokenizer.vocabSize(), tokenizer.stopTokens(),
                contextLength, blocks, speculation.mode().newDrafter(draftModel, speculation.corpus()),
                speculation.maxTokens(), controls.logprobs(), controls.priority(), cancellation,
                new RequestOutput(tokenizer, params.stop(), controls, listener));
    }

    public GenerationResult chat(List<ChatMessage> messages, SamplingParams params, TokenListener listener) {
        return generate(encodeChat(messages), params, listener);
    }

    /**
     * Cancels running generations, fails queued ones, waits for the current step to end, then frees the model.
     * Later calls fail with "engine is closed".
     */
    @Override
    public void close() {
        core.close();
    }
}
