package dev.switchboard.inference.cuda;

import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.Map;

/**
 * The bound functions of one CUDA library, by exported symbol. CUDA's libraries all return an int status, so one
 * generic call serves the driver, NVRTC and cuBLAS; each wrapper turns a status into its own error text.
 */
final class NativeFunctions {
    private final Map<String, MethodHandle> handles = new HashMap<>();

    /** Binds every symbol of {@code prototypes} (symbol → C prototype) now, so a missing one fails at load. */
    NativeFunctions(NativeLibrary lib, Map<String, String> prototypes) {
        prototypes.forEach((symbol, proto) -> handles.put(symbol, lib.bind(symbol, proto)));
    }

    /** The handle itself, for hot or non-int calls that want {@code invokeExact}. */
    MethodHandle handle(String symbol) {
        return handles.get(symbol);
    }

    /** Calls {@code symbol} and returns its status; a checked throwable from the call becomes a CudaException. */
    int call(String symbol, Object... args) {
        try {
            return (int) handles.get(symbol).invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException(symbol + " threw " + t);
        }
    }
}
