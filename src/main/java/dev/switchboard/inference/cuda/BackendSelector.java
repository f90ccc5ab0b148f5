package dev.switchboard.inference.cuda;

import dev.switchboard.inference.cpu.CpuBackend;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Opens the backend a user asked for: {@code cpu}, {@code cuda}, or {@code auto} (CUDA when a GPU is usable).
 * When CUDA is asked for (or automatic) but no driver, NVRTC or device is found, it says so once per process in one
 * line and returns the CPU backend; other CUDA failures (out of memory, a bad file) are errors.
 */
public final class BackendSelector {
    private static final AtomicBoolean REPORTED = new AtomicBoolean();

    private BackendSelector() {
    }

    public enum Kind {
        CPU, CUDA, AUTO;

        /** Parses "cpu", "cuda" or "auto"; an error lists the choices. */
        public static Kind parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("backend '" + s + "' is not one of cpu, cuda, auto");
            }
        }
    }

    /**
     * @param cpuThreads CPU compute threads (0: all processors), used by the CPU backend
     * @param notice     receives the one-line fallback notice (at most once per process)
     */
    public static Backend open(Kind kind, GgufFile gguf, LlamaConfig config, CudaBackend.Options cudaOptions,
                               int cpuThreads, LoadProgress progress, Consumer<String> notice) {
        if (kind != Kind.CPU) {
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

    /** Why CUDA cannot be used here, or null when the driver, NVRTC and a device are present. */
    public static String unavailableReason() {
        try {
            CudaContext.checkAvailable(CudaLibraries.fromEnvironment());
            return null;
        } catch (CudaUnavailableException e) {
            return e.getMessage();
        }
    }

    /** Lets tests observe the once-per-process notice again. */
    static void resetNotice() {
        REPORTED.set(false);
    }
}
