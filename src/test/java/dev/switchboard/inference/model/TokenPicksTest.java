package dev.switchboard.inference.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Picking from device argmax ids follows greedy verification, and each group reads its own rows. */
class TokenPicksTest {

    private static final TokenPicker GREEDY = new TokenPicker() {
        public boolean greedy() { return true; }

        public int pick(float[] logits, int offset, int rowStride, int[] draft, int k, int[] out) {
            throw new AssertionError("not picked on the host");
        }
    };

    @Test
    void draftsAreAcceptedWhileTheyMatchTheArgmaxOfTheRowBefore() {
        TokenPicks picks = new TokenPicks();
        int[] a = new int[4];
        int[] b = new int[1];
        int[] c = new int[3];
        int ga = picks.add(GREEDY, new int[] {5, 6, 7}, 3, a); // rows 0..3
        int gb = picks.add(GREEDY, new int[0], 0, b);          // row 4
        int gc = picks.add(GREEDY, new int[] {1, 2}, 2, c);    // rows 5..7
        assertEquals(8, picks.rows());
        picks.pickFromArgmax(new int[] {5, 6, 9, 4, 42, 1, 2, 3});
        assertEquals(2, picks.accepted(ga), "5 and 6 match, 7 is replaced by the row's 9");
        assertArrayEquals(new int[] {5, 6, 9, 0}, a);
        assertEquals(0, picks.accepted(gb));
        assertArrayEquals(new int[] {42}, b);
        assertEquals(2, picks.accepted(gc), "every draft matched: the last row gives a bonus token");
        assertArrayEquals(new int[] {1, 2, 3}, c);
    }

    @Test
    void theHostPathNeedsAsManyRowsAsTheBatchWants() {
        Backend backend = new Backend() {
            public LlamaConfig config() {
                return new LlamaConfig(8, 16, 1, 1, 1, 4, 32, 1e-5f, 1e4f, null);
            }

            public KvCache newKvCache(int numBlocks, int blockSize) {
                throw new UnsupportedOperationException();
            }

            public void forward(ForwardBatch batch, KvCache cache, float[] logits) {
                for (int r = 0; r < batch.logitRows(); r++) {
                    logits[r * 4 + r % 4] = 1f;
                }
            }

            public String name() {
                return "test";
            }

            public void close() {
            }
        };
        BlockTable table = new BlockTable();
        table.add(0);
        ForwardBatch batch = new ForwardBatch(2).add(1, 0, table, true).add(2, 1, table, true);
        TokenPicks picks = new TokenPicks();
        int[] rowsSeen = new int[2];
        picks.add(new TokenPicker() {
            public boolean greedy() { return false; }

            public int pick(float[] logits, int offset, int rowStride, int[] draft, int k, int[] out) {
                rowsSeen[0] = offset;
                rowsSeen[1] = logits[offset + rowStride + 1] == 1f ? 1 : 0;
                out[0] = 3;
                return 0;
            }
        }, new int[] {2}, 1, new int[2]);
        backend.forward(batch, null, picks);
        assertArrayEquals(new int[] {0, 1}, rowsSeen, "the picker read its two rows");
        picks.clear();
        picks.add(GREEDY, new int[0], 0, new int[1]);
        assertThrows(IllegalArgumentException.class, () -> backend.forward(batch, null, picks));
    }
}
