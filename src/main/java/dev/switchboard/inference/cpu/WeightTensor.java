package dev.switchboard.inference.cpu;

import dev.switchboard.inference.backend.HostMemory;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.gguf.GgufTensor;
import dev.switchboard.inference.model.ModelWeights;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A 2-D weight matrix (or a 1-D vector, as one row) read in place from a memory-mapped GGUF tensor, in its ggml
 * type. Each subclass owns the kernels of one type: they compute on the stored blocks directly, dequantizing into
 * vector registers, so weights are never copied to the heap.
 *
 * <p>Activations are row-major {@code float[]}: token {@code t} of an n-token batch lives at {@code t * cols}.
 */
public abstract sealed class WeightTensor
        permits ElementwiseTensor, Q8_0Tensor, Q4_0Tensor, Q4_KTensor, Q6_KTensor {

    /**
     * Float lanes per vector. 256-bit when the CPU has no wider vectors: the kernels need at least 8 lanes, and the
     * Vector API emulates a shape the hardware lacks (slow but correct) rather than failing.
     */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() >= 8
            ? FloatVector.SPECIES_PREFERRED : FloatVector.SPECIES_256;
    static final int L = F.length();
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Bytes with as many lanes as {@link #F}: loaded and widened to floats or ints in one step. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    /** Shorts with as many lanes as {@link #F}, for the 16-bit float types. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    /** Tokens per register tile of the matrix-matrix kernel. */
    static final int TILE = 4;
    /**
     * Rows per tile of the repacked types' matrix-vector kernel: each activation load serves this many rows, each
     * with its own accumulator, and their blocks lie interleaved so that one tile streams from one address range.
     */
    static final int ROW_TILE = 4;
    /** Eight float lanes, for the eight sub-block mins of a Q4_K super-block. */
    static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    /** Per-thread scratch of the matrix-vector kernels (sums of x per sub-block): no allocation per step. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
    /** Bytes of weight rows kept hot in L2 while every token tile of a batch passes over them. */
    private static final long ROW_BLOCK_BYTES = 64 * 1024;

    /** Per-thread scratch of {@link #repackedRow}: one row's blocks in the repacked layout. */
    private static final ThreadLocal<MemorySegment[]> ROW_SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[1]);

    final String name;
    final GgmlType type;
    /**
     * What the Java kernels read: the file's blocks, or for the repacking types their own copy, made by
     * {@link #ensureRepacked} (a plain field, so the kernels' loops read it like a final one).
     */
    MemorySegment data;
    /** The tensor's ggml blocks as stored in the file, which the native kernels read in place. */
    final MemorySegment ggml;
    final int rows;
    final int cols;
    final long rowBytes;
    /** How a repacking type rewrites one block, and its block sizes; null for types that read the file's blocks. */
    private final BlockRepack repack;
    private final int block, blockBytes, packedBytes;
    /** Set (after {@link #data}) once the repacked copy exists; the volatile write publishes {@link #data}. */
    private volatile boolean repacked;
    /**
     * The rows in the native kernels' own layout ({@link NativeKernels#repack}), made by {@link #nativeCopy} before
     * the first native product; null until then, and for tensors whose native kernels read the file.
     */
    private volatile NativeKernels.Repacked nativeCopy;

    WeightTensor(GgufTensor t) {
        this(t, 0, 0, 0, null);
        this.data = ggml;
    }

    /**
     * For types whose Java kernels compute on their own copy of the weights, repacked from {@code t}'s ggml blocks
     * by {@code repack} ({@code blockBytes} per {@code block} values in the file, {@code packedBytes} repacked).
     * Where the native kernels compute this tensor's products they read the file's blocks, so the copy, as large as
     * the weights, is made only if a Java kernel runs on it ({@link #ensureRepacked}).
     */
    WeightTensor(GgufTensor t, int block, int blockBytes, int packedBytes, BlockRepack repack) {
        this.name = t.name();
        this.type = t.type();
        this.ggml = t.data();
        this.cols = t.cols();
        this.rows = t.rows();
        this.rowBytes = t.type().byteSize(cols);
        this.repack = repack;
        this.block = block;
        this.blockBytes = blockBytes;
        this.packedBytes = packedBytes;
        if (repack != null && !(NativeKernels.chosen() && hasNativeKernel())) {
            ensureRepacked();
        }
    }

    /** Makes the repacked copy if it does not exist yet: every Java kernel of a repacking type calls this first. */
    final void ensureRepacked() {
        if (!repacked && repack != null) {
            synchronized (this) {
                if (!repacked) {
                    data = repack(ggml, rows, cols, rowBytes);
                    repacked = true;
                }
            }
        }
    }

    /** Whether the Java kernels' repacked copy of the weights exists (always false for types without one). */
    final boolean hasRepackedCopy() {
        return repacked;
    }

    /** Whether the native kernels' copy of the weights exists (always false for tensors they read in place). */
    final boolean hasNativeCopy() {
        return nativeCopy != null;
    }

    /**
     * Reads the weights the kernels will use into memory now (for the native kernels of Q8_0 and Q4_K: makes their
     * copy), so that the first request is not slow.
     */
    final void pageIn() {
        if (NativeKernels.repacks(type, rows) && NativeKernels.chosen()) {
            nativeCopy();
            return;
        }
        MemorySegment m = repacked || repack == null ? data : ggml;
        if (m.isMapped()) {
            m.load();
        }
    }

    /** Wraps a tensor in the class of its type; an error names the file, the tensor and the type otherwise. */
    public static WeightTensor of(GgufFile file, GgufTensor t) {
        try {
            return wrap(t);
        } catch (IllegalArgumentException e) {
            throw file.fail(e.getMessage());
        }
    }

    /**
     * Vector {@code name} of {@code length} values (a norm weight, RoPE divisors) as floats, whatever its stored
     * type: every backend reads these on the host.
     */
    public static float[] readVector(GgufFile file, String name, int length) {
        float[] values = new float[length];
        of(file, ModelWeights.vector(file, name, length)).dequantizeRow(0, values, 0);
        return values;
    }

    static WeightTensor wrap(GgufTensor t) {
        return switch (t.type()) {
            case F32 -> new F32Tensor(t);
            case F16 -> new F16Tensor(t);
            case BF16 -> new BF16Tensor(t);
            case Q8_0 -> new Q8_0Tensor(t);
            case Q4_0 -> new Q4_0Tensor(t);
            case Q4_K -> new Q4_KTensor(t);
            case Q6_K -> new Q6_KTensor(t);
            default -> throw new IllegalArgumentException("tensor '" + t.name() + "' has type " + t.type()
                    + ", which the CPU backend cannot compute with (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
        };
    }

    public String name() {
        return name;
    }

    public GgmlType type() {
        return type;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Bytes of the whole tensor: what one pass over every row reads from memory. */
    public long byteSize() {
        return rowBytes * rows;
    }

    /** Dot product of row {@code row} with {@code x[xOff .. xOff + cols)}. */
    public abstract float dot(int row, float[] x, int xOff);

    /**
     * Dot products of row {@code row} with {@link #TILE} vectors at {@code x[xOff + t * cols]}, written to
     * {@code out[outOff + t * outStride]}: every weight block is dequantized once for all of them.
     */
    abstract void dotTile(int row, float[] x, int xOff, float[] out, int outOff, int outStride);

    /** {@code out[r] = row r · x} for rows {@code from..to-1}; types that can share work across rows override it. */
    void matvec(float[] x, float[] out, int from, int to) {
        for (int r = from; r < to; r++) {
            out[r] = dot(r, x, 0);
        }
    }

    /** Whether {@link NativeKernels} has kernels for this tensor's type. */
    final boolean hasNativeKernel() {
        return type == GgmlType.Q8_0 || type == GgmlType.Q4_K || type == GgmlType.Q6_K;
    }

    /**
     * As {@link #matmul}, by the native kernels, from {@code q}: the {@code n} tokens quantized by
     * {@link NativeKernels#quantize}. Only for types {@link #hasNativeKernel()}.
     */
    final void matmulNative(MemorySegment q, int n, float[] out, int from, int to) {
        if (NativeKernels.repacks(type, rows)) {
            NativeKernels.Repacked copy = nativeCopy();
            NativeKernels.matmul(copy.type(), copy.data(), rowBytes, cols, q, n, out, rows, from, to);
        } else {
            NativeKernels.matmul(type.id, ggml, rowBytes, cols, q, n, out, rows, from, to);
        }
    }

    /**
     * The memory a pass over all rows reads: the native kernels' copy or the file's blocks ({@code nativeKernels}),
     * else the Java kernels' copy or the file's blocks. For benches that time a plain read of the same pages.
     */
    final MemorySegment streamedBytes(boolean nativeKernels) {
        if (nativeKernels) {
            return NativeKernels.repacks(type, rows) ? nativeCopy().data() : ggml;
        }
        ensureRepacked();
        return data;
    }

    private NativeKernels.Repacked nativeCopy() {
        NativeKernels.Repacked packed = nativeCopy;
        if (packed == null) {
            synchronized (this) {
                packed = nativeCopy;
                if (packed == null) {
                    packed = NativeKernels.repack(type, ggml, rowBytes, rows, cols);
                    nativeCopy = packed;
                }
            }
        }
        return packed;
    }

    /** Writes row {@code row} as floats into {@code out[off .. off + cols)}. */
    public abstract void dequantizeRow(int row, float[] out, int off);

    /**
     * {@code out[t * rows + r] = row r · x[t * cols ..]} for tokens {@code 0..n-1} and rows {@code from..to-1}.
     * Rows are taken in blocks that stay in cache while all token tiles pass over them, so a batch reads each weight
     * from memory once instead of once per token.
     */
    public final void matmul(float[] x, int n, float[] out, int from, int to) {
        if (n == 1) {
            matvec(x, out, from, to);
            return;
        }
        int rowBlock = (int) Math.max(1, ROW_BLOCK_BYTES / rowBytes);
        for (int r0 = from; r0 < to; r0 += rowBlock) {
            int r1 = Math.min(to, r0 + rowBlock);
            int t = 0;
            for (; t + TILE <= n; t += TILE) {
                for (int r = r0; r < r1; r++) {
                    dotTile(r, x, t * cols, out, t * rows + r, rows);
                }
            }
            for (; t < n; t++) {
                for (int r = r0; r < r1; r++) {
                    out[t * rows + r] = dot(r, x, t * cols);
                }
            }
        }
    }

    final float f16(long offset) {
        return Float.float16ToFloat(data.get(SHORT_LE, offset));
    }

    final int s8(long offset) {
        return data.get(ValueLayout.JAVA_BYTE, offset);
    }

    final int u8(long offset) {
        return data.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    final FloatVector x(float[] x, int off) {
        return FloatVector.fromArray(F, x, off);
    }

    /**
     * {@link #L} signed bytes at {@code offset} widened to ints: nibble and bit-field extraction then runs on ints,
     * which x86 shifts natively (it has no byte shifts).
     */
    final IntVector ints(long offset) {
        return (IntVector) ByteVector.fromMemorySegment(B, data, offset, LE).convertShape(VectorOperators.B2I, I, 0);
    }

    /** {@link #L} unsigned bytes at {@code offset} widened to ints: a nibble then needs one operation. */
    final IntVector uints(long offset) {
        return (IntVector) ByteVector.fromMemorySegment(B, data, offset, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    /** This thread's scratch of at least {@code n} floats (contents undefined). */
    static float[] scratch(int n) {
        float[] s = SCRATCH.get();
        if (s.length < n) {
            s = new float[n];
            SCRATCH.set(s);
        }
        return s;
    }

    /** {@code sums[i] = Σ x[xOff + i·width ..+width)} for {@code count} groups of {@code width} (a multiple of L). */
    static float[] groupSums(float[] x, int xOff, int width, int count) {
        float[] sums = scratch(count);
        for (int s = 0; s < count; s++) {
            FloatVector acc = FloatVector.fromArray(F, x, xOff + width * s);
            for (int c = L; c < width; c += L) {
                acc = acc.add(FloatVector.fromArray(F, x, xOff + width * s + c));
            }
            sums[s] = sum(acc);
        }
        return sums;
    }

    /** Rewrites one ggml block at {@code in} of {@code src} into the repacked block at {@code out} of {@code dst}. */
    @FunctionalInterface
    interface BlockRepack {
        void copy(MemorySegment src, long in, MemorySegment dst, long out);
    }

    /**
     * The ggml blocks in {@code src} rewritten into fresh 64-byte aligned memory (freed with the tensor) in the
     * row-tile order of {@link #packed}; rows padding the last tile stay zero.
     */
    private MemorySegment repack(MemorySegment src, int rows, int cols, long rowBytes) {
        int blocks = cols / block;
        int tiles = (rows + ROW_TILE - 1) / ROW_TILE;
        MemorySegment dst = HostMemory.allocate(Arena.ofAuto(), (long) tiles * ROW_TILE * blocks * packedBytes,
                64);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                repack.copy(src, r * rowBytes + (long) b * blockBytes, dst, packed(r, b, blocks, packedBytes));
            }
        }
        return dst;
    }

    /**
     * Row {@code row}'s blocks in the repacked layout, one after another from offset 0 of a per-thread scratch:
     * copied from the repacked copy where it exists, else rewritten from the file's blocks (an embedding lookup
     * needs no copy of the whole table).
     */
    final MemorySegment repackedRow(int row) {
        int blocks = cols / block;
        MemorySegment[] holder = ROW_SCRATCH.get();
        long bytes = (long) blocks * packedBytes;
        if (holder[0] == null || holder[0].byteSize() < bytes) {
            holder[0] = Arena.ofAuto().allocate(bytes, 64);
        }
        MemorySegment dst = holder[0];
        for (int b = 0; b < blocks; b++) {
            if (repacked) {
                MemorySegment.copy(data, packed(row, b, blocks, packedBytes), dst, (long) b * packedBytes, packedBytes);
            } else {
                repack.copy(ggml, row * rowBytes + (long) b * blockBytes, dst, (long) b * packedBytes);
            }
        }
        return dst;
    }

    /** Offset of row {@code r}'s block {@code b} when the blocks of {@link #ROW_TILE} rows lie interleaved. */
    static long packed(int r, int b, int blocks, int packedBytes) {
        return (((long) (r / ROW_TILE) * blocks + b) * ROW_TILE + r % ROW_TILE) * packedBytes;
    }

    /**
     * The sum of {@code v}'s lanes in one fixed order (halves added pairwise), whatever runs the code. Never
     * {@code reduceLanes(ADD)}: its order is unspecified, and the interpreter's fallback and C2's intrinsic do differ,
     * so results would change the moment the JIT compiles a kernel, and with them sampled tokens (the engine
     * promises that a row's result depends on nothing but that row). The last distances are constants: where C2 did
     * not unroll a loop over them, {@code slice} was not intrinsified and every call boxed its vectors (F16 decode,
     * 2026-12-05: 3.9 MB allocated per step of a 4-layer test model).
     */
    public static float sum(FloatVector v) {
        int n = v.length();
        for (int h = n / 2; h > 8; h /= 2) { // vectors wider than 512 bits only
            v = v.add(v.slice(h));
        }
        if (n >= 16) {
            v = v.add(v.slice(8));
        }
        if (n >= 8) {
            v = v.add(v.slice(4));
        }
        v = v.add(v.slice(2));
        return v.add(v.slice(1)).lane(0);
    }

    static FloatVector toFloats(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /** Signed bytes widened to floats, {@link #L} of them. */
    static FloatVector toFloats(ByteVector b) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, F, 0);
    }

    // ---- quantization: float rows into each type's block layout (reference code, not tuned) ----

    /**
     * The classes whose code {@link #quantize} runs: what a cache of quantized files is keyed on. A quantizer added to
     * the switch below belongs here too, or such a cache can serve files its old code wrote.
     */
    public static final List<Class<?>> QUANTIZERS = List.of(WeightTensor.class, F32Tensor.class, F16Tensor.class,
            BF16Tensor.class, Q8_0Tensor.class, Q4_0Tensor.class, Q4_KTensor.class, Q6_KTensor.class);

    /** Bytes of {@code n} values of {@code type} quantized from {@code src[off .. off + n)} into {@code dst}. */
    public static void quantize(GgmlType type, float[] src, int off, int n, byte[] dst, int dstOff) {
        switch (type) {
            case F32 -> F32Tensor.quantize(src, off, n, dst, dstOff);
            case F16 -> F16Tensor.quantize(src, off, n, dst, dstOff);
            case BF16 -> BF16Tensor.quantize(src, off, n, dst, dstOff);
            case Q8_0 -> Q8_0Tensor.quantize(src, off, n, dst, dstOff);
            case Q4_0 -> Q4_0Tensor.quantize(src, off, n, dst, dstOff);
            case Q4_K -> Q4_KTensor.quantize(src, off, n, dst, dstOff);
            case Q6_K -> Q6_KTensor.quantize(src, off, n, dst, dstOff);
            default -> throw new IllegalArgumentException("cannot quantize to " + type);
        }
    }

    /** {@code values} quantized to {@code type}, as that type's bytes. */
    public static byte[] quantize(GgmlType type, float[] values) {
        byte[] out = new byte[Math.toIntExact(type.byteSize(values.length))];
        quantize(type, values, 0, values.length, out, 0);
        return out;
    }

    static void putShort(byte[] dst, int off, short v) {
        dst[off] = (byte) v;
        dst[off + 1] = (byte) (v >> 8);
    }
}
