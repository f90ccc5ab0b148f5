package dev.switchboard.inference.cuda;

/**
 * No usable GPU: the driver library, NVRTC or a device is missing. Callers fall back to the CPU backend; the
 * message is one line that says what was missing and where the engine looked.
 */
public final class CudaUnavailableException extends RuntimeException {
    public CudaUnavailableException(String message) {
        super(message);
    }

    public CudaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
