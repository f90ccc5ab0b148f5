package dev.switchboard.inference.cuda;

/**
 * A weight matrix in device memory: {@code rows} rows of {@code cols} values with row stride {@code ld} elements,
 * plus the scales of quantized types in a separate float array (Q8_0: one per 32 values of a row; FP8: one per row).
 */
record DeviceMatrix(Type type, long data, long scales, int rows, int cols, long ld) {

    /** The element types the kernels compute with; {@link #kernel} is the suffix of their kernel names. */
    enum Type {
        F32("f32", 4), F16("f16", 2), BF16("bf16", 2), Q8_0("q8_0", 1), FP8("fp8", 1);

        final String kernel;
        final int elementBytes;

        Type(String kernel, int elementBytes) {
            this.kernel = kernel;
            this.elementBytes = elementBytes;
        }

        /** Row stride for {@code cols} values: 16-byte aligned rows (Q8_0 rows already are: cols % 32 == 0). */
        long stride(int cols) {
            return this == Q8_0 ? cols : LaunchGeometry.weightStride(cols);
        }

        long scaleCount(int rows, int cols) {
            return switch (this) {
                case Q8_0 -> (long) rows * (cols / 32);
                case FP8 -> rows;
                default -> 0;
            };
        }
    }

    long dataBytes() {
        return rows * ld * type.elementBytes;
    }

    long scaleBytes() {
        return type.scaleCount(rows, cols) * Float.BYTES;
    }

    /** Bytes one pass over the matrix reads: what a decode step costs in memory traffic. */
    long bytes() {
        return dataBytes() + scaleBytes();
    }

    /** Device address of row {@code row}'s first value. */
    long rowAddress(int row) {
        return data + row * ld * type.elementBytes;
    }

    /** Device address of row {@code row}'s first scale (quantized types only). */
    long rowScales(int row) {
        return scales + type.scaleCount(row, cols) * Float.BYTES;
    }
}
