package dev.switchboard.inference.cpu;

import dev.switchboard.inference.backend.HostMemory;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.model.KvType;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The project's own native matrix kernels ({@code src/main/c/switchboard_kernels.c}: Q8_0, Q4_K and Q6_K weights
 * against int16-quantized activations with the CPU's integer dot products), called through the FFM API. The build
 * compiles the library into the classes folder when a C compiler is present; without it, or on a CPU without AVX2,
 * the pure-Java kernels run. Which kernels a {@link CpuBackend} uses is decided when it loads, from {@link #mode()}.
 */
public final class NativeKernels {
    /** Which kernels backends loaded from now on use. */
    public enum Mode {
        /** The pure-Java Vector API kernels. */
        JAVA,
        /** The native kernels; loading a backend fails when they are unavailable. */
        NATIVE,
        /** The native kernels where available, else Java. */
        AUTO;

        /** {@code java}, {@code native} or {@code auto}; anything else is refused naming the choices. */
        public static Mode parse(String value) {
            for (Mode m : values()) {
                if (m.name().equalsIgnoreCase(value)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("kernels '" + value + "' is not one of java, native, auto");
        }
    }

    /** Where the build puts the library, under the classes folder (or jar). */
    static final String RESOURCE = "/native/" + platform() + "/libswitchboard_kernels.so";
    private static final int VERSION = 15;

    private static volatile Mode mode = Mode.AUTO;
    private static final MethodHandle QUANTIZE, MATMUL, ACTIVATION_BYTES, USE_LEVEL, REPACK, REPACKED_BYTES, ATTEND,
            READ_SUM, PREFETCH;
    /** Rows per group of the repacked layouts ({@link #repack}). */
    static final int GROUP = 16;
    /** Why the native kernels cannot run here, or null when they can. */
    private static final String UNAVAILABLE;

    static {
        MethodHandle quantize = null, matmul = null, bytes = null, useLevel = null, repack = null, repacked = null,
                attend = null, readSum = null, prefetch = null;
        String unavailable;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup lib = SymbolLookup.libraryLookup(libraryPath(), Arena.global());
            MethodHandle version = linker.downcallHandle(lib.findOrThrow("sb_version"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT));
            MethodHandle level = linker.downcallHandle(lib.findOrThrow("sb_cpu_level"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT));
            useLevel = linker.downcallHandle(lib.findOrThrow("sb_use_level"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            bytes = linker.downcallHandle(lib.findOrThrow("sb_activation_bytes"),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            // critical: the calls are short and take the activations and outputs straight from the Java heap
            quantize = linker.downcallHandle(lib.findOrThrow("sb_quantize"), FunctionDescriptor.ofVoid(
                    ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS),
                    Linker.Option.critical(true));
            matmul = linker.downcallHandle(lib.findOrThrow("sb_matmul"), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), Linker.Option.critical(true));
            repack = linker.downcallHandle(lib.findOrThrow("sb_repack"), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            repacked = linker.downcallHandle(lib.findOrThrow("sb_repacked_bytes"), FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            attend = linker.downcallHandle(lib.findOrThrow("sb_attend"), FunctionDescriptor.ofVoid(
                    ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_FLOAT,
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), Linker.Option.critical(true));
            readSum = linker.downcallHandle(lib.findOrThrow("sb_read_sum"), FunctionDescriptor.of(
                    ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            prefetch = linker.downcallHandle(lib.findOrThrow("sb_prefetch"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            int v = (int) version.invokeExact(), cpu = (int) level.invokeExact();
            unavailable = v != VERSION ? "the library is version " + v + ", this code needs " + VERSION
                    : cpu == 0 ? "the CPU lacks AVX2, FMA or F16C" : null;
        } catch (Throwable e) {
            unavailable = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        QUANTIZE = quantize;
        MATMUL = matmul;
        ACTIVATION_BYTES = bytes;
        USE_LEVEL = useLevel;
        REPACK = repack;
        REPACKED_BYTES = repacked;
        ATTEND = attend;
        READ_SUM = readSum;
        PREFETCH = prefetch;
        UNAVAILABLE = unavailable;
    }

    private NativeKernels() {
    }

    /** Chooses the kernels of backends loaded from now on (the process default is {@link Mode#AUTO}). */
    public static void use(Mode m) {
        mode = m;
    }

    public static Mode mode() {
        return mode;
    }

    public static boolean available() {
        return UNAVAILABLE == null;
    }

    /** Why the native kernels cannot run here; null when they can. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    /** Whether a backend loaded now uses the native kernels; {@link Mode#NATIVE} without them is an error. */
    static boolean chosen() {
        return switch (mode) {
            case JAVA -> false;
            case AUTO -> available();
            case NATIVE -> {
                if (!available()) {
                    throw new IllegalStateException("native kernels asked for, but unavailable: " + UNAVAILABLE);
                }
                yield true;
            }
        };
    }

    /**
     * Uses the kernels of at most {@code maxLevel} (1: AVX2, 2: AVX-512 VNNI, 3: also AMX for batches) and of what
     * the CPU runs; returns the level now in use. For tests, which run every kernel set a machine has.
     */
    static int useLevel(int maxLevel) {
        try {
            return (int) USE_LEVEL.invokeExact(maxLevel);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sets how far ahead of the weights they read, in bytes, the native kernels request lines from memory (0: not at
     * all), or with -1 only asks; returns the distance now in use. The library's default is 2048 on Intel CPUs and 0
     * elsewhere, by what was measured on each (sb_prefetch); a machine of another kind may want another, which
     * {@code bench --prefetch} shows.
     */
    public static int prefetch(int bytes) {
        if (!available()) {
            throw new IllegalStateException("native kernels unavailable: " + UNAVAILABLE);
        }
        if (bytes < -1) {
            throw new IllegalArgumentException("a prefetch distance is at least 0 bytes, got " + bytes);
        }
        try {
            return (int) PREFETCH.invokeExact(bytes);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes of {@code data} (up to the last whole four vectors) read and summed as floats: a plain read. */
    static float readSum(MemorySegment data) {
        try {
            return (float) READ_SUM.invokeExact(data, data.byteSize());
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes of {@code n} tokens of {@code cols} activations in the kernels' quantized form. */
    static long activationBytes(int n, int cols) {
        try {
            return (long) ACTIVATION_BYTES.invokeExact(n, cols);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Quantizes {@code n} tokens of {@code cols} values from {@code x} into {@code q}, with a scale per 32 values
     * when {@code perBlock} (only the Q8_0 kernel reads such input), else per 64 (a pair of K-quant sub-blocks).
     */
    static void quantize(float[] x, int n, int cols, boolean perBlock, MemorySegment q) {
        try {
            QUANTIZE.invokeExact(MemorySegment.ofArray(x), n, cols, perBlock ? 32 : 64, q);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether the native kernels compute products of {@code type} on a copy in their own layout ({@link #repack}):
     * Q8_0, Q4_K and Q6_K rows in whole groups of {@link #GROUP}.
     */
    static boolean repacks(GgmlType type, int rows) {
        return (type == GgmlType.Q8_0 || type == GgmlType.Q4_K || type == GgmlType.Q6_K) && rows % GROUP == 0;
    }

    /** A copy made by {@link #repack}, and the kernels' type id of its layout. */
    record Repacked(int type, MemorySegment data) {
    }

    /**
     * Rows of a type that {@link #repacks} copied into the layout its native kernel reads: groups of 16 rows whose
     * blocks lie interleaved, so that each vector lane computes one row (see sb_repack). About as large as the
     * weights; read by {@link #matmul} with the copy's type. Spans of groups are copied in parallel: writing fresh
     * pages is what a load waits for (on the 2-vCPU VM of 2026-12-04 even a memset filled them at ~340 MB/s; two
     * threads repacked Q8_0 at ~560 MB/s, one at ~320).
     */
    static Repacked repack(GgmlType type, MemorySegment ggml, long rowBytes, int rows, int cols) {
        long groupBytes;
        int packedType;
        try {
            groupBytes = (long) REPACKED_BYTES.invokeExact(type.id, GROUP, cols);
            // no rows: copies nothing, returns the copy's type id (or -1 for a type without a layout)
            packedType = (int) REPACK.invokeExact(type.id, ggml, rowBytes, 0, cols, MemorySegment.NULL);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        if (packedType < 0) {
            throw new IllegalArgumentException("the native kernels do not repack " + type);
        }
        int groups = rows / GROUP, spans = Math.min(groups, 64);
        MemorySegment packed = HostMemory.allocate(Arena.ofAuto(), groupBytes * groups, 64);
        IntStream.range(0, spans).parallel().forEach(i -> {
            int from = groups * i / spans, to = groups * (i + 1) / spans;
            try {
                int ignored = (int) REPACK.invokeExact(type.id,
                        ggml.asSlice(from * GROUP * rowBytes, (to - from) * GROUP * rowBytes), rowBytes,
                        (to - from) * GROUP, cols, packed.asSlice(from * groupBytes, (to - from) * groupBytes));
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        });
        return new Repacked(packedType, packed);
    }

    /** Whether {@link #attend} takes heads of {@code headSize} values (whole vectors of 32, whole q8 blocks). */
    static boolean attends(int headSize) {
        return headSize % 32 == 0;
    }

    /**
     * Causal attention of the {@code g} query heads at float {@code qOff} of {@code q} (head j at
     * {@code qOff + j * headSize}) that share one KV head, over the {@code n} positions whose key and value start at
     * byte {@code kvOff + offsets[from + p]} of {@code keys} and {@code values} (a cache of {@code type}, laid out
     * as CpuKvCache stores it; {@code offsets} holds longs), into {@code out} from float {@code outOff} likewise;
     * {@code scores} holds at least {@code g * n} floats of scratch. As the Java path: softmax of the scaled dot
     * products, then the weighted sum of the values. The arrays come as segments made once by the caller, for this
     * runs once per token, layer and KV head.
     */
    static void attend(MemorySegment q, int qOff, int g, int headSize, MemorySegment keys, MemorySegment values,
                       KvType type, long kvOff, MemorySegment offsets, int from, int n, float scale,
                       MemorySegment scores, MemorySegment out, int outOff) {
        try {
            int kvType = switch (type) { // sb_attend's KV_F32, KV_BF16, KV_Q8
                case F32 -> 0;
                case BF16 -> 1;
                case Q8 -> 2;
            };
            ATTEND.invokeExact(q, qOff, g, headSize, keys, values, kvType, kvOff, offsets, from,
                    n, scale, scores, out, outOff);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code out[t * outStride + r] = row r · token t} for rows {@code from..to-1} of {@code w} (ggml blocks of
     * type id {@code type}, {@code rowBytes} per row, or a {@link Repacked} copy and its type) and tokens
     * {@code 0..n-1} of the quantized {@code q}.
     */
    static void matmul(int type, MemorySegment w, long rowBytes, int cols, MemorySegment q, int n, float[] out,
                       int outStride, int from, int to) {
        int rc;
        try {
            rc = (int) MATMUL.invokeExact(type, w, rowBytes, cols, q, n, MemorySegment.ofArray(out), outStride,
                    from, to);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        if (rc != 0) {
            throw new IllegalStateException("native kernels refused ggml type " + type);
        }
    }

    private static String platform() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return System.getProperty("os.name").toLowerCase(Locale.ROOT).replace(' ', '-') + "-"
                + (arch.equals("amd64") ? "x86_64" : arch);
    }

    /** The library's file: in the classes folder as built, or copied out of the jar to a temporary file. */
    private static Path libraryPath() throws IOException, URISyntaxException {
        URL url = NativeKernels.class.getResource(RESOURCE);
        if (url == null) {
            throw new IOException("no native kernel library " + RESOURCE + " (built only where a C compiler is)");
        }
        if (url.getProtocol().equals("file")) {
            return Path.of(url.toURI());
        }
        Path copy = Files.createTempFile("switchboard_kernels", ".so");
        copy.toFile().deleteOnExit();
        try (InputStream in = url.openStream()) {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        return copy;
    }
}
