package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgufTensor;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** ggml Q8_0: blocks of 32 values, an f16 scale {@code d} then 32 signed bytes; value = q·d. */
final class Q8_0Tensor extends WeightTensor {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 34;

    Q8_0Tensor(GgufTensor t) {
        super(t);
    }

    private FloatVector quants(long blockOff, int j) {
        return toFloats(ByteVector.fromMemorySegment(B, data, blockOff + 2 + j, LE));
    }

    /** Two accumulator chains: one FMA chain alone would wait on FMA latency instead of using its throughput. */
    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        for (int b = 0, blocks = cols / BLOCK; b < blocks; b++) {
            long off = base + (long) b * BLOCK_BYTES;
            int xb = xOff + b * BLOCK;
            FloatVector s0 = FloatVector.zero(F), s1 = s0;
            for (int j = 0; j < BLOCK; j += 2 * L) {
                s0 = quants(off, j).fma(x(x, xb + j), s0);
                s1 = quants(off, j + L).fma(x(x, xb + j + L), s1);
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
            for (int j = 0; j < BLOCK; j += L) {
                FloatVector w = quants(off, j).mul(d);
                a0 = w.fma(x(x, x0 + j), a0);
                a1 = w.fma(x(x, x1 + j), a1);
                a2 = w.fma(x(x, x2 + j), a2);
                a3 = w.fma(x(x, x3 + j), a3);
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
            for (int j = 0; j < BLOCK; j++) {
                out[off + b * BLOCK + j] = d * s8(blockOff + 2 + j);
            }
        }
    }

    /** Symmetric: {@code d = max|x| / 127}, q = round(x / d). */
    static void quantize(float[] src, int off, int n, byte[] dst, int dstOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int s = off + b * BLOCK;
            int o = dstOff + b * BLOCK_BYTES;
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(src[s + j]));
            }
            float d = amax / 127;
            float id = d == 0 ? 0 : 1 / d;
            putShort(dst, o, Float.floatToFloat16(d));
            for (int j = 0; j < BLOCK; j++) {
                dst[o + 2 + j] = (byte) Math.round(src[s + j] * id);
            }
        }
    }
}
