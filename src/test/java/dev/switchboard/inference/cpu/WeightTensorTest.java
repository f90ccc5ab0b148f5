package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufTensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Each type's vector kernels and quantizer against {@link ScalarDequant}, on row lengths the type allows. */
class WeightTensorTest {

    static Stream<Arguments> shapes() {
        List<Arguments> cases = new ArrayList<>();
        for (GgmlType t : List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16)) {
            for (int cols : new int[]{1, 7, 8, 37, 100, 259}) {
                cases.add(Arguments.of(t, cols));
            }
        }
        for (GgmlType t : List.of(GgmlType.Q8_0, GgmlType.Q4_0)) {
            for (int cols : new int[]{32, 96, 288}) {
                cases.add(Arguments.of(t, cols));
            }
        }
        for (GgmlType t : List.of(GgmlType.Q4_K, GgmlType.Q6_K)) {
            for (int cols : new int[]{256, 768}) {
                cases.add(Arguments.of(t, cols));
            }
        }
        return cases.stream();
    }

    private static final int ROWS = 11;

    private static float[] values(int n, long seed) {
        return TestModels.uniform(n, -1, 1, new SplittableRandom(seed));
    }

    private static GgufTensor tensor(GgmlType type, int cols, float[] weights) {
        return new GgufTensor("w", new long[]{cols, ROWS}, type, MemorySegment.ofArray(WeightTensor.quantize(type, weights)));
    }

    @ParameterizedTest(name = "{0} cols={1}")
    @MethodSource("shapes")
    void dequantizeRowMatchesTheScalarLayout(GgmlType type, int cols) {
        GgufTensor t = tensor(type, cols, values(cols * ROWS, 1));
        WeightTensor w = WeightTensor.wrap(t);
        float[] out = new float[cols + 3];
        for (int r = 0; r < ROWS; r++) {
            w.dequantizeRow(r, out, 3);
            double[] expected = ScalarDequant.row(t, r);
            for (int i = 0; i < cols; i++) {
                assertEquals(expected[i], out[3 + i], 1e-6 * Math.abs(expected[i]) + 1e-7, "row " + r + " col " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0} cols={1}")
    @MethodSource("shapes")
    void dotAndMatmulMatchTheScalarReference(GgmlType type, int cols) {
        GgufTensor t = tensor(type, cols, values(cols * ROWS, 2));
        WeightTensor w = WeightTensor.wrap(t);
        double[][] m = ScalarDequant.matrix(t);
        float[] x = values(cols * 9 + 5, 3);

        for (int r = 0; r < ROWS; r++) {
            assertNear(dot(m[r], x, 5), w.dot(r, x, 5), m[r], x, 5, "dot row " + r);
        }
        // 1 token (decode path), 4 (one tile), 9 (two tiles and a remainder); rows 2..9 only
        for (int n : new int[]{1, 4, 9}) {
            float[] out = new float[n * ROWS];
            Arrays.fill(out, Float.NaN);
            w.matmul(x, n, out, 2, 9);
            for (int tok = 0; tok < n; tok++) {
                for (int r = 0; r < ROWS; r++) {
                    float got = out[tok * ROWS + r];
                    if (r < 2 || r >= 9) {
                        assertTrue(Float.isNaN(got), "row " + r + " is outside the range and must stay untouched");
                    } else {
                        assertNear(dot(m[r], x, tok * cols), got, m[r], x, tok * cols, n + " tokens: token " + tok + " row " + r);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} cols={1}")
    @MethodSource("shapes")
    void quantizingKeepsValuesWithinTheTypesPrecision(GgmlType type, int cols) {
        float[] original = values(cols * ROWS, 4);
        double[][] m = ScalarDequant.matrix(tensor(type, cols, original));
        double err = 0, norm = 0;
        for (int r = 0; r < ROWS; r++) {
            for (int i = 0; i < cols; i++) {
                double d = m[r][i] - original[r * cols + i];
                err += d * d;
                norm += (double) original[r * cols + i] * original[r * cols + i];
            }
        }
        double relativeRms = Math.sqrt(err / norm);
        double bound = switch (type) {
            case F32 -> 0;
            case F16 -> 1e-3;
            case BF16 -> 5e-3;
            case Q8_0 -> 0.01;
            case Q6_K -> 0.03;
            case Q4_0, Q4_K -> 0.12;
            default -> throw new IllegalStateException();
        };
        assertTrue(relativeRms <= bound, type + " relative RMS error " + relativeRms + " exceeds " + bound);
    }

    private static double dot(double[] row, float[] x, int off) {
        double s = 0;
        for (int i = 0; i < row.length; i++) {
            s += row[i] * x[off + i];
        }
        return s;
    }

    /** Float accumulation error grows with the sum of |terms|, not with the (possibly cancelling) result. */
    private static void assertNear(double expected, float got, double[] row, float[] x, int off, String what) {
        double magnitude = 0;
        for (int i = 0; i < row.length; i++) {
            magnitude += Math.abs(row[i] * x[off + i]);
        }
        if (!(Math.abs(expected - got) <= 1e-5 * magnitude + 1e-6)) {
            fail(what + ": " + got + " vs reference " + expected);
        }
    }
}
