package dev.switchboard.inference.cuda;

/**
 * Grid and block shapes of every kernel, and the layout rules they rely on; pure arithmetic, so it is tested
 * without a GPU. The constants mirror the kernels' {@code #define}s (GEMV_WARPS, ATTN_WARPS).
 */
final class LaunchGeometry {
    /** Rows per GEMV block: one warp per row, GEMV_WARPS warps. */
    static final int GEMV_ROWS_PER_BLOCK = 8;
    static final int GEMV_THREADS = GEMV_ROWS_PER_BLOCK * 32;
    /** Tokens from which a GEMV warp computes two rows instead of one (the kernels' GEMV_TILED_ROWS). */
    static final int GEMV_TWO_ROWS_FROM_TOKENS = 4;
    /** Tokens one GEMV launch serves (kernels exist for 1..8); larger batches take several launches. */
    static final int GEMV_MAX_TOKENS = 8;
    static final int ATTN_WARPS = 4;
    static final int ATTN_THREADS = ATTN_WARPS * 32;
    /** Largest head size: 8 dimensions per lane. */
    static final int MAX_HEAD_SIZE = 256;
    static final int ROW_THREADS = 256;
    static final int ARGMAX_THREADS = 1024;
    static final int ELEMENTWISE_THREADS = 256;
    /** Grid-stride kernels need no more blocks than this to fill any current GPU. */
    static final int MAX_ELEMENTWISE_BLOCKS = 65536;
    /** Shared memory a block may use without opting in. */
    static final int DEFAULT_SHARED_LIMIT = 48 * 1024;
    static final int MAX_GRID_Y = 65535;

    record Launch(int gridX, int gridY, int block, int sharedBytes) {
    }

    private LaunchGeometry() {
    }

    /** Rows one warp of a GEMV launch for {@code tokens} computes. */
    static int gemvRowsPerWarp(int tokens) {
        return tokens >= GEMV_TWO_ROWS_FROM_TOKENS ? 2 : 1;
    }

    static Launch gemv(int rows, int tokens) {
        return new Launch(ceilDiv(rows, GEMV_ROWS_PER_BLOCK * gemvRowsPerWarp(tokens)), 1, GEMV_THREADS, 0);
    }

    /** Tokens per GEMV launch for a batch of {@code n}: full launches of 8, then the rest. */
    static int[] gemvChunks(int n) {
        int[] chunks = new int[ceilDiv(n, GEMV_MAX_TOKENS)];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = Math.min(GEMV_MAX_TOKENS, n - i * GEMV_MAX_TOKENS);
        }
        return chunks;
    }

    /** One block per row (embedding, RMSNorm, RoPE, load-time conversions). */
    static Launch perRow(int rows) {
        return new Launch(rows, 1, ROW_THREADS, 0);
    }

    /** Head dimensions per lane, rounded up to the instantiated 1, 2, 4 or 8. */
    static int attentionLanes(int headSize) {
        if (headSize < 2 || headSize > MAX_HEAD_SIZE) {
            throw new IllegalArgumentException("head size " + headSize + " is outside 2.." + MAX_HEAD_SIZE
                    + " that the CUDA attention kernel supports");
        }
        int perLane = ceilDiv(headSize, 32);
        return Integer.highestOneBit(perLane) == perLane ? perLane : Integer.highestOneBit(perLane) << 1;
    }

    /** Grid (heads, entries); dynamic shared memory for the warps' partial results. */
    static Launch attention(int heads, int entries, int headSize) {
        attentionLanes(headSize);
        if (entries > MAX_GRID_Y) {
            throw new IllegalArgumentException(entries + " entries exceed the attention grid's " + MAX_GRID_Y);
        }
        int shared = ATTN_WARPS * (headSize + 2) * Float.BYTES;
        return new Launch(heads, entries, ATTN_THREADS, shared);
    }

    static Launch elementwise(long total) {
        long blocks = Math.max(1, (total + ELEMENTWISE_THREADS - 1) / ELEMENTWISE_THREADS);
        return new Launch((int) Math.min(blocks, MAX_ELEMENTWISE_BLOCKS), 1, ELEMENTWISE_THREADS, 0);
    }

    /** Largest top-k the sampling kernel keeps (its SAMPLE_MAX_K). */
    static final int SAMPLE_MAX_K = 64;

    static Launch argmax(int rows) {
        return new Launch(rows, 1, ARGMAX_THREADS, 0);
    }

    /** Row stride of a stored weight matrix, in elements: 16-byte aligned rows for every element type. */
    static long weightStride(int cols) {
        return ceilDiv(cols, 16) * 16L;
    }

    /** Activation rows are read as float4: a dimension that is not a multiple of 4 cannot run. */
    static void checkActivationWidth(String what, int width) {
        if (width % 4 != 0) {
            throw new IllegalArgumentException(what + " " + width + " is not a multiple of 4, which the CUDA "
                    + "backend's vector loads need");
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
