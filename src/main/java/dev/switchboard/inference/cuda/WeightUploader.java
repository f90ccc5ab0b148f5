package dev.switchboard.inference.cuda;

import dev.switchboard.inference.cpu.WeightTensor;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.gguf.GgufTensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Puts weights into device memory, converted there: GGUF bytes go up as stored (F32, F16, BF16, Q8_0) and kernels
 * convert, repack or quantize them into the matrix's device type; other GGUF types are dequantized on the host by
 * the CPU backend's readers first. Random weights are generated on the device. Runs on the CUDA thread.
 */
final class WeightUploader implements AutoCloseable {
    /** Rows are moved in chunks of at most this many bytes, so the staging buffer stays small. */
    private static final long CHUNK_BYTES = 256L << 20;

    private final CudaContext ctx;
    private final List<Long> allocations;
    private long temp;
    private long tempBytes;

    WeightUploader(CudaContext ctx, List<Long> allocations) {
        this.ctx = ctx;
        this.allocations = allocations;
    }

    /** The device type of a matrix whose parts have GGUF types {@code types} (several for fused Q|K|V, gate|up). */
    static DeviceMatrix.Type target(WeightStorage mode, GgmlType... types) {
        if (mode == WeightStorage.FP8) {
            return DeviceMatrix.Type.FP8;
        }
        for (GgmlType t : types) {
            if (t != types[0]) {
                return DeviceMatrix.Type.BF16;
            }
        }
        return mode == WeightStorage.BF16 ? DeviceMatrix.Type.BF16 : nativeType(types[0]);
    }

    /** The device type of the embedding table: FP8 mode keeps it as NATIVE would (it is read one row per token). */
    static DeviceMatrix.Type embeddingTarget(WeightStorage mode, GgmlType type) {
        return mode == WeightStorage.BF16 ? DeviceMatrix.Type.BF16 : nativeType(type);
    }

    private static DeviceMatrix.Type nativeType(GgmlType t) {
        return switch (t) {
            case F32 -> DeviceMatrix.Type.F32;
            case F16 -> DeviceMatrix.Type.F16;
            case BF16 -> DeviceMatrix.Type.BF16;
            case Q8_0 -> DeviceMatrix.Type.Q8_0;
            default -> DeviceMatrix.Type.BF16;
        };
    }

    long malloc(long bytes) {
        long p = ctx.cu.malloc(bytes);
        allocations.add(p);
        return p;
    }

    DeviceMatrix allocate(DeviceMatrix.Type type, int rows, int cols) {
        if (type == DeviceMatrix.Type.Q8_0 && cols % 32 != 0) {
            throw new IllegalArgumentException("Q8_0 rows of " + cols + " values are not whole blocks of 32");
        }
        long ld = type.stride(cols);
        long data = malloc(rows * ld * type.elementBytes);
        long scaleCount = type.scaleCount(rows, cols);
        long scales = scaleCount > 0 ? malloc(scaleCount * Float.BYTES) : 0;
        return new DeviceMatrix(type, data, scales, rows, cols, ld);
    }

    /** Copies {@code values} into a new float32 device vector. */
    long vector(float[] values) {
        long p = malloc((long) values.length * Float.BYTES);
        try (Arena a = Arena.ofConfined()) {
            ctx.cu.copyHtoD(p, a.allocateFrom(ValueLayout.JAVA_FLOAT, values), (long) values.length * Float.BYTES,
                    ctx.stream);
            ctx.cu.streamSynchronize(ctx.stream);
        }
        return p;
    }

    /** Copies {@code values} into a new float64 device vector. */
    long vector(double[] values) {
        long p = malloc((long) values.length * Double.BYTES);
        try (Arena a = Arena.ofConfined()) {
            ctx.cu.copyHtoD(p, a.allocateFrom(ValueLayout.JAVA_DOUBLE, values), (long) values.length * Double.BYTES,
                    ctx.stream);
            ctx.cu.streamSynchronize(ctx.stream);
        }
        return p;
    }

    /** Writes GGUF tensor {@code t} into rows {@code rowOffset..} of {@code dst}, converting on the device. */
    void upload(DeviceMatrix dst, int rowOffset, GgufFile gguf, GgufTensor t) {
        int rows = t.rows(), cols = t.cols();
        if (cols != dst.cols() || rowOffset + rows > dst.rows()) {
            throw gguf.fail("tensor '" + t.name() + "' (" + cols + " columns, " + rows + " rows) does not fit rows "
                    + rowOffset + ".. of a " + dst.rows() + " x " + dst.cols() + " device matrix");
        }
        GgmlType type = t.type();
        boolean raw = type == GgmlType.F32 || type == GgmlType.F16 || type == GgmlType.BF16 || type == GgmlType.Q8_0;
        long rowBytes = raw ? type.byteSize(cols) : (long) cols * Float.BYTES;
        int chunkRows = (int) Math.max(1, Math.min(rows, CHUNK_BYTES / rowBytes));
        WeightTensor host = raw ? null : WeightTensor.of(gguf, t);
        GgmlType staged = raw ? type : GgmlType.F32;
        ensureTemp(chunkRows * rowBytes);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment hostChunk = raw ? null : a.allocate(chunkRows * rowBytes, 16);
            float[] row = raw ? null : new float[cols];
            for (int r0 = 0; r0 < rows; r0 += chunkRows) {
                int m = Math.min(chunkRows, rows - r0);
                MemorySegment src;
                if (raw) {
                    src = t.data().asSlice(r0 * rowBytes, m * rowBytes);
                } else {
                    for (int i = 0; i < m; i++) {
                        host.dequantizeRow(r0 + i, row, 0);
                        MemorySegment.copy(row, 0, hostChunk, ValueLayout.JAVA_FLOAT, i * rowBytes, cols);
                    }
                    src = hostChunk.asSlice(0, m * rowBytes);
                }
                ctx.cu.copyHtoD(temp, src, m * rowBytes, ctx.stream);
                convert(staged, temp, m, cols, dst, rowOffset + r0);
                // the staging buffer and the host chunk are reused by the next chunk
                ctx.cu.streamSynchronize(ctx.stream);
            }
        }
    }

    /** Converts {@code rows} staged rows of GGUF type {@code src} into {@code dst} from row {@code dstRow}. */
    private void convert(GgmlType src, long staged, int rows, int cols, DeviceMatrix dst, int dstRow) {
        String from = switch (src) {
            case F32 -> "f32";
            case F16 -> "f16";
            case BF16 -> "bf16";
            case Q8_0 -> "q8_0raw";
            default -> throw new IllegalStateException("staged type " + src);
        };
        LaunchGeometry.Launch g = LaunchGeometry.perRow(rows);
        long out = dst.rowAddress(dstRow);
        switch (dst.type()) {
            case FP8 -> ctx.kernels.launch("quant_fp8_" + from, g, staged, 0L, (long) cols, cols, out,
                    dst.rowScales(dstRow), dst.ld());
            case Q8_0 -> {
                if (src != GgmlType.Q8_0) {
                    throw new IllegalStateException("Q8_0 device weights come only from Q8_0 tensors, not " + src);
                }
                ctx.kernels.launch("repack_q8_0", g, staged, cols, out, dst.rowScales(dstRow));
            }
            default -> {
                String kernel = "convert_" + from + "_" + dst.type().kernel;
                if (!Kernels.CONVERSIONS.contains(kernel)) {
                    throw new IllegalStateException("no kernel converts " + src + " weights to " + dst.type());
                }
                ctx.kernels.launch(kernel, g, staged, 0L, (long) cols, cols, out, dst.ld());
            }
        }
    }

    /** Fills {@code dst} with uniform values in [-bound, bound), generated on the device from {@code seed}. */
    void random(DeviceMatrix dst, long seed, float bound) {
        switch (dst.type()) {
            case BF16, F32 -> ctx.kernels.launch("fill_uniform_" + dst.type().kernel,
                    LaunchGeometry.elementwise(dst.rows() * dst.ld()), dst.data(), dst.rows(), dst.cols(), dst.ld(),
                    seed, -bound, bound);
            case FP8 -> {
                long ld = LaunchGeometry.weightStride(dst.cols());
                int chunkRows = (int) Math.max(1, Math.min(dst.rows(), CHUNK_BYTES / (ld * 2)));
                ensureTemp(chunkRows * ld * 2);
                for (int r0 = 0; r0 < dst.rows(); r0 += chunkRows) {
                    int m = Math.min(chunkRows, dst.rows() - r0);
                    ctx.kernels.launch("fill_uniform_bf16", LaunchGeometry.elementwise(m * ld), temp, m, dst.cols(),
                            ld, seed * 1_000_003L + r0, -bound, bound);
                    ctx.kernels.launch("quant_fp8_bf16", LaunchGeometry.perRow(m), temp, 0L, ld, dst.cols(),
                            dst.rowAddress(r0), dst.rowScales(r0), dst.ld());
                }
            }
            default -> throw new IllegalArgumentException("random weights are generated as BF16, F32 or FP8, not "
                    + dst.type());
        }
        ctx.cu.streamSynchronize(ctx.stream);
    }

    /** A float32 vector of uniform values in [lo, hi), generated on the device. */
    long randomVector(int n, long seed, float lo, float hi) {
        long p = malloc((long) n * Float.BYTES);
        ctx.kernels.launch("fill_uniform_f32", LaunchGeometry.elementwise(n), p, 1, n, (long) n, seed, lo, hi);
        return p;
    }

    private void ensureTemp(long bytes) {
        if (bytes > tempBytes) {
            ctx.cu.streamSynchronize(ctx.stream);
            ctx.cu.free(temp);
            temp = ctx.cu.malloc(bytes);
            tempBytes = bytes;
        }
    }

    /** Frees the staging buffer (the weights stay). */
    @Override
    public void close() {
        ctx.cu.streamSynchronize(ctx.stream);
        ctx.cu.free(temp);
        temp = 0;
        tempBytes = 0;
    }
}
