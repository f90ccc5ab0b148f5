package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgufTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** IEEE half-precision floats. */
final class F16Tensor extends ElementwiseTensor {
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** 2^112: moves a half's exponent (bias 15), placed in a float's exponent field (bias 127), to its value. */
    private static final float EXP_ADJUST = 0x1p112f;

    F16Tensor(GgufTensor t) {
        super(t);
    }

    @Override
    float element(long base, int i) {
        return f16(base + 2L * i);
    }

    /**
     * The Vector API has no half-to-float conversion, so it is done on the bits: exponent and mantissa shifted into
     * float position and rescaled by one multiply (exact for normal and subnormal halves; weights hold no inf/NaN),
     * then the sign put back.
     */
    @Override
    FloatVector vector(long base, int i) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, data, base + 2L * i, LE)
                .convertShape(VectorOperators.S2I, I, 0);
        FloatVector magnitude = h.and(0x7fff).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(EXP_ADJUST);
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        return magnitude.reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    static void quantize(float[] src, int off, int n, byte[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            putShort(dst, dstOff + 2 * i, Float.floatToFloat16(src[off + i]));
        }
    }
}
