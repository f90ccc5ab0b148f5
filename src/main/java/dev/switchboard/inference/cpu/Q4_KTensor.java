package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgufTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * ggml Q4_K: super-blocks of 256 values in 8 sub-blocks of 32. Layout: f16 {@code d}, f16 {@code dmin}, 12 bytes of
 * 6-bit sub-block scales and mins, 128 bytes of nibbles. Each 32-byte group {@code g} of nibbles holds sub-block
 * {@code 2g} in its low nibbles and {@code 2g+1} in its high nibbles; value = d·scale·q − dmin·min.
 */
final class Q4_KTensor extends WeightTensor {
    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 144;
    /**
     * A repacked super-block: 8 floats d·scale, 8 floats dmin·min, then the 128 nibble bytes as ggml stores them.
     * The blocks of {@link #ROW_TILE} rows lie interleaved (tile, super-block, row in tile), 64-byte aligned, so a tile
     * streams from one address range and no scale is decoded per product.
     */
    static final int PACKED = 192;
    private static final int MINS = 32, QS = 64;

    private static final ThreadLocal<float[]> ACC = ThreadLocal.withInitial(() -> new float[(L + 8) * ROW_TILE]);

    private final int blocks;

    Q4_KTensor(GgufTensor t) {
        super(t, BLOCK, BLOCK_BYTES, PACKED, Q4_KTensor::repackBlock);
        this.blocks = cols / BLOCK;
    }

    /**
     * One ggml super-block into the repacked layout, without allocating (a load rewrites millions). Its 12 scale
     * bytes hold 8 six-bit scales and 8 mins: sub-blocks 0-3 keep theirs in the low 6 bits of bytes j and j+4;
     * sub-blocks 4-7 split theirs between the nibbles of byte j+4 and the top 2 bits of bytes j-4 and j.
     */
    private static void repackBlock(MemorySegment src, long in, MemorySegment dst, long out) {
        float d = Float.float16ToFloat(src.get(SHORT_LE, in)), dmin = Float.float16ToFloat(src.get(SHORT_LE, in + 2));
        long lo = src.get(LONG_LE, in + 4);
        int hi = src.get(INT_LE, in + 12);
        for (int j = 0; j < 4; j++) {
            int s = (int) (lo >>> 8 * j), m = (int) (lo >>> 8 * (j + 4)), packed = hi >>> 8 * j & 0xFF;
            dst.set(FLOAT_LE, out + 4L * j, d * (s & 63));
            dst.set(FLOAT_LE, out + MINS + 4L * j, dmin * (m & 63));
            dst.set(FLOAT_LE, out + 4L * (j + 4), d * (packed & 0xF | (s & 0xC0) >>> 2));
            dst.set(FLOAT_LE, out + MINS + 4L * (j + 4), dmin * (packed >>> 4 | (m & 0xC0) >>> 2));
        }
        MemorySegment.copy(src, in + 16, dst, out + QS, 128);
    }

    private static long packed(int r, int b, int blocks) {
        return packed(r, b, blocks, PACKED);
    }

    private float scale(long block, int sub) {
        return data.get(FLOAT_LE, block + 4L * sub);
    }

    /** One row: each weight dequantized (d·scale·q − dmin·min) and multiplied; for the rows outside whole tiles. */
    @Override
    public float dot(int row, float[] x, int xOff) {
        ensureRepacked();
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int b = 0; b < blocks; b++) {
            long blk = packed(row, b, blocks);
            for (int g = 0; g < 4; g++) {
                FloatVector d1 = FloatVector.broadcast(F, scale(blk, 2 * g)), m1 = FloatVector.broadcast(F, -scale(blk, 8 + 2 * g));
                FloatVector d2 = FloatVector.broadcast(F, scale(blk, 2 * g + 1)), m2 = FloatVector.broadcast(F, -scale(blk, 9 + 2 * g));
                int xb = xOff + b * BLOCK + 64 * g;
                for (int c = 0; c < 32; c += L) {
                    IntVector q = uints(blk + QS + 32L * g + c);
                    a0 = toFloats(q.and(0xF)).fma(d1, m1).fma(x(x, xb + c), a0);
                    a1 = toFloats(q.lanewise(VectorOperators.LSHR, 4)).fma(d2, m2).fma(x(x, xb + 32 + c), a1);
                }
            }
        }
        return sum(a0.add(a1));
    }

    /**
     * Whole tiles of {@link #ROW_TILE} rows share every activation load; each row keeps its own accumulator. Per
     * 32-value sub-block a row costs Σq·x in registers and one multiply-add by its float scale; the mins term
     * dmin·min·Σx uses sums of x computed once per product.
     */
    @Override
    void matvec(float[] x, float[] out, int from, int to) {
        ensureRepacked();
        int first = Math.min(to, (from + ROW_TILE - 1) / ROW_TILE * ROW_TILE), last = Math.max(first, to / ROW_TILE * ROW_TILE);
        for (int r = from; r < first; r++) {
            out[r] = dot(r, x, 0);
        }
        if (first < last) {
            float[] sums = groupSums(x, 0, 32, cols / 32);
            float[] acc = ACC.get();
            for (int r = first; r < last; r += ROW_TILE) {
                tile(r, x, sums, acc, out);
            }
        }
        for (int r = last; r < to; r++) {
            out[r] = dot(r, x, 0);
        }
    }

    /**
     * One tile. The rows' accumulators live in a scratch array and the row loop sits inside the sub-block loop: the
     * activations are loaded once per sub-block pair for all rows, and the code stays small enough for C2 to keep
     * every vector in a register (written out four times, or through a helper C2 compiled alone, vectors get boxed).
     */
    private void tile(int r0, float[] x, float[] sums, float[] acc, float[] out) {
        for (int i = 0; i < (L + 8) * ROW_TILE; i++) {
            acc[i] = 0;
        }
        int mOff = L * ROW_TILE;
        for (int b = 0; b < blocks; b++) {
            long blk = packed(r0, b, blocks);
            FloatVector s = FloatVector.fromArray(F8, sums, 8 * b);
            for (int i = 0; i < ROW_TILE; i++) {
                FloatVector.fromMemorySegment(F8, data, blk + i * PACKED + MINS, LE)
                        .fma(s, FloatVector.fromArray(F8, acc, mOff + 8 * i)).intoArray(acc, mOff + 8 * i);
            }
            for (int g = 0; g < 4; g++) {
                int xb = b * BLOCK + 64 * g;
                FloatVector xa = x(x, xb), xc = x(x, xb + L), xe = x(x, xb + 32), xf = x(x, xb + 32 + L);
                for (int i = 0; i < ROW_TILE; i++) {
                    long rb = blk + i * PACKED, qs = rb + QS + 32L * g;
                    FloatVector lo, hi;
                    if (L == 16) {
                        IntVector q0 = uints(qs), q1 = uints(qs + 16);
                        lo = toFloats(q0.and(0xF)).fma(xa, toFloats(q1.and(0xF)).mul(xc));
                        hi = toFloats(q0.lanewise(VectorOperators.LSHR, 4)).fma(xe, toFloats(q1.lanewise(VectorOperators.LSHR, 4)).mul(xf));
                    } else { // 8 lanes: a sub-block is four vectors
                        IntVector q0 = uints(qs), q1 = uints(qs + 8), q2 = uints(qs + 16), q3 = uints(qs + 24);
                        lo = toFloats(q0.and(0xF)).fma(xa, toFloats(q1.and(0xF)).mul(xc))
                                .add(toFloats(q2.and(0xF)).fma(x(x, xb + 16), toFloats(q3.and(0xF)).mul(x(x, xb + 24))));
                        hi = toFloats(q0.lanewise(VectorOperators.LSHR, 4)).fma(xe, toFloats(q1.lanewise(VectorOperators.LSHR, 4)).mul(xf))
                                .add(toFloats(q2.lanewise(VectorOperators.LSHR, 4)).fma(x(x, xb + 48), toFloats(q3.lanewise(VectorOperators.LSHR, 4)).mul(x(x, xb + 56))));
                    }
                    hi.fma(FloatVector.broadcast(F, scale(rb, 2 * g + 1)),
                                    lo.fma(FloatVector.broadcast(F, scale(rb, 2 * g)), FloatVector.fromArray(F, acc, L * i)))
                            .intoArray(acc, L * i);
                }
            }
        }
        for (int i = 0; i < ROW_TILE; i++) {
            // the eight mins' lanes summed as a vector tree would, in scalars: vector calls this late in so large a
            // method were not inlined, and boxed their vectors (2 MB per step of a 4-layer test model)
            int m = mOff + 8 * i;
            float mins = ((acc[m] + acc[m + 4]) + (acc[m + 2] + acc[m + 6]))
                    + ((acc[m + 1] + acc[m + 5]) + (acc[m + 3] + acc[m + 7]));
            out[r0 + i] = sum(FloatVector.fromArray(F, acc, L * i)) - mins;
        }
    }

    @Override
    void dotTile(int row, float[] x, int xOff, float[] out, int outOff, int outStride) {
        ensureRepacked();
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            long blk = packed(row, b, blocks);
            for (int g = 0; g < 4; g++) {
                FloatVector d1 = FloatVector.broadcast(F, scale(blk, 2 * g)), m1 = FloatVector.broadcast(F, -scale(blk, 8 + 2 * g));
                FloatVector d2 = FloatVector.broadcast(F, scale(blk, 2 * g + 1)), m2 = FloatVector.broadcast(F, -scale(blk, 9 + 2 * g));
                long qs = blk + QS + 32L * g;
                int x0 = xOff + b * BLOCK + 64 * g, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
                for (int c = 0; c < 32; c += L) {
                    IntVector q = uints(qs + c);
                    FloatVector w = toFloats(q.and(0xF)).fma(d1, m1);
                    a0 = w.fma(x(x, x0 + c), a0);
                    a1 = w.fma(x(x, x1 + c), a1);
                    a2 = w.fma(x(x, x2 + c), a2);
                    a3 = w.fma(x(x, x3 + c), a3);
                    w = toFloats(q.lanewise(VectorOperators.LSHR, 4)).fma(d2, m2);
                    a0 = w.fma(x(x, x0 + 32 + c), a0);
                    a1 = w.fma(x(x, x1 + 32 + c), a1);
                    a2 = w.fma(x(x, x2 + 32 + c), a2);
                    a3 = w.fma(x(x, x3 + 32 + c), a3);
                }
            }
        }
        out[outOff] = sum(a0);
        out[outOff + outStride] = sum(a1);
        out[outOff + 2 * outStride] = sum(a2);
        out[outOff + 3 * outStride] = sum(a3);
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        MemorySegment src = repackedRow(row);
        for (int b = 0; b < blocks; b++) {
            long blk = (long) b * PACKED;
            for (int g = 0; g < 4; g++) {
                int y = off + b * BLOCK + 64 * g;
                float d1 = src.get(FLOAT_LE, blk + 8L * g), d2 = src.get(FLOAT_LE, blk + 8L * g + 4);
                float m1 = src.get(FLOAT_LE, blk + MINS + 8L * g), m2 = src.get(FLOAT_LE, blk + MINS + 8L * g + 4);
                for (int l = 0; l < 32; l++) {
                    int q = src.get(ValueLayout.JAVA_BYTE, blk + QS + 32L * g + l) & 0xFF;
                    out[y + l] = d1 * (q & 0xF) - m1;
                    out[y + 32 + l] = d2 * (q >>> 4) - m2;
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
