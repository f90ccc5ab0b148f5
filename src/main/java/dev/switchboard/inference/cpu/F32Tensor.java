package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgufTensor;
import jdk.incubator.vector.FloatVector;

/** Plain 32-bit floats. */
final class F32Tensor extends ElementwiseTensor {

    F32Tensor(GgufTensor t) {
        super(t);
    }

    @Override
    float element(long base, int i) {
        return data.get(FLOAT_LE, base + 4L * i);
    }

    @Override
    FloatVector vector(long base, int i) {
        return FloatVector.fromMemorySegment(F, data, base + 4L * i, LE);
    }

    static void quantize(float[] src, int off, int n, byte[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToRawIntBits(src[off + i]);
            putShort(dst, dstOff + 4 * i, (short) bits);
            putShort(dst, dstOff + 4 * i + 2, (short) (bits >>> 16));
        }
    }
}
