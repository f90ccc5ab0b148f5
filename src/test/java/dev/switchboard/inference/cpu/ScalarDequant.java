package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgufTensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Test oracle: dequantizes one element at a time straight from ggml's block layouts, written independently of the
 * production kernels (element-wise formulas instead of their vector-shaped loops).
 */
final class ScalarDequant {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ScalarDequant() {
    }

    static double[] row(GgufTensor t, int row) {
        int cols = t.cols();
        long base = row * t.type().byteSize(cols);
        double[] out = new double[cols];
        for (int e = 0; e < cols; e++) {
            out[e] = element(t, base, e);
        }
        return out;
    }

    static double[][] matrix(GgufTensor t) {
        double[][] m = new double[t.rows()][];
        for (int r = 0; r < m.length; r++) {
            m[r] = row(t, r);
        }
        return m;
    }

    private static double element(GgufTensor t, long rowBase, int e) {
        MemorySegment m = t.data();
        return switch (t.type()) {
            case F32 -> m.get(FLOAT, rowBase + 4L * e);
            case F16 -> Float.float16ToFloat(m.get(SHORT, rowBase + 2L * e));
            case BF16 -> Float.intBitsToFloat((m.get(SHORT, rowBase + 2L * e) & 0xFFFF) << 16);
            case Q8_0 -> {
                long b = rowBase + (e / 32) * 34L;
                yield half(m, b) * m.get(ValueLayout.JAVA_BYTE, b + 2 + e % 32);
            }
            case Q4_0 -> {
                long b = rowBase + (e / 32) * 18L;
                int j = e % 32;
                int packed = u8(m, b + 2 + j % 16);
                int q = j < 16 ? packed & 15 : packed >> 4;
                yield half(m, b) * (q - 8);
            }
            case Q4_K -> {
                long b = rowBase + (e / 256) * 144L;
                int i = e % 256, sub = i / 32, group = i / 64, l = i % 32;
                int packed = u8(m, b + 16 + group * 32 + l);
                int q = (i % 64) < 32 ? packed & 15 : packed >> 4;
                int sc, min;
                if (sub < 4) {
                    sc = u8(m, b + 4 + sub) & 63;
                    min = u8(m, b + 4 + sub + 4) & 63;
                } else {
                    sc = (u8(m, b + 4 + sub + 4) & 15) | (u8(m, b + 4 + sub - 4) >> 6) << 4;
                    min = (u8(m, b + 4 + sub + 4) >> 4) | (u8(m, b + 4 + sub) >> 6) << 4;
                }
                yield half(m, b) * sc * q - half(m, b + 2) * min;
            }
            case Q6_K -> {
                long b = rowBase + (e / 256) * 210L;
                int i = e % 256, h = i / 128, r = i % 128, part = r / 32, l = r % 32;
                int lowByte = u8(m, b + h * 64L + l + (part % 2 == 1 ? 32 : 0));
                int low = part < 2 ? lowByte & 15 : lowByte >> 4;
                int high = (u8(m, b + 128 + h * 32L + l) >> (2 * part)) & 3;
                int scale = m.get(ValueLayout.JAVA_BYTE, b + 192 + i / 16);
                yield half(m, b + 208) * scale * ((low | high << 4) - 32);
            }
            default -> throw new IllegalArgumentException("no test dequantizer for " + t.type());
        };
    }

    private static double half(MemorySegment m, long off) {
        return Float.float16ToFloat(m.get(SHORT, off));
    }

    private static int u8(MemorySegment m, long off) {
        return m.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }
}
