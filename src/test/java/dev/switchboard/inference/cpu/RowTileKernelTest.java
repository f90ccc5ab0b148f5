package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufTensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layouts repacked at load (rows interleaved by {@link WeightTensor#ROW_TILE}, scales as floats) and Q4_K's
 * multi-row tile kernel against the straightforward result: the stored ggml blocks dequantized by
 * {@link ScalarDequant}, then a dot product in double. Row counts and ranges that are no multiple of the tile, so
 * the whole tiles and the single rows at both edges are both checked.
 */
class RowTileKernelTest {
    private static final int ROWS = 13;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q6_K"})
    void everyRowRangeMatchesDequantizeThenDot(GgmlType type) {
        int cols = 768;
        SplittableRandom rnd = new SplittableRandom(11);
        float[] weights = TestModels.uniform(cols * ROWS, -1, 1, rnd);
        GgufTensor t = new GgufTensor("w", new long[]{cols, ROWS}, type,
                MemorySegment.ofArray(WeightTensor.quantize(type, weights)));
        WeightTensor w = WeightTensor.wrap(t);
        double[][] m = ScalarDequant.matrix(t);
        float[] x = TestModels.uniform(cols, -1, 1, rnd);

        for (int[] range : new int[][]{{0, ROWS}, {1, 12}, {3, 9}, {4, 8}, {5, 6}, {9, 13}}) {
            float[] out = new float[ROWS];
            Arrays.fill(out, Float.NaN);
            w.matmul(x, 1, out, range[0], range[1]);
            for (int r = 0; r < ROWS; r++) {
                if (r < range[0] || r >= range[1]) {
                    assertTrue(Float.isNaN(out[r]), "row " + r + " lies outside " + Arrays.toString(range));
                    continue;
                }
                double expected = 0, magnitude = 0;
                for (int i = 0; i < cols; i++) {
                    expected += m[r][i] * x[i];
                    magnitude += Math.abs(m[r][i] * x[i]);
                }
                assertEquals(expected, out[r], 1e-5 * magnitude + 1e-6,
                        type + " rows " + Arrays.toString(range) + ": row " + r);
            }
        }
        // the repacked copy still yields the stored values, for embedding lookups
        float[] row = new float[cols];
        w.dequantizeRow(ROWS - 1, row, 0);
        for (int i = 0; i < cols; i++) {
            assertEquals(m[ROWS - 1][i], row[i], 1e-6 * Math.abs(m[ROWS - 1][i]) + 1e-7, "dequantized col " + i);
        }
    }
}
