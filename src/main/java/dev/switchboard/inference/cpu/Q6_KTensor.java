package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgufTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ggml Q6_K: super-blocks of 256 values, 16 sub-blocks of 16 each with a signed 8-bit scale. Layout: 128 bytes
 * {@code ql} (low 4 bits), 64 bytes {@code qh} (high 2 bits), 16 scales, f16 {@code d}. Each half of 128 values uses
 * 64 bytes of ql and 32 of qh: for l in 0..31, values l, l+32, l+64, l+96 take ql[l] low, ql[l+32] low, ql[l] high,
 * ql[l+32] high nibbles and bits 0-1, 2-3, 4-5, 6-7 of qh[l]; value = d·scale·(q − 32).
 */
final class Q6_KTensor extends WeightTensor {
    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 210;
    /**
     * A repacked super-block: its 16 sub-block scales as floats (d·scale, decoded once at load), then {@code ql}
     * (128 bytes) and {@code qh} (64 bytes) as ggml stores them, 64-byte aligned. Blocks of {@link #ROW_TILE} rows lie
     * interleaved (tile, super-block, row in tile) like {@link Q4_KTensor}'s.
     */
    static final int PACKED = 256;
    private static final int QL = 64, QH = 192;

    private final int blocks;

    Q6_KTensor(GgufTensor t) {
        super(t, BLOCK, BLOCK_BYTES, PACKED, Q6_KTensor::repackBlock);
        this.blocks = cols / BLOCK;
    }

    private static void repackBlock(MemorySegment src, long in, MemorySegment dst, long out) {
        float d = Float.float16ToFloat(src.get(SHORT_LE, in + 208));
        for (int j = 0; j < 16; j++) {
            dst.set(FLOAT_LE, out + 4L * j, d * src.get(ValueLayout.JAVA_BYTE, in + 192 + j));
        }
        MemorySegment.copy(src, in, dst, out + QL, 192);
    }

    private static long packed(int r, int b, int blocks) {
        return packed(r, b, blocks, PACKED);
    }

    private float scale(long block, int sub) {
        return data.get(FLOAT_LE, block + 4L * sub);
    }

    /**
     * 6-bit quants as unsigned ints 0..63: the nibble of {@code nibbles} at {@code nibbleShift} (0 or 4) with the
     * two bits of {@code h} at {@code hShift} on top. Vectors are passed in, never chosen by a branch, so they stay
     * in registers.
     */
    private static IntVector quants(IntVector nibbles, int nibbleShift, IntVector h, int hShift) {
        IntVector top = h.lanewise(VectorOperators.LSHR, hShift).and(3).lanewise(VectorOperators.LSHL, 4);
        return nibbles.lanewise(VectorOperators.LSHR, nibbleShift).and(0xF).or(top);
    }

    /**
     * One row, each weight dequantized and multiplied. A 4-row tile with shared activation loads measured 3x slower
     * here: the four parts of a 6-bit unpack per row exceed what C2 keeps in registers.
     */
    @Override
    public float dot(int row, float[] x, int xOff) {
        ensureRepacked();
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            long blk = packed(row, b, blocks);
            for (int half = 0; half < 2; half++) {
                sum += halfDot(blk, half, x, xOff + b * BLOCK + 128 * half);
            }
        }
        return sum;
    }

    /**
     * One half super-block (128 values), part by part in a loop, returning a plain float: with the four parts
     * written out, the vector code exceeds C2's inlining node budget and vectors get boxed (10x slower).
     */
    private float halfDot(long blk, int half, float[] x, int xb) {
        long ql = blk + QL + 64L * half, qh = blk + QH + 32L * half;
        FloatVector a0 = FloatVector.zero(F);
        for (int part = 0; part < 4; part++) {
            long nibbles = ql + 32 * (part % 2);
            int shift = part < 2 ? 0 : 4;
            for (int l = 0; l < 32; l += L) {
                a0 = toFloats(quants(uints(nibbles + l), shift, uints(qh + l), 2 * part).sub(32))
                        .mul(scale(blk, 8 * half + l / 16 + 2 * part)).fma(x(x, xb + 32 * part + l), a0);
            }
        }
        return sum(a0);
    }

    @Override
    void dotTile(int row, float[] x, int xOff, float[] out, int outOff, int outStride) {
        ensureRepacked();
        for (int t = 0; t < TILE; t++) {
            out[outOff + t * outStride] = 0;
        }
        for (int b = 0; b < blocks; b++) {
            long blk = packed(row, b, blocks);
            for (int half = 0; half < 2; half++) {
                halfTile(blk, half, x, xOff + b * BLOCK + 128 * half, out, outOff, outStride);
            }
        }
    }

    /** Adds one half super-block's products with the {@link #TILE} token vectors to {@code out}. */
    private void halfTile(long blk, int half, float[] x, int x0, float[] out, int outOff, int outStride) {
        long ql = blk + QL + 64L * half, qh = blk + QH + 32L * half;
        int x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int l = 0; l < 32; l += L) {
            IntVector lo = uints(ql + l), hi = uints(ql + 32 + l), h = uints(qh + l);
            int sub = 8 * half + l / 16;
            for (int part = 0; part < 4; part++) {
                FloatVector w = toFloats(quants(part % 2 == 0 ? lo : hi, part < 2 ? 0 : 4, h, 2 * part).sub(32))
                        .mul(scale(blk, sub + 2 * part));
                int e = 32 * part + l;
                a0 = w.fma(x(x, x0 + e), a0);
                a1 = w.fma(x(x, x1 + e), a1);
                a2 = w.fma(x(x, x2 + e), a2);
                a3 = w.fma(x(x, x3 + e), a3);
            }
        }
        out[outOff] += sum(a0);
        out[outOff + outStride] += sum(a1);
        out[outOff + 2 * outStride] += sum(a2);
        out[outOff + 3 * outStride] += sum(a3);
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        MemorySegment src = repackedRow(row);
        for (int b = 0; b < blocks; b++) {
            long blk = (long) b * PACKED;
            for (int half = 0; half < 2; half++) {
                long ql = blk + QL + 64L * half, qh = blk + QH + 32L * half;
                int y = off + b * BLOCK + 128 * half, sub = 8 * half;
                for (int l = 0; l < 32; l++) {
                    int lo = byteAt(src, ql + l), hi = byteAt(src, ql + 32 + l), h = byteAt(src, qh + l);
                    long is = blk + 4L * (sub + l / 16);
                    out[y + l] = src.get(FLOAT_LE, is) * (((lo & 0xF) | (h & 3) << 4) - 32);
                    out[y + 32 + l] = src.get(FLOAT_LE, is + 8) * (((hi & 0xF) | (h >>> 2 & 3) << 4) - 32);
                    out[y + 64 + l] = src.get(FLOAT_LE, is + 16) * (((lo >>> 4) | (h >>> 4 & 3) << 4) - 32);
                    out[y + 96 + l] = src.get(FLOAT_LE, is + 24) * (((hi >>> 4) | (h >>> 6) << 4) - 32);
                }
            }
        }
    }

    private static int byteAt(MemorySegment m, long offset) {
        return m.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    /**
     * Reference quantizer: per sub-block of 16, as ggml's, the value of largest magnitude maps to −32 (the end of the
     * −32..31 range with the extra level), so half the scales come out negative, as in real files; scales quantized to
     * signed 8 bits against d = largest |scale| / 127.
     */
    static void quantize(float[] src, int off, int n, byte[] dst, int dstOff) {
        float[] scales = new float[16];
        int[] u = new int[BLOCK];
        for (int b = 0; b < n / BLOCK; b++) {
            int s = off + b * BLOCK;
            int o = dstOff + b * BLOCK_BYTES;
            float maxScale = 0;
            for (int j = 0; j < 16; j++) {
                float extreme = 0;
                for (int l = 0; l < 16; l++) {
                    float v = src[s + 16 * j + l];
                    if (Math.abs(v) > Math.abs(extreme)) {
                        extreme = v;
                    }
                }
                scales[j] = -extreme / 32;
                maxScale = Math.max(maxScale, Math.abs(scales[j]));
            }
            short dBits = Float.floatToFloat16(maxScale / 127);
            float d = Float.float16ToFloat(dBits);
            putShort(dst, o + 208, dBits);
            for (int j = 0; j < 16; j++) {
                int sc = d == 0 ? 0 : Math.clamp(Math.round(scales[j] / d), -127, 127);
                dst[o + 192 + j] = (byte) sc;
                float scale = d * sc;
                for (int l = 0; l < 16; l++) {
                    int q = scale == 0 ? 0 : Math.clamp(Math.round(src[s + 16 * j + l] / scale), -32, 31);
                    u[16 * j + l] = q + 32;
                }
            }
            for (int half = 0; half < 2; half++) {
                int y = 128 * half;
                for (int l = 0; l < 32; l++) {
                    int q1 = u[y + l], q2 = u[y + 32 + l], q3 = u[y + 64 + l], q4 = u[y + 96 + l];
                    dst[o + 64 * half + l] = (byte) ((q1 & 0xF) | (q3 & 0xF) << 4);
                    dst[o + 64 * half + 32 + l] = (byte) ((q2 & 0xF) | (q4 & 0xF) << 4);
                    dst[o + 128 + 32 * half + l] = (byte) ((q1 >>> 4) | (q2 >>> 4) << 2 | (q3 >>> 4) << 4 | (q4 >>> 4) << 6);
                }
            }
        }
    }
}
