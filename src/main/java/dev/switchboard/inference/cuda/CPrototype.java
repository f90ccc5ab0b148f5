package dev.switchboard.inference.cuda;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A C function prototype as its header declares it, and the FFM descriptor derived from it. Every native binding
 * is declared by its prototype text, so the descriptor cannot drift from the C signature, and a test compares the
 * text with the real headers where they are installed.
 *
 * @param symbol     the exported symbol, which may be a versioned name ({@code cuMemAlloc_v2}) that the header maps
 *                   its name to with a {@code #define}
 * @param name       the function's name in the header
 * @param returnType the C return type as space-separated tokens ({@code const char *})
 * @param paramTypes the C parameter types without their names, tokenised the same way
 */
public record CPrototype(String symbol, String name, String returnType, List<String> paramTypes) {

    /**
     * The C types the bindings use, by the size the x86-64 System V ABI passes them with. Enums are 32-bit ints;
     * CUDA's opaque handles are pointers to incomplete structs; {@code CUdeviceptr} is an unsigned 64-bit integer.
     */
    static final Map<String, ValueLayout> SCALARS = Map.ofEntries(
            Map.entry("int", ValueLayout.JAVA_INT),
            Map.entry("unsigned int", ValueLayout.JAVA_INT),
            Map.entry("unsigned char", ValueLayout.JAVA_BYTE),
            Map.entry("size_t", ValueLayout.JAVA_LONG),
            Map.entry("unsigned long long", ValueLayout.JAVA_LONG),
            Map.entry("float", ValueLayout.JAVA_FLOAT),
            Map.entry("CUresult", ValueLayout.JAVA_INT),
            Map.entry("CUdevice", ValueLayout.JAVA_INT),
            Map.entry("CUdevice_attribute", ValueLayout.JAVA_INT),
            Map.entry("CUfunction_attribute", ValueLayout.JAVA_INT),
            Map.entry("CUstreamCaptureMode", ValueLayout.JAVA_INT),
            Map.entry("CUdeviceptr", ValueLayout.JAVA_LONG),
            Map.entry("nvrtcResult", ValueLayout.JAVA_INT),
            Map.entry("cublasStatus_t", ValueLayout.JAVA_INT),
            Map.entry("cublasOperation_t", ValueLayout.JAVA_INT),
            Map.entry("cublasComputeType_t", ValueLayout.JAVA_INT),
            Map.entry("cublasGemmAlgo_t", ValueLayout.JAVA_INT),
            Map.entry("cublasMath_t", ValueLayout.JAVA_INT),
            Map.entry("cudaDataType", ValueLayout.JAVA_INT));

    /** Opaque handle types: C pointers. */
    static final List<String> HANDLES = List.of("CUcontext", "CUmodule", "CUfunction", "CUstream", "CUevent",
            "CUgraph", "CUgraphExec", "nvrtcProgram", "cublasHandle_t", "cudaStream_t");

    private static final Pattern SHAPE = Pattern.compile("\\s*(.+?)\\s*\\b(\\w+)\\s*\\((.*)\\)\\s*;?\\s*", Pattern.DOTALL);

    /**
     * Parses {@code "CUresult cuMemAlloc(CUdeviceptr *dptr, size_t bytesize)"}: parameter names are optional and
     * dropped, {@code (void)} means no parameters.
     */
    public static CPrototype parse(String symbol, String prototype) {
        Matcher m = SHAPE.matcher(prototype.replace("CUDAAPI", " ").replace("CUBLASWINAPI", " ")
                .replace("CUBLASAPI", " "));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a C prototype: " + prototype);
        }
        List<String> params = new ArrayList<>();
        String list = m.group(3).trim();
        if (!list.isEmpty() && !list.equals("void")) {
            for (String p : list.split(",")) {
                params.add(typeOf(p, true));
            }
        }
        return new CPrototype(symbol, m.group(2), typeOf(m.group(1), false), List.copyOf(params));
    }

    /**
     * The type part of a declaration as space-separated tokens ({@code const char * const *}). Parameters must be
     * named, as headers name them: the last token of a parameter with more than one token is its name.
     */
    private static String typeOf(String decl, boolean named) {
        String[] tokens = decl.replace("*", " * ").trim().split("\\s+");
        int n = named && tokens.length > 1 ? tokens.length - 1 : tokens.length;
        return String.join(" ", java.util.Arrays.copyOf(tokens, n));
    }

    /** The FFM descriptor: pointers and handles as addresses, scalars by {@link #SCALARS}. */
    public FunctionDescriptor descriptor() {
        MemoryLayout[] args = paramTypes.stream().map(t -> layoutOf(t, name)).toArray(MemoryLayout[]::new);
        return returnType.equals("void") ? FunctionDescriptor.ofVoid(args)
                : FunctionDescriptor.of(layoutOf(returnType, name), args);
    }

    static MemoryLayout layoutOf(String type, String function) {
        if (type.contains("*")) {
            return ValueLayout.ADDRESS;
        }
        String bare = type.replaceAll("\\bconst\\b", "").trim();
        if (HANDLES.contains(bare)) {
            return ValueLayout.ADDRESS;
        }
        ValueLayout l = SCALARS.get(bare);
        if (l == null) {
            throw new IllegalArgumentException("C type '" + type + "' of " + function + " has no known layout");
        }
        return l;
    }
}
