package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgufTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Types stored one value at a time (F32, F16, BF16): rows of any length, so kernels run whole vectors and finish the
 * columns past the last full vector one by one.
 */
abstract sealed class ElementwiseTensor extends WeightTensor permits F32Tensor, F16Tensor, BF16Tensor {

    ElementwiseTensor(GgufTensor t) {
        super(t);
    }

    /** Element {@code i} of the row starting at byte {@code base}. */
    abstract float element(long base, int i);

    /** The {@link #L} values starting at element {@code i} of the row starting at byte {@code base}. */
    abstract FloatVector vector(long base, int i);

    @Override
    public final float dot(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(cols); i < end; i += L) {
            acc = vector(base, i).fma(x(x, xOff + i), acc);
        }
        float sum = sum(acc);
        for (; i < cols; i++) {
            sum += element(base, i) * x[xOff + i];
        }
        return sum;
    }

    @Override
    final void dotTile(int row, float[] x, int xOff, float[] out, int outOff, int outStride) {
        long base = row * rowBytes;
        int x1 = xOff + cols, x2 = x1 + cols, x3 = x2 + cols;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int end = F.loopBound(cols); i < end; i += L) {
            FloatVector w = vector(base, i);
            a0 = w.fma(x(x, xOff + i), a0);
            a1 = w.fma(x(x, x1 + i), a1);
            a2 = w.fma(x(x, x2 + i), a2);
            a3 = w.fma(x(x, x3 + i), a3);
        }
        float s0 = sum(a0), s1 = sum(a1);
        float s2 = sum(a2), s3 = sum(a3);
        for (; i < cols; i++) {
            float w = element(base, i);
            s0 += w * x[xOff + i];
            s1 += w * x[x1 + i];
            s2 += w * x[x2 + i];
            s3 += w * x[x3 + i];
        }
        out[outOff] = s0;
        out[outOff + outStride] = s1;
        out[outOff + 2 * outStride] = s2;
        out[outOff + 3 * outStride] = s3;
    }

    @Override
    public final void dequantizeRow(int row, float[] out, int off) {
        long base = row * rowBytes;
        for (int i = 0; i < cols; i++) {
            out[off + i] = element(base, i);
        }
    }
}
