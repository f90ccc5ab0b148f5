package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgufTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.util.Arrays;

/**
 * ggml Q4_K: super-blocks of 256 values in 8 sub-blocks of 32. Layout: f16 {@code d}, f16 {@code dmin}, 12 bytes of
 * 6-bit sub-block scales and mins, 128 bytes of nibbles. Each 32-byte group {@code g} of nibbles holds sub-block
 * {@code 2g} in its low nibbles and {@code 2g+1} in its high nibbles; value = d·scale·q − dmin·min.
 */
final class Q4_KTensor extends WeightTensor {
    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 144;

    Q4_KTensor(GgufTensor t) {
        super(t);
    }

    /**
     * Decodes the 8 sub-block scales and mins of the super-block at {@code off} into {@code scales} and {@code mins},
     * from its 12 scale bytes read as two loads. Sub-blocks 0-3 keep theirs in the low 6 bits of bytes j and j+4;
     * sub-blocks 4-7 split theirs between the nibbles of byte j+4 and the top 2 bits of bytes j-4 and j. One call per
     * super-block, so the vector loops stay small enough for C2 to inline everything in them.
     */
    private void scalesAndMins(long off, int[] scales, int[] mins) {
        long lo = data.get(LONG_LE, off + 4);
        int hi = data.get(INT_LE, off + 12);
        for (int j = 0; j < 4; j++) {
            scales[j] = (int) (lo >>> 8 * j) & 63;
            mins[j] = (int) (lo >>> 8 * (j + 4)) & 63;
            int packed = hi >>> 8 * j & 0xFF;
            scales[j + 4] = packed & 0xF | ((int) (lo >>> 8 * j) & 0xC0) >>> 2;
            mins[j + 4] = packed >>> 4 | ((int) (lo >>> 8 * (j + 4)) & 0xC0) >>> 2;
        }
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        return dot(row, x, xOff, subBlockSums(x, xOff));
    }

    @Override
    void matvec(float[] x, float[] out, int from, int to) {
        float[] sums = subBlockSums(x, 0);
        for (int r = from; r < to; r++) {
            out[r] = dot(r, x, 0, sums);
        }
    }

    /**
     * The sum of x over every 32-value sub-block. A sub-block contributes d·scale·Σq·x − dmin·min·Σx, and Σx is the
     * same for every row: computed once per product, it leaves one multiply-add per weight.
     */
    private float[] subBlockSums(float[] x, int xOff) {
        float[] sums = new float[cols / 32];
        for (int s = 0; s < sums.length; s++) {
            FloatVector acc = FloatVector.zero(F);
            for (int c = 0; c < 32; c += L) {
                acc = acc.add(x(x, xOff + 32 * s + c));
            }
            sums[s] = acc.reduceLanes(VectorOperators.ADD);
        }
        return sums;
    }

    private float dot(int row, float[] x, int xOff, float[] sums) {
        long base = row * rowBytes;
        int[] scales = new int[8], mins = new int[8];
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        float minTotal = 0;
        for (int b = 0, blocks = cols / BLOCK; b < blocks; b++) {
            long off = base + (long) b * BLOCK_BYTES;
            float d = f16(off), dmin = f16(off + 2);
            scalesAndMins(off, scales, mins);
            float blockMins = 0;
            for (int g = 0; g < 4; g++) {
                long qs = off + 16 + 32L * g;
                int xb = xOff + b * BLOCK + 64 * g;
                // per lane parity and nibble half: independent FMA chains
                FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
                for (int c = 0; c < 32; c += 2 * L) {
                    IntVector q = ints(qs + c);
                    s0 = toFloats(q.and(0xF)).fma(x(x, xb + c), s0);
                    s1 = toFloats(q.lanewise(VectorOperators.ASHR, 4).and(0xF)).fma(x(x, xb + 32 + c), s1);
                    q = ints(qs + c + L);
                    s2 = toFloats(q.and(0xF)).fma(x(x, xb + c + L), s2);
                    s3 = toFloats(q.lanewise(VectorOperators.ASHR, 4).and(0xF)).fma(x(x, xb + 32 + c + L), s3);
                }
                a0 = s0.add(s2).fma(FloatVector.broadcast(F, d * scales[2 * g]), a0);
                a1 = s1.add(s3).fma(FloatVector.broadcast(F, d * scales[2 * g + 1]), a1);
                int sub = b * 8 + 2 * g;
                blockMins += mins[2 * g] * sums[sub] + mins[2 * g + 1] * sums[sub + 1];
            }
            minTotal += dmin * blockMins;
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD) - minTotal;
    }

    @Override
    void dotTile(int row, float[] x, int xOff, float[] out, int outOff, int outStride) {
        long base = row * rowBytes;
        int[] scales = new int[8], mins = new int[8];
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0, blocks = cols / BLOCK; b < blocks; b++) {
            long off = base + (long) b * BLOCK_BYTES;
            float d = f16(off), dmin = f16(off + 2);
            scalesAndMins(off, scales, mins);
            for (int g = 0; g < 4; g++) {
                FloatVector d1 = FloatVector.broadcast(F, d * scales[2 * g]);
                FloatVector m1 = FloatVector.broadcast(F, -dmin * mins[2 * g]);
                FloatVector d2 = FloatVector.broadcast(F, d * scales[2 * g + 1]);
                FloatVector m2 = FloatVector.broadcast(F, -dmin * mins[2 * g + 1]);
                long qs = off + 16 + 32L * g;
                int x0 = xOff + b * BLOCK + 64 * g, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
                for (int c = 0; c < 32; c += L) {
                    IntVector q = ints(qs + c);
                    FloatVector w = toFloats(q.and(0xF)).fma(d1, m1);
                    a0 = w.fma(x(x, x0 + c), a0);
                    a1 = w.fma(x(x, x1 + c), a1);
                    a2 = w.fma(x(x, x2 + c), a2);
                    a3 = w.fma(x(x, x3 + c), a3);
                    w = toFloats(q.lanewise(VectorOperators.ASHR, 4).and(0xF)).fma(d2, m2);
                    a0 = w.fma(x(x, x0 + 32 + c), a0);
                    a1 = w.fma(x(x, x1 + 32 + c), a1);
                    a2 = w.fma(x(x, x2 + 32 + c), a2);
                    a3 = w.fma(x(x, x3 + 32 + c), a3);
                }
            }
        }
        out[outOff] = a0.reduceLanes(VectorOperators.ADD);
        out[outOff + outStride] = a1.reduceLanes(VectorOperators.ADD);
        out[outOff + 2 * outStride] = a2.reduceLanes(VectorOperators.ADD);
        out[outOff + 3 * outStride] = a3.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long base = row * rowBytes;
        int[] scales = new int[8], mins = new int[8];
        for (int b = 0, blocks = cols / BLOCK; b < blocks; b++) {
            long blockOff = base + (long) b * BLOCK_BYTES;
            float d = f16(blockOff), dmin = f16(blockOff + 2);
            scalesAndMins(blockOff, scales, mins);
            for (int g = 0; g < 4; g++) {
                int y = off + b * BLOCK + 64 * g;
                for (int l = 0; l < 32; l++) {
                    int q = u8(blockOff + 16 + 32L * g + l);
                    out[y + l] = d * scales[2 * g] * (q & 0xF) - dmin * mins[2 * g];
                    out[y + 32 + l] = d * scales[2 * g + 1] * (q >>> 4) - dmin * mins[2 * g + 1];
                }
            }
        }
    }

    /**
     * Reference quantizer (not ggml's iterative search): per sub-block, scale = (max − min) / 15 and min = −min(x, 0);
     * scales and mins are then quantized to 6 bits against d = max scale / 63 and dmin = max min / 63.
     */
    static void quantize(float[] src, int off, int n, byte[] dst, int dstOff) {
        float[] scales = new float[8];
        float[] mins = new float[8];
        int[] q = new int[BLOCK];
        for (int b = 0; b < n / BLOCK; b++) {
            int s = off + b * BLOCK;
            int o = dstOff + b * BLOCK_BYTES;
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < 8; j++) {
                float lo = 0, hi = -Float.MAX_VALUE;
                for (int l = 0; l < 32; l++) {
                    lo = Math.min(lo, src[s + 32 * j + l]);
                    hi = Math.max(hi, src[s + 32 * j + l]);
                }
                scales[j] = (hi - lo) / 15;
                mins[j] = -lo;
                maxScale = Math.max(maxScale, scales[j]);
                maxMin = Math.max(maxMin, mins[j]);
            }
            short dBits = Float.floatToFloat16(maxScale / 63), dminBits = Float.floatToFloat16(maxMin / 63);
            float d = Float.float16ToFloat(dBits), dmin = Float.float16ToFloat(dminBits);
            putShort(dst, o, dBits);
            putShort(dst, o + 2, dminBits);
            Arrays.fill(dst, o + 4, o + 16, (byte) 0);
            for (int j = 0; j < 8; j++) {
                int sc = d == 0 ? 0 : Math.min(63, Math.round(scales[j] / d));
                int m = dmin == 0 ? 0 : Math.min(63, Math.round(mins[j] / dmin));
                if (j < 4) {
                    dst[o + 4 + j] |= (byte) sc;
                    dst[o + 4 + j + 4] |= (byte) m;
                } else {
                    dst[o + 4 + j + 4] = (byte) ((sc & 0xF) | (m & 0xF) << 4);
                    dst[o + 4 + j - 4] |= (byte) ((sc >>> 4) << 6);
                    dst[o + 4 + j] |= (byte) ((m >>> 4) << 6);
                }
                float scale = d * sc, min = dmin * m;
                for (int l = 0; l < 32; l++) {
                    q[32 * j + l] = scale == 0 ? 0
                            : Math.clamp(Math.round((src[s + 32 * j + l] + min) / scale), 0, 15);
                }
            }
            for (int g = 0; g < 4; g++) {
                for (int l = 0; l < 32; l++) {
                    dst[o + 16 + 32 * g + l] = (byte) (q[64 * g + l] | q[64 * g + 32 + l] << 4);
                }
            }
        }
    }
}
