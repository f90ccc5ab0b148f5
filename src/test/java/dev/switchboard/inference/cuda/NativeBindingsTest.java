package dev.switchboard.inference.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The FFM bindings against the C declarations: descriptors derived from the prototype texts, and (where the CUDA
 * toolkit's headers are installed) the prototype texts, symbol names, type definitions and constants against
 * cuda.h and library_types.h.
 */
class NativeBindingsTest {
    private static final Path INCLUDE = Path.of("/usr/local/cuda/include");

    private static Map<String, String> allPrototypes() {
        Map<String, String> all = new LinkedHashMap<>();
        all.putAll(CudaDriver.PROTOTYPES);
        all.putAll(Nvrtc.PROTOTYPES);
        all.putAll(Cublas.PROTOTYPES);
        return all;
    }

    @Test
    void everyPrototypeMapsToADescriptor() {
        allPrototypes().forEach((symbol, proto) -> {
            CPrototype p = CPrototype.parse(symbol, proto);
            FunctionDescriptor d = p.descriptor();
            assertEquals(p.paramTypes().size(), d.argumentLayouts().size(), symbol);
            // every CUDA, NVRTC and cuBLAS status is a 32-bit enum returned by value
            if (!p.returnType().contains("*")) {
                assertEquals(JAVA_INT, d.returnLayout().orElseThrow(), symbol + " returns a 32-bit status");
            }
        });
    }

    @Test
    void descriptorsOfTheCallsThatMoveDataAndLaunchMatchTheirCSignatures() {
        assertEquals(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), descriptor("cuMemAlloc_v2"));
        assertEquals(FunctionDescriptor.of(JAVA_INT, JAVA_LONG), descriptor("cuMemFree_v2"));
        assertEquals(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS),
                descriptor("cuMemcpyHtoDAsync_v2"));
        assertEquals(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS),
                descriptor("cuMemcpyDtoHAsync_v2"));
        assertEquals(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_BYTE, JAVA_LONG, ADDRESS),
                descriptor("cuMemsetD8Async"));
        assertEquals(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS), descriptor("cuLaunchKernel"));
        assertEquals(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), descriptor("cuGraphInstantiateWithFlags"));
        assertEquals(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), descriptor("cuEventElapsedTime_v2"));
        assertEquals(FunctionDescriptor.of(ADDRESS, JAVA_INT), descriptor("nvrtcGetErrorString"));
        assertEquals(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS),
                descriptor("nvrtcCreateProgram"));
        List<MemoryLayout> gemm = descriptor("cublasGemmEx").argumentLayouts();
        assertEquals(List.of(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT,
                JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), gemm);
    }

    @Test
    void parserDropsNamesAndKeepsQualifiedPointerTypes() {
        CPrototype p = CPrototype.parse("x", "nvrtcResult nvrtcCompileProgram(nvrtcProgram prog, int numOptions, "
                + "const char * const *options)");
        assertEquals("nvrtcCompileProgram", p.name());
        assertEquals(List.of("nvrtcProgram", "int", "const char * const *"), p.paramTypes());
        assertEquals(List.of(), CPrototype.parse("y", "CUresult cuCtxSynchronize(void)").paramTypes());
        assertEquals("const char *", CPrototype.parse("z", "const char *cublasGetStatusName(cublasStatus_t s)").returnType());
        assertThrows(IllegalArgumentException.class,
                () -> CPrototype.parse("w", "CUresult f(struct CUfoo bar)").descriptor(), "unknown types are refused");
    }

    // ---- against the installed headers ----

    @Test
    void driverPrototypesAndSymbolsMatchCudaH() throws IOException {
        String header = header("cuda.h");
        for (Map.Entry<String, String> e : CudaDriver.PROTOTYPES.entrySet()) {
            CPrototype mine = CPrototype.parse(e.getKey(), e.getValue());
            Matcher decl = Pattern.compile("CUresult CUDAAPI " + mine.name() + "\\(([^;]*)\\);").matcher(header);
            assertTrue(decl.find(), "cuda.h declares " + mine.name());
            CPrototype theirs = CPrototype.parse(e.getKey(), "CUresult " + mine.name() + "(" + decl.group(1) + ")");
            assertEquals(theirs.paramTypes(), mine.paramTypes(), "parameters of " + mine.name());
            assertEquals(e.getKey(), exportedSymbol(header, mine.name()), "the symbol cuda.h maps " + mine.name() + " to");
        }
    }

    @Test
    void typeLayoutsMatchCudaHTypedefs() throws IOException {
        String header = header("cuda.h");
        for (String handle : List.of("CUcontext", "CUmodule", "CUfunction", "CUstream", "CUevent", "CUgraph",
                "CUgraphExec")) {
            assertTrue(Pattern.compile("typedef struct \\w+ \\*" + handle + ";").matcher(header).find(),
                    handle + " is a pointer to an opaque struct");
            assertTrue(CPrototype.HANDLES.contains(handle));
        }
        assertEquals("unsigned long long", resolveTypedef(header, "CUdeviceptr"));
        assertEquals(JAVA_LONG, CPrototype.SCALARS.get("CUdeviceptr"));
        assertEquals("int", resolveTypedef(header, "CUdevice"));
        assertEquals(JAVA_INT, CPrototype.SCALARS.get("CUdevice"));
        for (String e : List.of("CUresult", "CUdevice_attribute", "CUfunction_attribute", "CUstreamCaptureMode")) {
            assertTrue(Pattern.compile("typedef enum \\w+ \\{[^}]*\\} " + e + ";", Pattern.DOTALL).matcher(header).find(),
                    e + " is an enum (a 32-bit int)");
            assertEquals(JAVA_INT, CPrototype.SCALARS.get(e));
        }
    }

    @Test
    void constantsMatchTheHeaders() throws IOException {
        String cuda = header("cuda.h");
        assertEquals(CudaDriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, enumValue(cuda, "CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT"));
        assertEquals(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, enumValue(cuda, "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR"));
        assertEquals(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, enumValue(cuda, "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR"));
        assertEquals(CudaDriver.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
                enumValue(cuda, "CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN"));
        assertEquals(CudaDriver.CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, enumValue(cuda, "CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE"));
        assertEquals(CudaDriver.CU_STREAM_CAPTURE_MODE_RELAXED, enumValue(cuda, "CU_STREAM_CAPTURE_MODE_RELAXED"));
        assertEquals(CudaDriver.CU_STREAM_NON_BLOCKING, enumValue(cuda, "CU_STREAM_NON_BLOCKING"));
        assertEquals(CudaDriver.CU_EVENT_DEFAULT, enumValue(cuda, "CU_EVENT_DEFAULT"));
        Matcher portable = Pattern.compile("#define CU_MEMHOSTALLOC_PORTABLE\\s+(0x[0-9a-fA-F]+|\\d+)").matcher(cuda);
        assertTrue(portable.find());
        assertEquals(CudaDriver.CU_MEMHOSTALLOC_PORTABLE, Integer.decode(portable.group(1)));
        String types = header("library_types.h");
        assertEquals(Cublas.CUDA_R_32F, enumValue(types, "CUDA_R_32F"));
        assertEquals(Cublas.CUDA_R_16BF, enumValue(types, "CUDA_R_16BF"));
    }

    private static FunctionDescriptor descriptor(String symbol) {
        return CPrototype.parse(symbol, allPrototypes().get(symbol)).descriptor();
    }

    private static String header(String name) throws IOException {
        Path h = INCLUDE.resolve(name);
        Assumptions.assumeTrue(Files.exists(h), "SKIPPED: " + h + " absent (no CUDA toolkit headers on this machine)");
        return Files.readString(h);
    }

    /** The symbol a header name is exported as: its #define target (unwrapping __CUDA_API_PTSZ/PTDS) or itself. */
    private static String exportedSymbol(String header, String name) {
        Matcher m = Pattern.compile("#define " + name + "\\s+(\\S+)").matcher(header);
        if (!m.find()) {
            return name;
        }
        Matcher wrapped = Pattern.compile("__CUDA_API_PT[SD][ZS]\\((\\w+)\\)").matcher(m.group(1));
        return wrapped.matches() ? wrapped.group(1) : m.group(1);
    }

    private static String resolveTypedef(String header, String name) {
        String current = name;
        for (int depth = 0; depth < 8; depth++) {
            Matcher m = Pattern.compile("typedef ([\\w ]+?) " + current + ";").matcher(header);
            if (!m.find()) {
                return current;
            }
            current = m.group(1).trim();
        }
        return current;
    }

    private static int enumValue(String header, String constant) {
        Matcher m = Pattern.compile("\\b" + constant + "\\s*=\\s*(0x[0-9a-fA-F]+|\\d+)").matcher(header);
        assertTrue(m.find(), constant + " is defined");
        return Integer.decode(m.group(1));
    }

    @Test
    void handlesAreNeverScalars() {
        List<String> both = new ArrayList<>(CPrototype.HANDLES);
        both.retainAll(CPrototype.SCALARS.keySet());
        assertFalse(both.size() > 0, "types listed as both handle and scalar: " + both);
    }
}
