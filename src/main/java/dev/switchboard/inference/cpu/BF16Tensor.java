package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgufTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** bfloat16: the top 16 bits of a float. */
final class BF16Tensor extends ElementwiseTensor {
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    BF16Tensor(GgufTensor t) {
        super(t);
    }

    @Override
    float element(long base, int i) {
        return Float.intBitsToFloat(data.get(SHORT_LE, base + 2L * i) << 16);
    }

    @Override
    FloatVector vector(long base, int i) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, data, base + 2L * i, LE)
                .convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** Rounds to nearest, ties to even, as ggml's converter does. */
    static void quantize(float[] src, int off, int n, byte[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToRawIntBits(src[off + i]);
            int rounded = Float.isNaN(src[off + i]) ? (bits >>> 16) | 0x40 : (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
            putShort(dst, dstOff + 2 * i, (short) rounded);
        }
    }
}
