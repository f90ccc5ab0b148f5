package dev.switchboard.inference.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** NVRTC (libnvrtc): compiles the engine's CUDA C sources to a CUBIN for the device at hand. */
final class Nvrtc {
    /** Exported symbol → prototype as nvrtc.h declares it. */
    static final Map<String, String> PROTOTYPES = new LinkedHashMap<>();

    static {
        PROTOTYPES.put("nvrtcVersion", "nvrtcResult nvrtcVersion(int *major, int *minor)");
        PROTOTYPES.put("nvrtcGetErrorString", "const char *nvrtcGetErrorString(nvrtcResult result)");
        PROTOTYPES.put("nvrtcCreateProgram", "nvrtcResult nvrtcCreateProgram(nvrtcProgram *prog, const char *src, "
                + "const char *name, int numHeaders, const char * const *headers, const char * const *includeNames)");
        PROTOTYPES.put("nvrtcCompileProgram", "nvrtcResult nvrtcCompileProgram(nvrtcProgram prog, int numOptions, "
                + "const char * const *options)");
        PROTOTYPES.put("nvrtcGetCUBINSize", "nvrtcResult nvrtcGetCUBINSize(nvrtcProgram prog, size_t *cubinSizeRet)");
        PROTOTYPES.put("nvrtcGetCUBIN", "nvrtcResult nvrtcGetCUBIN(nvrtcProgram prog, char *cubin)");
        PROTOTYPES.put("nvrtcGetProgramLogSize", "nvrtcResult nvrtcGetProgramLogSize(nvrtcProgram prog, "
                + "size_t *logSizeRet)");
        PROTOTYPES.put("nvrtcGetProgramLog", "nvrtcResult nvrtcGetProgramLog(nvrtcProgram prog, char *log)");
        PROTOTYPES.put("nvrtcDestroyProgram", "nvrtcResult nvrtcDestroyProgram(nvrtcProgram *prog)");
    }

    private final NativeFunctions h;

    Nvrtc(NativeLibrary lib) {
        h = new NativeFunctions(lib, PROTOTYPES);
    }

    /** "major.minor" of this NVRTC: part of the compiled-kernel cache key. */
    String version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(ValueLayout.JAVA_INT), minor = a.allocate(ValueLayout.JAVA_INT);
            check("nvrtcVersion", h.call("nvrtcVersion", major, minor));
            return major.get(ValueLayout.JAVA_INT, 0) + "." + minor.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /**
     * Compiles {@code source} with {@code options} (e.g. {@code --gpu-architecture=sm_90}) and returns the CUBIN.
     * A compile error throws with NVRTC's log, which names the source line.
     */
    byte[] compileToCubin(String source, String name, List<String> options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment progOut = a.allocate(ValueLayout.ADDRESS);
            check("nvrtcCreateProgram", h.call("nvrtcCreateProgram", progOut, a.allocateFrom(source),
                    a.allocateFrom(name), 0, MemorySegment.NULL, MemorySegment.NULL));
            MemorySegment prog = progOut.get(ValueLayout.ADDRESS, 0);
            try {
                MemorySegment opts = a.allocate(ValueLayout.ADDRESS, options.size());
                for (int i = 0; i < options.size(); i++) {
                    opts.setAtIndex(ValueLayout.ADDRESS, i, a.allocateFrom(options.get(i)));
                }
                int r = h.call("nvrtcCompileProgram", prog, options.size(), opts);
                if (r != 0) {
                    throw new CudaException("nvrtcCompileProgram", r, errorString(r), "options " + options
                            + ", log:\n" + log(prog, a));
                }
                MemorySegment size = a.allocate(ValueLayout.JAVA_LONG);
                check("nvrtcGetCUBINSize", h.call("nvrtcGetCUBINSize", prog, size));
                MemorySegment cubin = a.allocate(size.get(ValueLayout.JAVA_LONG, 0));
                check("nvrtcGetCUBIN", h.call("nvrtcGetCUBIN", prog, cubin));
                return cubin.toArray(ValueLayout.JAVA_BYTE);
            } finally {
                h.call("nvrtcDestroyProgram", progOut);
            }
        }
    }

    private String log(MemorySegment prog, Arena a) {
        MemorySegment size = a.allocate(ValueLayout.JAVA_LONG);
        if (h.call("nvrtcGetProgramLogSize", prog, size) != 0) {
            return "(no log)";
        }
        MemorySegment log = a.allocate(Math.max(1, size.get(ValueLayout.JAVA_LONG, 0)));
        return h.call("nvrtcGetProgramLog", prog, log) == 0 ? log.getString(0) : "(no log)";
    }

    private void check(String symbol, int r) {
        if (r != 0) {
            throw new CudaException(symbol, r, errorString(r), null);
        }
    }

    private String errorString(int r) {
        try {
            MemorySegment s = (MemorySegment) h.handle("nvrtcGetErrorString").invokeExact(r);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "nvrtcResult " + r;
        }
    }
}
