package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgufTensor;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_0: blocks of 32 values, an f16 scale {@code d} then 16 bytes whose low nibbles are values 0..15 and high
 * nibbles values 16..31; value = (q − 8)·d.
 */
final class Q4_0Tensor extends WeightTensor {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 18;

    Q4_0Tensor(GgufTensor t) {
        super(t);
    }

    private ByteVector nibbles(long blockOff, int j) {
        return ByteVector.fromMemorySegment(B, data, blockOff + 2 + j, LE);
    }

    private static FloatVector low(ByteVector q) {
        return toFloats(q.and((byte) 0xF).sub((byte) 8));
    }

    private static FloatVector high(ByteVector q) {
        return toFloats(q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8));
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        for (int b = 0, blocks = cols / BLOCK; b < blocks; b++) {
            long off = base + (long) b * BLOCK_BYTES;
            int xb = xOff + b * BLOCK;
            FloatVector s0 = FloatVector.zero(F), s1 = s0;
            for (int j = 0; j < BLOCK / 2; j += L) {
                ByteVector q = nibbles(off, j);
                s0 = low(q).fma(x(x, xb + j), s0);
                s1 = high(q).fma(x(x, xb + 16 + j), s1);
            }
            FloatVector d = FloatVector.broadcast(F, f16(off));
            acc0 = s0.fma(d, acc0);
            acc1 = s1.fma(d, acc1);
        }
        return sum(acc0.add(acc1));
    }

    @Override
    void dotTile(int row, float[] x, int xOff, float[] out, int outOff, int outStride) {
        long base = row * rowBytes;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0, blocks = cols / BLOCK; b < blocks; b++) {
            long off = base + (long) b * BLOCK_BYTES;
            FloatVector d = FloatVector.broadcast(F, f16(off));
            int x0 = xOff + b * BLOCK, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
            for (int j = 0; j < BLOCK / 2; j += L) {
                ByteVector q = nibbles(off, j);
                FloatVector w = low(q).mul(d);
                a0 = w.fma(x(x, x0 + j), a0);
                a1 = w.fma(x(x, x1 + j), a1);
                a2 = w.fma(x(x, x2 + j), a2);
                a3 = w.fma(x(x, x3 + j), a3);
                w = high(q).mul(d);
                a0 = w.fma(x(x, x0 + 16 + j), a0);
                a1 = w.fma(x(x, x1 + 16 + j), a1);
                a2 = w.fma(x(x, x2 + 16 + j), a2);
                a3 = w.fma(x(x, x3 + 16 + j), a3);
            }
        }
        out[outOff] = sum(a0);
        out[outOff + outStride] = sum(a1);
        out[outOff + 2 * outStride] = sum(a2);
        out[outOff + 3 * outStride] = sum(a3);
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long base = row * rowBytes;
        for (int b = 0, blocks = cols / BLOCK; b < blocks; b++) {
            long blockOff = base + (long) b * BLOCK_BYTES;
            float d = f16(blockOff);
            for (int j = 0; j < BLOCK / 2; j++) {
                int q = u8(blockOff + 2 + j);
                out[off + b * BLOCK + j] = ((q & 0xF) - 8) * d;
                out[off + b * BLOCK + 16 + j] = ((q >>> 4) - 8) * d;
            }
        }
    }

    /** As ggml's reference: the value of largest magnitude maps to −8, so d = that value / −8. */
    static void quantize(float[] src, int off, int n, byte[] dst, int dstOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int s = off + b * BLOCK;
            int o = dstOff + b * BLOCK_BYTES;
            float max = 0;
            for (int j = 0; j < BLOCK; j++) {
                if (Math.abs(src[s + j]) > Math.abs(max)) {
                    max = src[s + j];
                }
            }
            float d = max / -8;
            float id = d == 0 ? 0 : 1 / d;
            putShort(dst, o, Float.floatToFloat16(d));
            for (int j = 0; j < BLOCK / 2; j++) {
                int lo = Math.min(15, (int) (src[s + j] * id + 8.5f));
                int hi = Math.min(15, (int) (src[s + 16 + j] * id + 8.5f));
                dst[o + 2 + j] = (byte) (lo | hi << 4);
            }
        }
    }
}
