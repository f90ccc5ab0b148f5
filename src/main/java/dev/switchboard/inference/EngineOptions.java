package dev.switchboard.inference;

import dev.switchboard.inference.backend.BackendKind;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.model.KvType;
import dev.switchboard.inference.speculative.Speculation;

/**
 * How to load an {@link Engine}.
 *
 * @param model a GGUF file path, or {@code synthetic:NAME} for a random-weight model of a named shape (benchmarks)
 * @param contextLength positions per sequence; 0 for the model's own, at most {@link #DEFAULT_MAX_CONTEXT} (Llama 3.1
 *     declares 131072 positions, whose KV cache would take many GiB before anyone asked for long prompts)
 * @param threads compute threads; 0 for all available processors
 * @param backend which backend (AUTO: CUDA when a GPU and its libraries are found, else the CPU; null: the CPU)
 * @param prefillChunk the token budget of one scheduler step for prefill: a long prompt is computed this many
 *     positions at a time, between the decode steps of running streams
 * @param syntheticType the weight type of a synthetic model (ignored for files)
 * @param speculation speculative decoding of every generation (null: none)
 * @param kvCacheTokens positions of KV cache shared by all running generations (0: one context's worth); a
 *     request is admitted when its prompt plus max tokens fit beside the running ones, else it waits
 * @param prefixCaching whether full KV blocks of prompts are kept and shared by later requests with the same prefix
 * @param draftModel a GGUF file of a smaller model with the same tokenizer that drafts for
 *     {@link dev.switchboard.inference.speculative.DraftMode#MODEL}, or null
 * @param weights the type a Hugging Face checkpoint's matrices are quantized to at load; null: as stored
 * @param kvType the element type of the KV cache (the CPU backend's; null: F32)
 */
public record EngineOptions(String model, int contextLength, int threads, BackendKind backend, int prefillChunk,
        GgmlType syntheticType, Speculation speculation, int kvCacheTokens, boolean prefixCaching,
        String draftModel, GgmlType weights, KvType kvType) {
    public static final int DEFAULT_PREFILL_CHUNK = 256;
    public static final int DEFAULT_MAX_CONTEXT = 8192;

    public EngineOptions {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must be a GGUF file path or synthetic:NAME");
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("contextLength must be 0 (the model's) or positive, got " + contextLength);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (all processors) or positive, got " + threads);
        }
        if (backend == null) {
            backend = BackendKind.CPU;
        }
        if (prefillChunk < 1) {
            throw new IllegalArgumentException("prefillChunk must be at least 1, got " + prefillChunk);
        }
        if (syntheticType == null) {
            syntheticType = GgmlType.Q8_0;
        }
        if (speculation == null) {
            speculation = Speculation.NONE;
        }
        if (kvCacheTokens < 0) {
            throw new IllegalArgumentException("kvCacheTokens must be 0 (one context) or positive, got "
                    + kvCacheTokens);
        }
        if (kvType == null) {
            kvType = KvType.F32;
        }
    }

    /** Weights as stored, float32 KV cache. */
    public EngineOptions(String model, int contextLength, int threads, BackendKind backend, int prefillChunk,
            GgmlType syntheticType, Speculation speculation, int kvCacheTokens, boolean prefixCaching,
            String draftModel) {
        this(model, contextLength, threads, backend, prefillChunk, syntheticType, speculation, kvCacheTokens,
                prefixCaching, draftModel, null, KvType.F32);
    }

    /** The model with every other option at its default. */
    public static EngineOptions of(String model) {
        return new EngineOptions(model, 0, 0, BackendKind.CPU, DEFAULT_PREFILL_CHUNK, GgmlType.Q8_0, Speculation.NONE, 0, true,
                null);
    }

    public EngineOptions withContextLength(int n) {
        return new EngineOptions(model, n, threads, backend, prefillChunk, syntheticType, speculation,
                kvCacheTokens, prefixCaching, draftModel, weights, kvType);
    }

    public EngineOptions withThreads(int n) {
        return new EngineOptions(model, contextLength, n, backend, prefillChunk, syntheticType, speculation,
                kvCacheTokens, prefixCaching, draftModel, weights, kvType);
    }

    /** The backend by its name: "cpu", "cuda" or "auto". */
    public EngineOptions withBackend(String name) {
        return new EngineOptions(model, contextLength, threads, BackendKind.parse(name), prefillChunk, syntheticType,
                speculation, kvCacheTokens, prefixCaching, draftModel, weights, kvType);
    }

    public EngineOptions withPrefillChunk(int n) {
        return new EngineOptions(model, contextLength, threads, backend, n, syntheticType, speculation,
                kvCacheTokens, prefixCaching, draftModel, weights, kvType);
    }

    public EngineOptions withKvCacheTokens(int n) {
        return new EngineOptions(model, contextLength, threads, backend, prefillChunk, syntheticType, speculation, n,
                prefixCaching, draftModel, weights, kvType);
    }

    public EngineOptions withPrefixCaching(boolean on) {
        return new EngineOptions(model, contextLength, threads, backend, prefillChunk, syntheticType, speculation,
                kvCacheTokens, on, draftModel, weights, kvType);
    }

    public EngineOptions withDraftModel(String file) {
        return new EngineOptions(model, contextLength, threads, backend, prefillChunk, syntheticType, speculation,
                kvCacheTokens, prefixCaching, file, weights, kvType);
    }

    public EngineOptions withWeights(GgmlType type) {
        return new EngineOptions(model, contextLength, threads, backend, prefillChunk, syntheticType, speculation,
                kvCacheTokens, prefixCaching, draftModel, type, kvType);
    }

    public EngineOptions withKvType(KvType type) {
        return new EngineOptions(model, contextLength, threads, backend, prefillChunk, syntheticType, speculation,
                kvCacheTokens, prefixCaching, draftModel, weights, type);
    }

    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
