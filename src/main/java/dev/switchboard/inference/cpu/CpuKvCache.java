package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.model.KvType;
import dev.switchboard.inference.model.PagedKvCache;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Keys and values off-heap, per layer: slot {@code s = block * blockSize + position % blockSize} holds one
 * position's {@code kvDim} values, so a block is a contiguous run of positions. Values are stored as float32,
 * bfloat16 or ggml Q8_0 blocks (32 int8 with an f16 scale, so a head of 128 takes 136 bytes); attention reads them
 * through {@link #dot} and {@link #axpy}, which widen to float32 in registers.
 */
final class CpuKvCache extends PagedKvCache {
    private static final VectorSpecies<Float> F = WeightTensor.F;
    private static final VectorSpecies<Integer> I = WeightTensor.I;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int Q8_BLOCK = 32, Q8_BLOCK_BYTES = 34;

    private final Arena arena = Arena.ofShared();
    private final int kvDim;
    private final int headSize;
    private final KvType type;
    private final long slotBytes;
    /** Bytes of one head's values inside a slot. */
    private final long headBytes;
    final MemorySegment[] keys;
    final MemorySegment[] values;
    private final ThreadLocal<byte[]> packed;

    CpuKvCache(int layers, int kvDim, int headSize, KvType type, int numBlocks, int blockSize) {
        super(numBlocks, blockSize);
        if (type == KvType.Q8 && headSize % Q8_BLOCK != 0) {
            throw new IllegalArgumentException("a q8 KV cache needs a head size that is a multiple of " + Q8_BLOCK
                    + ", this model's is " + headSize + " (use f32 or bf16)");
        }
        this.kvDim = kvDim;
        this.headSize = headSize;
        this.type = type;
        this.slotBytes = type.bytesPerPosition(kvDim, headSize);
        this.headBytes = slotBytes / (kvDim / headSize);
        this.packed = ThreadLocal.withInitial(() -> new byte[(int) slotBytes]);
        long bytes = Math.multiplyExact(Math.multiplyExact((long) numBlocks, blockSize), slotBytes);
        keys = new MemorySegment[layers];
        values = new MemorySegment[layers];
        try {
            for (int l = 0; l < layers; l++) {
                keys[l] = arena.allocate(bytes, 64);
                values[l] = arena.allocate(bytes, 64);
            }
        } catch (OutOfMemoryError e) {
            arena.close();
            throw new IllegalArgumentException("cannot allocate a KV cache of " + numBlocks + " blocks of " + blockSize
                    + " positions (" + 2 * layers * bytes / (1 << 20) + " MiB off-heap)", e);
        }
    }

    /** Byte offset of the slot of {@code position} in physical block {@code block}. */
    long offset(int block, int position) {
        return ((long) block * blockSize() + position % blockSize()) * slotBytes;
    }

    /** Byte offset of KV head {@code head} within a slot. */
    long headOffset(int head) {
        return head * headBytes;
    }

    /** Stores {@code kvDim} values {@code src[srcOff..]} into the slot at byte {@code off} of {@code seg}. */
    void store(MemorySegment seg, long off, float[] src, int srcOff) {
        if (type == KvType.F32) {
            MemorySegment.copy(src, srcOff, seg, ValueLayout.JAVA_FLOAT.withOrder(NATIVE), off, kvDim);
            return;
        }
        byte[] bytes = packed.get();
        WeightTensor.quantize(type == KvType.BF16 ? GgmlType.BF16 : GgmlType.Q8_0, src, srcOff, kvDim, bytes, 0);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, off, bytes.length);
    }

    /** Dot product of {@code a[aOff..aOff+headSize)} with the head stored at byte {@code off} of {@code seg}. */
    float dot(float[] a, int aOff, MemorySegment seg, long off) {
        int n = headSize, L = F.length(), bound = F.loopBound(n);
        FloatVector acc = FloatVector.zero(F);
        float tail = 0;
        switch (type) {
            case F32 -> {
                for (int i = 0; i < bound; i += L) {
                    acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromMemorySegment(F, seg, off + 4L * i, NATIVE), acc);
                }
                for (int i = bound; i < n; i++) {
                    tail += a[aOff + i] * seg.get(FLOAT, off + 4L * i);
                }
            }
            case BF16 -> {
                for (int i = 0; i < bound; i += L) {
                    acc = FloatVector.fromArray(F, a, aOff + i).fma(bf16(seg, off + 2L * i), acc);
                }
                for (int i = bound; i < n; i++) {
                    tail += a[aOff + i] * bf16Scalar(seg, off + 2L * i);
                }
            }
            case Q8 -> {
                for (int b = 0; b < n; b += Q8_BLOCK) {
                    long block = off + (long) b / Q8_BLOCK * Q8_BLOCK_BYTES;
                    FloatVector sum = FloatVector.zero(F);
                    for (int j = 0; j < Q8_BLOCK; j += L) {
                        sum = FloatVector.fromArray(F, a, aOff + b + j).fma(q8(seg, block + 2 + j), sum);
                    }
                    acc = sum.fma(FloatVector.broadcast(F, Float.float16ToFloat(seg.get(SHORT, block))), acc);
                }
            }
        }
        return WeightTensor.sum(acc) + tail;
    }

    /** {@code out[outOff + i] += w * head[i]} for the head stored at byte {@code off} of {@code seg}. */
    void axpy(float w, MemorySegment seg, long off, float[] out, int outOff) {
        int n = headSize, L = F.length(), bound = F.loopBound(n);
        FloatVector wv = FloatVector.broadcast(F, w);
        switch (type) {
            case F32 -> {
                for (int i = 0; i < bound; i += L) {
                    FloatVector.fromMemorySegment(F, seg, off + 4L * i, NATIVE)
                            .fma(wv, FloatVector.fromArray(F, out, outOff + i)).intoArray(out, outOff + i);
                }
                for (int i = bound; i < n; i++) {
                    out[outOff + i] += w * seg.get(FLOAT, off + 4L * i);
                }
            }
            case BF16 -> {
                for (int i = 0; i < bound; i += L) {
                    bf16(seg, off + 2L * i).fma(wv, FloatVector.fromArray(F, out, outOff + i)).intoArray(out, outOff + i);
                }
                for (int i = bound; i < n; i++) {
                    out[outOff + i] += w * bf16Scalar(seg, off + 2L * i);
                }
            }
            case Q8 -> {
                for (int b = 0; b < n; b += Q8_BLOCK) {
                    long block = off + (long) b / Q8_BLOCK * Q8_BLOCK_BYTES;
                    FloatVector scaled = wv.mul(Float.float16ToFloat(seg.get(SHORT, block)));
                    for (int j = 0; j < Q8_BLOCK; j += L) {
                        int o = outOff + b + j;
                        q8(seg, block + 2 + j).fma(scaled, FloatVector.fromArray(F, out, o)).intoArray(out, o);
                    }
                }
            }
        }
    }

    private static FloatVector bf16(MemorySegment seg, long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(WeightTensor.S, seg, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static float bf16Scalar(MemorySegment seg, long off) {
        return Float.intBitsToFloat(seg.get(SHORT, off) << 16);
    }

    private static FloatVector q8(MemorySegment seg, long off) {
        return (FloatVector) ByteVector.fromMemorySegment(WeightTensor.B, seg, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2F, F, 0);
    }

    int kvDim() {
        return kvDim;
    }

    int layers() {
        return keys.length;
    }

    KvType type() {
        return type;
    }

    @Override
    public void close() {
        arena.close();
    }
}
