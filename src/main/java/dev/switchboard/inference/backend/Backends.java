package dev.switchboard.inference.backend;

import dev.switchboard.inference.cpu.CpuBackend;
import dev.switchboard.inference.cuda.CudaBackend;
import dev.switchboard.inference.cuda.CudaUnavailableException;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.KvType;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Opens the {@link Backend} a user asked for: the one place that knows every implementation. When CUDA is asked
 * for (or automatic) but no driver, NVRTC or device is found, it says so once per process in one line and returns
 * the CPU backend; other CUDA failures (out of memory, a bad file) are errors.
 */
public final class Backends {
    private static final AtomicBoolean REPORTED = new AtomicBoolean();

    private Backends() {
    }

    /** With the CUDA backend's default options. */
    public static Backend open(BackendKind kind, GgufFile gguf, LlamaConfig config, int cpuThreads,
                               LoadProgress progress, Consumer<String> notice) {
        return open(kind, gguf, config, CudaBackend.Options.DEFAULT, cpuThreads, progress, notice);
    }

    /**
     * @param cpuThreads CPU compute threads (0: all processors), used by the CPU backend
     * @param notice     receives the one-line fallback notice (at most once per process)
     */
    public static Backend open(BackendKind kind, GgufFile gguf, LlamaConfig config, CudaBackend.Options cudaOptions,
                               int cpuThreads, LoadProgress progress, Consumer<String> notice) {
        if (kind != BackendKind.CPU) {
            try {
                return CudaBackend.load(gguf, config, cudaOptions, progress);
            } catch (CudaUnavailableException e) {
                if (REPORTED.compareAndSet(false, true)) {
                    notice.accept("CUDA backend unavailable, using the CPU backend: " + e.getMessage());
                }
            }
        }
        return CpuBackend.load(gguf, config, cpuThreads, progress);
    }

    /** Sets the KV cache's element type; only the CPU backend stores other types than f32 (the backend is closed). */
    public static void useKvType(Backend backend, KvType kvType) {
        if (backend instanceof CpuBackend cpu) {
            cpu.kvType(kvType);
        } else if (kvType != KvType.F32) {
            backend.close();
            throw new IllegalArgumentException("KV type " + kvType + " is for the CPU backend; the " + backend.name()
                    + " backend keeps its own KV cache format");
        }
    }

    /** Lets tests observe the once-per-process notice again. */
    static void resetNotice() {
        REPORTED.set(false);
    }
}
