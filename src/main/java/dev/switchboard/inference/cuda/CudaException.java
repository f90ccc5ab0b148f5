package dev.switchboard.inference.cuda;

/**
 * A failed CUDA, NVRTC or cuBLAS call, named by function and by the library's name for the error
 * (e.g. {@code cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)}).
 */
public final class CudaException extends RuntimeException {
    private final String function;
    private final int code;

    public CudaException(String function, int code, String errorName, String detail) {
        super(function + " failed: " + errorName + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        this.function = function;
        this.code = code;
    }

    public CudaException(String message) {
        super(message);
        this.function = null;
        this.code = 0;
    }

    /** The native function that failed, or null for errors raised by the engine itself. */
    public String function() {
        return function;
    }

    /** The library's numeric error code (0 when none). */
    public int code() {
        return code;
    }
}
