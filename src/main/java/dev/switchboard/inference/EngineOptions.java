package dev.switchboard.inference;

/**
 * How to load an {@link Engine}.
 *
 * @param model a GGUF file path, or {@code synthetic:NAME} for a random-weight model of a named shape (benchmarks)
 * @param contextLength positions per sequence; 0 for the model's own (possibly capped by the backend's loader)
 * @param threads compute threads; 0 for all available processors
 * @param backend "cpu" (the only one so far)
 * @param prefillChunk prompt positions per forward pass during prefill
 */
public record EngineOptions(String model, int contextLength, int threads, String backend, int prefillChunk) {
    public static final int DEFAULT_PREFILL_CHUNK = 256;
    public static final String SYNTHETIC_PREFIX = "synthetic:";

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
        if (backend == null || backend.isBlank()) {
            backend = "cpu";
        }
        if (prefillChunk < 1) {
            throw new IllegalArgumentException("prefillChunk must be at least 1, got " + prefillChunk);
        }
    }

    /** The model with every other option at its default. */
    public static EngineOptions of(String model) {
        return new EngineOptions(model, 0, 0, "cpu", DEFAULT_PREFILL_CHUNK);
    }

    public EngineOptions withContextLength(int n) {
        return new EngineOptions(model, n, threads, backend, prefillChunk);
    }

    public EngineOptions withThreads(int n) {
        return new EngineOptions(model, contextLength, n, backend, prefillChunk);
    }

    public EngineOptions withBackend(String name) {
        return new EngineOptions(model, contextLength, threads, name, prefillChunk);
    }

    public EngineOptions withPrefillChunk(int n) {
        return new EngineOptions(model, contextLength, threads, backend, n);
    }

    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
