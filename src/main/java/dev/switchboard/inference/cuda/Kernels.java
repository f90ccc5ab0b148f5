package dev.switchboard.inference.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loaded kernel module and launches into it. Arguments are checked against each kernel family's signature
 * before they are marshalled: a kernel reads its parameters by size, so an {@code int} passed where it expects a
 * {@code long} would silently read garbage. The signatures are compared with the compiled PTX in a test.
 */
final class Kernels {
    /**
     * Parameter kinds per kernel-name prefix: p pointer, l 64-bit integer, i 32-bit int, f float, d double.
     * A kernel takes the signature of the longest prefix of its name listed here.
     */
    static final Map<String, String> SIGNATURES = new LinkedHashMap<>();

    static {
        SIGNATURES.put("gemv_", "ppiilpipii");
        SIGNATURES.put("embed_", "pplipp");
        SIGNATURES.put("convert_", "pplipl");
        SIGNATURES.put("repack_q8_0", "pipp");
        SIGNATURES.put("quant_fp8_", "pplippl");
        SIGNATURES.put("fill_uniform_", "piillff");
        SIGNATURES.put("to_bf16", "ppl");
        SIGNATURES.put("rmsnorm", "pppifp");
        SIGNATURES.put("rope_store_", "pipippiiiipp");
        SIGNATURES.put("attention_", "pipippppiiiif");
        SIGNATURES.put("swiglu", "ppii");
        SIGNATURES.put("argmax", "pip");
        SIGNATURES.put("sample_topk", "pipfill");
    }

    /** The load-time conversions the kernels provide (source type → device type). */
    static final java.util.Set<String> CONVERSIONS = java.util.Set.of("convert_f32_f32", "convert_f32_bf16",
            "convert_f16_f16", "convert_f16_bf16", "convert_bf16_bf16", "convert_q8_0raw_bf16", "convert_q8_0_bf16",
            "convert_fp8_bf16");

    private static final int MAX_ARGS = 16;

    private final CudaDriver cu;
    private final MemorySegment module;
    private final MemorySegment stream;
    private final Map<String, MemorySegment> functions = new HashMap<>();
    /** Argument values (8 bytes a slot) and the pointer array cuLaunchKernel reads; one launch at a time. */
    private final MemorySegment values = Arena.ofAuto().allocate(8L * MAX_ARGS, 8);
    private final MemorySegment pointers = Arena.ofAuto().allocate(ValueLayout.ADDRESS, MAX_ARGS);

    Kernels(CudaDriver cu, MemorySegment module, MemorySegment stream) {
        this.cu = cu;
        this.module = module;
        this.stream = stream;
        for (int i = 0; i < MAX_ARGS; i++) {
            pointers.setAtIndex(ValueLayout.ADDRESS, i, values.asSlice(8L * i));
        }
    }

    static String signature(String kernel) {
        String best = null;
        for (String prefix : SIGNATURES.keySet()) {
            if (kernel.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("kernel " + kernel + " has no declared signature");
        }
        return SIGNATURES.get(best);
    }

    MemorySegment function(String name) {
        return functions.computeIfAbsent(name, n -> cu.function(module, n));
    }

    void launch(String kernel, LaunchGeometry.Launch g, Object... args) {
        String sig = signature(kernel);
        if (args.length != sig.length()) {
            throw new IllegalArgumentException(kernel + " takes " + sig.length() + " arguments, got " + args.length);
        }
        for (int i = 0; i < args.length; i++) {
            char kind = sig.charAt(i);
            Object a = args[i];
            long off = 8L * i;
            switch (kind) {
                case 'p', 'l' -> values.set(ValueLayout.JAVA_LONG, off, expect(kernel, i, a, Long.class));
                case 'i' -> values.set(ValueLayout.JAVA_INT, off, expect(kernel, i, a, Integer.class));
                case 'f' -> values.set(ValueLayout.JAVA_FLOAT, off, expect(kernel, i, a, Float.class));
                case 'd' -> values.set(ValueLayout.JAVA_DOUBLE, off, expect(kernel, i, a, Double.class));
                default -> throw new IllegalStateException("bad signature kind " + kind);
            }
        }
        cu.launch(function(kernel), g.gridX(), g.gridY(), g.block(), g.sharedBytes(), stream, pointers);
    }

    private static <T> T expect(String kernel, int i, Object a, Class<T> type) {
        if (!type.isInstance(a)) {
            throw new IllegalArgumentException(kernel + " argument " + i + " must be a " + type.getSimpleName()
                    + ", got " + (a == null ? "null" : a.getClass().getSimpleName()));
        }
        return type.cast(a);
    }
}
