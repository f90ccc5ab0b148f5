package dev.switchboard.inference.cuda;

import dev.switchboard.inference.cpu.WeightTensor;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * Each kernel on its own against a Java reference, on random inputs with awkward sizes (row tails, several tokens,
 * paged KV blocks out of order): when the end-to-end check fails, this says which kernel. Runs on the GPU only,
 * from {@link GpuCheck}.
 */
final class KernelCheck {
    private final CudaContext ctx;
    private final CudaDriver cu;
    private final BiConsumer<Boolean, String> report;
    private final List<Long> allocations = new ArrayList<>();
    private final SplittableRandom rnd = new SplittableRandom(17);

    KernelCheck(CudaContext ctx, BiConsumer<Boolean, String> report) {
        this.ctx = ctx;
        this.cu = ctx.cu;
        this.report = report;
    }

    /** Runs every check on the CUDA thread; results go to {@code report(ok, line)}. */
    void run() {
        ctx.thread.run(() -> {
            try {
                for (int nt = 1; nt <= LaunchGeometry.GEMV_MAX_TOKENS; nt += 3) {
                    gemv(DeviceMatrix.Type.F32, 37, 172, nt);
                    gemv(DeviceMatrix.Type.F16, 37, 172, nt);
                    gemv(DeviceMatrix.Type.BF16, 37, 172, nt);
                    gemv(DeviceMatrix.Type.Q8_0, 37, 160, nt);
                    gemv(DeviceMatrix.Type.FP8, 37, 172, nt);
                }
                gemv(DeviceMatrix.Type.BF16, 300, 4096, 8);
                // several column tiles, the last one partial, and rows that leave a block's last warps idle
                gemv(DeviceMatrix.Type.FP8, 300, 1000, 8);
                gemv(DeviceMatrix.Type.Q8_0, 301, 1056, 5);
                gemv(DeviceMatrix.Type.F32, 70, 700, 3);
                rmsnormAndSwiglu();
                for (int hs : new int[]{8, 64, 128}) {
                    attention(false, hs);
                    attention(true, hs);
                }
                argmax();
                sampling();
            } finally {
                cu.streamSynchronize(ctx.stream);
                allocations.forEach(cu::free);
                allocations.clear();
            }
        });
    }

    // ---- GEMV through the same upload path as model weights ----

    private void gemv(DeviceMatrix.Type type, int rows, int cols, int nt) {
        float[] w = uniform(rows * cols, 1f);
        GgmlType src = switch (type) {
            case F16 -> GgmlType.F16;
            case BF16 -> GgmlType.BF16;
            case Q8_0 -> GgmlType.Q8_0;
            default -> GgmlType.F32;
        };
        byte[] raw = WeightTensor.quantize(src, w);
        float[] ref = dequantized(src, raw, rows, cols);
        long staged = up(raw);
        DeviceMatrix m = allocate(type, rows, cols);
        String from = switch (src) {
            case F16 -> "f16";
            case BF16 -> "bf16";
            case Q8_0 -> "q8_0raw";
            default -> "f32";
        };
        LaunchGeometry.Launch perRow = LaunchGeometry.perRow(rows);
        switch (type) {
            case FP8 -> ctx.kernels.launch("quant_fp8_f32", perRow, staged, 0L, (long) cols, cols, m.data(), m.scales(), m.ld());
            case Q8_0 -> ctx.kernels.launch("repack_q8_0", perRow, staged, cols, m.data(), m.scales());
            default -> ctx.kernels.launch("convert_" + from + "_" + type.kernel, perRow, staged, 0L, (long) cols, cols,
                    m.data(), m.ld());
        }
        if (type == DeviceMatrix.Type.FP8) {
            ref = fp8Reference(m, rows, cols);
            double worst = 0;
            for (int i = 0; i < w.length; i++) {
                worst = Math.max(worst, Math.abs(ref[i] - w[i]));
            }
            report.accept(worst <= 1.0 / 16 + 1e-6, String.format(Locale.ROOT,
                    "fp8 e4m3 quantization of uniform(-1,1): max error %.4f (bound 1/16)", worst));
        }
        float[] x = uniform(nt * cols, 1f);
        float[] y0 = uniform(nt * rows, 1f);
        long dx = up(x), dy = up(y0);
        for (int acc = 0; acc <= 1; acc++) {
            if (acc == 1) {
                cu.copyHtoD(dy, segment(y0), 4L * y0.length, ctx.stream);
            }
            ctx.kernels.launch("gemv_" + type.kernel + "_" + nt, LaunchGeometry.gemv(rows, nt), m.data(), m.scales(), rows,
                    cols, m.ld(), dx, cols, dy, rows, acc);
            float[] y = downFloats(dy, nt * rows);
            double err = 0, scale = 0;
            for (int t = 0; t < nt; t++) {
                for (int r = 0; r < rows; r++) {
                    double e = acc == 1 ? y0[t * rows + r] : 0;
                    for (int c = 0; c < cols; c++) {
                        e += (double) ref[r * cols + c] * x[t * cols + c];
                    }
                    err = Math.max(err, Math.abs(y[t * rows + r] - e));
                    scale = Math.max(scale, Math.abs(e));
                }
            }
            report.accept(err <= 1e-4 * Math.max(1, scale), String.format(Locale.ROOT,
                    "gemv_%s_%d %dx%d%s: max abs error %.2e (scale %.1f)", type.kernel, nt, rows, cols,
                    acc == 1 ? " accumulating" : "", err, scale));
        }
        if (nt > 1) {
            batchedAsAlone(m, nt, dx);
        }
    }

    /** The batched kernel must give each token exactly what the one-token kernel gives it alone (same adds). */
    private void batchedAsAlone(DeviceMatrix m, int nt, long dx) {
        int rows = m.rows(), cols = m.cols();
        long batched = malloc(4L * nt * rows), alone = malloc(4L * nt * rows);
        ctx.kernels.launch("gemv_" + m.type().kernel + "_" + nt, LaunchGeometry.gemv(rows, nt), m.data(), m.scales(),
                rows, cols, m.ld(), dx, cols, batched, rows, 0);
        for (int t = 0; t < nt; t++) {
            ctx.kernels.launch("gemv_" + m.type().kernel + "_1", LaunchGeometry.gemv(rows, 1), m.data(), m.scales(),
                    rows, cols, m.ld(), dx + 4L * t * cols, cols, alone + 4L * t * rows, rows, 0);
        }
        float[] b = downFloats(batched, nt * rows), a = downFloats(alone, nt * rows);
        int differ = 0;
        for (int i = 0; i < b.length; i++) {
            // an output never written (NaN) must not count as equal
            differ += !Float.isFinite(b[i]) || Float.floatToRawIntBits(b[i]) != Float.floatToRawIntBits(a[i]) ? 1 : 0;
        }
        report.accept(differ == 0, String.format(Locale.ROOT, "gemv_%s_%d %dx%d: every token as alone (%d of %d "
                + "outputs differ)", m.type().kernel, nt, rows, cols, differ, b.length));
    }

    private DeviceMatrix allocate(DeviceMatrix.Type type, int rows, int cols) {
        long ld = type.stride(cols);
        long data = malloc(rows * ld * type.elementBytes);
        long n = type.scaleCount(rows, cols);
        return new DeviceMatrix(type, data, n > 0 ? malloc(n * 4) : 0, rows, cols, ld);
    }

    /** The values the device holds after FP8 quantization, decoded here. */
    private float[] fp8Reference(DeviceMatrix m, int rows, int cols) {
        byte[] q = downBytes(m.data(), (int) (rows * m.ld()));
        float[] s = downFloats(m.scales(), rows);
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = fp8(q[(int) (r * m.ld() + c)]) * s[r];
            }
        }
        return out;
    }

    /** e4m3: sign, 4 exponent bits (bias 7), 3 mantissa bits; exponent 0 is subnormal. */
    static float fp8(byte b) {
        int e = (b >> 3) & 15, mant = b & 7;
        float v = e == 0 ? mant / 512f : (1 + mant / 8f) * (float) Math.pow(2, e - 7);
        return b < 0 ? -v : v;
    }

    private static float[] dequantized(GgmlType type, byte[] raw, int rows, int cols) {
        float[] out = new float[rows * cols];
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (type) {
                case F32 -> bb.getFloat(4 * i);
                case F16 -> Float.float16ToFloat(bb.getShort(2 * i));
                case BF16 -> Float.intBitsToFloat(bb.getShort(2 * i) << 16);
                case Q8_0 -> Float.float16ToFloat(bb.getShort(i / 32 * 34)) * raw[i / 32 * 34 + 2 + i % 32];
                default -> throw new IllegalArgumentException(type.toString());
            };
        }
        return out;
    }

    // ---- RMSNorm (with a row gather) and SwiGLU ----

    private void rmsnormAndSwiglu() {
        int n = 5, dim = 200;
        float[] x = uniform(n * dim, 3f), w = uniform(dim, 1f);
        int[] rows = {4, 0, 2};
        long dx = up(x), dw = up(w), dout = malloc(4L * rows.length * dim), drows = up(rows);
        ctx.kernels.launch("rmsnorm", LaunchGeometry.perRow(rows.length), dx, dout, dw, dim, 1e-5f, drows);
        float[] out = downFloats(dout, rows.length * dim);
        double err = 0;
        for (int i = 0; i < rows.length; i++) {
            double ss = 0;
            for (int c = 0; c < dim; c++) {
                ss += x[rows[i] * dim + c] * x[rows[i] * dim + c];
            }
            double scale = 1 / Math.sqrt(ss / dim + 1e-5);
            for (int c = 0; c < dim; c++) {
                err = Math.max(err, Math.abs(out[i * dim + c] - x[rows[i] * dim + c] * scale * w[c]));
            }
        }
        report.accept(err < 1e-5, String.format(Locale.ROOT, "rmsnorm with gathered rows: max abs error %.2e", err));
        int ffn = 300;
        float[] gu = uniform(n * 2 * ffn, 4f);
        long dgu = up(gu), dh = malloc(4L * n * ffn);
        ctx.kernels.launch("swiglu", LaunchGeometry.elementwise((long) n * ffn), dgu, dh, ffn, n);
        float[] h = downFloats(dh, n * ffn);
        err = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < ffn; j++) {
                double g = gu[i * 2 * ffn + j];
                err = Math.max(err, Math.abs(h[i * ffn + j] - g / (1 + Math.exp(-g)) * gu[i * 2 * ffn + ffn + j]));
            }
        }
        report.accept(err < 1e-5, String.format(Locale.ROOT, "swiglu: max abs error %.2e", err));
    }

    // ---- RoPE + KV store + paged attention over shuffled blocks, two passes (chunked prefill) ----

    private void attention(boolean bf16, int hs) {
        int heads = 4, kvHeads = 2, bs = 4, numBlocks = 24, dim = heads * hs, kvDim = kvHeads * hs;
        int qkvDim = dim + 2 * kvDim;
        int[] lengths = {9, 3, 14};
        double[] freqs = new double[hs / 2];
        for (int j = 0; j < freqs.length; j++) {
            freqs[j] = Math.pow(10000, -2.0 * j / hs);
        }
        BlockTable[] tables = new BlockTable[lengths.length];
        int[] order = {17, 3, 9, 0, 22, 5, 11, 2, 14, 20, 7, 1};
        for (int s = 0, used = 0; s < lengths.length; s++) {
            tables[s] = new BlockTable();
            for (int b = 0; b < (lengths[s] + bs - 1) / bs; b++) {
                tables[s].add(order[used++]);
            }
        }
        String kv = bf16 ? "bf16" : "f32";
        long cacheBytes = (numBlocks + 1L) * bs * kvDim * (bf16 ? 2 : 4);
        long kCache = malloc(cacheBytes), vCache = malloc(cacheBytes), dfreqs = up(freqs);
        // the reference's rotated keys and values, per sequence and position
        float[][][] keys = new float[lengths.length][][], values = new float[lengths.length][][];
        for (int s = 0; s < lengths.length; s++) {
            keys[s] = new float[lengths[s]][];
            values[s] = new float[lengths[s]][];
        }
        double worst = 0;
        BatchMetadata meta = new BatchMetadata();
        for (int pass = 0; pass < 2; pass++) {
            ForwardBatch batch = new ForwardBatch(32);
            List<int[]> entries = new ArrayList<>();
            for (int s = 0; s < lengths.length; s++) {
                int split = lengths[s] / 2, from = pass == 0 ? 0 : split, to = pass == 0 ? split : lengths[s];
                for (int p = from; p < to; p++) {
                    batch.add(0, p, tables[s], true);
                    entries.add(new int[]{s, p});
                }
            }
            int n = entries.size();
            meta.pack(batch, 0, n, n, bs, numBlocks);
            long dmeta = up(java.util.Arrays.copyOf(meta.ints(), meta.length()));
            float[] qkv = uniform(n * qkvDim, 1f);
            long dqkv = up(qkv), dout = malloc(4L * n * dim);
            ctx.kernels.launch("rope_store_" + kv, LaunchGeometry.perRow(n), dqkv, qkvDim, dmeta, n,
                    dmeta + 4L * meta.blocksOffset(), dfreqs, heads, kvHeads, hs, bs, kCache, vCache);
            ctx.kernels.launch("attention_" + kv + "_" + LaunchGeometry.attentionLanes(hs),
                    LaunchGeometry.attention(heads, n, hs), dqkv, qkvDim, dmeta, n, dmeta + 4L * meta.blocksOffset(),
                    kCache, vCache, dout, heads, kvHeads, hs, bs, (float) (1 / Math.sqrt(hs)));
            float[] out = downFloats(dout, n * dim);
            float[] rotated = qkv.clone();
            for (int i = 0; i < n; i++) {
                int s = entries.get(i)[0], p = entries.get(i)[1];
                rope(rotated, i * qkvDim, heads + kvHeads, hs, p, freqs);
                keys[s][p] = kvRound(java.util.Arrays.copyOfRange(rotated, i * qkvDim + dim, i * qkvDim + dim + kvDim), bf16);
                values[s][p] = kvRound(java.util.Arrays.copyOfRange(rotated, i * qkvDim + dim + kvDim,
                        i * qkvDim + qkvDim), bf16);
            }
            for (int i = 0; i < n; i++) {
                int s = entries.get(i)[0], p = entries.get(i)[1];
                for (int h = 0; h < heads; h++) {
                    int kvh = h / (heads / kvHeads);
                    double[] scores = new double[p + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t = 0; t <= p; t++) {
                        double dot = 0;
                        for (int d = 0; d < hs; d++) {
                            dot += rotated[i * qkvDim + h * hs + d] * keys[s][t][kvh * hs + d];
                        }
                        scores[t] = dot / Math.sqrt(hs);
                        max = Math.max(max, scores[t]);
                    }
                    double sum = 0;
                    for (int t = 0; t <= p; t++) {
                        scores[t] = Math.exp(scores[t] - max);
                        sum += scores[t];
                    }
                    for (int d = 0; d < hs; d++) {
                        double o = 0;
                        for (int t = 0; t <= p; t++) {
                            o += scores[t] / sum * values[s][t][kvh * hs + d];
                        }
                        worst = Math.max(worst, Math.abs(out[i * dim + h * hs + d] - o));
                    }
                }
            }
        }
        report.accept(worst < (bf16 ? 2e-3 : 1e-5), String.format(Locale.ROOT,
                "rope_store + attention, KV %s, head size %d, paged and chunked: max abs error %.2e", kv, hs, worst));
    }

    private static void rope(float[] a, int off, int heads, int hs, int pos, double[] freqs) {
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < hs / 2; j++) {
                double angle = pos * freqs[j];
                float c = (float) Math.cos(angle), s = (float) Math.sin(angle);
                int i = off + h * hs + 2 * j;
                float a0 = a[i], a1 = a[i + 1];
                a[i] = a0 * c - a1 * s;
                a[i + 1] = a0 * s + a1 * c;
            }
        }
    }

    /** Round to bf16 (nearest even), as the kernels store keys and values. */
    static float bf16(float f) {
        int u = Float.floatToRawIntBits(f);
        u += 0x7fff + ((u >>> 16) & 1);
        return Float.intBitsToFloat(u & 0xffff0000);
    }

    private static float[] kvRound(float[] v, boolean bf16) {
        if (bf16) {
            for (int i = 0; i < v.length; i++) {
                v[i] = bf16(v[i]);
            }
        }
        return v;
    }

    private void argmax() {
        int rows = 3, vocab = 5000;
        float[] logits = uniform(rows * vocab, 1f);
        logits[1234] = 5f;
        logits[vocab + 4999] = 5f;
        logits[2 * vocab + 77] = 5f;
        logits[2 * vocab + 4000] = 5f; // a tie: the lower index wins, as on the CPU
        long dl = up(logits), dout = malloc(4L * rows);
        ctx.kernels.launch("argmax", LaunchGeometry.argmax(rows), dl, vocab, dout);
        int[] got = downInts(dout, rows);
        boolean ok = got[0] == 1234 && got[1] == 4999 && got[2] == 77;
        report.accept(ok, "argmax (last index, tie to the lower index): " + java.util.Arrays.toString(got)
                + " expected [1234, 4999, 77]");
    }

    /** Top-k sampling: draws stay in the top k and follow the softmax at the temperature; k = 1 is the argmax. */
    private void sampling() {
        int rows = 4000, vocab = 300, k = 5;
        float temperature = 0.7f;
        float[] row = uniform(vocab, 2f);
        float[] logits = new float[rows * vocab];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(row, 0, logits, r * vocab, vocab);
        }
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> row[a] != row[b] ? Float.compare(row[b], row[a]) : Integer.compare(a, b));
        double[] p = new double[k];
        double total = 0;
        for (int i = 0; i < k; i++) {
            p[i] = Math.exp((row[order[i]] - row[order[0]]) / temperature);
            total += p[i];
        }
        long dl = up(logits), dout = malloc(4L * rows);
        ctx.kernels.launch("sample_topk", LaunchGeometry.argmax(rows), dl, vocab, dout, temperature, k, 9L, 0L);
        int[] got = downInts(dout, rows);
        int[] counts = new int[k];
        int outside = 0;
        for (int t : got) {
            int rank = -1;
            for (int i = 0; i < k; i++) {
                if (order[i] == t) {
                    rank = i;
                }
            }
            if (rank < 0) {
                outside++;
            } else {
                counts[rank]++;
            }
        }
        boolean ok = outside == 0;
        StringBuilder freq = new StringBuilder();
        for (int i = 0; i < k; i++) {
            double expected = rows * p[i] / total;
            ok &= Math.abs(counts[i] - expected) <= 4 * Math.sqrt(expected) + 1;
            freq.append(String.format(Locale.ROOT, " %d/%.0f", counts[i], expected));
        }
        report.accept(ok, "sample_topk k=5 t=0.7 over " + rows + " rows: counts/expected by rank" + freq
                + (outside > 0 ? ", " + outside + " draws outside the top 5" : ""));
        ctx.kernels.launch("sample_topk", LaunchGeometry.argmax(rows), dl, vocab, dout, 1f, 1, 9L, 1L);
        got = downInts(dout, rows);
        boolean greedy = java.util.Arrays.stream(got).allMatch(t -> t == order[0]);
        report.accept(greedy, "sample_topk with k=1 is the argmax (" + order[0] + ")");
    }

    // ---- device buffers ----

    private float[] uniform(int n, float bound) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextDouble(-bound, bound);
        }
        return a;
    }

    private long malloc(long bytes) {
        long p = cu.malloc(bytes);
        allocations.add(p);
        cu.memset(p, (byte) 0xff, bytes, ctx.stream); // NaN-filled: an unwritten output cannot pass
        return p;
    }

    private static MemorySegment segment(float[] a) {
        return Arena.ofAuto().allocateFrom(ValueLayout.JAVA_FLOAT, a);
    }

    private long upload(MemorySegment host) {
        long p = malloc(host.byteSize());
        cu.copyHtoD(p, host, host.byteSize(), ctx.stream);
        cu.streamSynchronize(ctx.stream);
        return p;
    }

    private long up(float[] a) {
        return upload(segment(a));
    }

    private long up(int[] a) {
        return upload(Arena.ofAuto().allocateFrom(ValueLayout.JAVA_INT, a));
    }

    private long up(double[] a) {
        return upload(Arena.ofAuto().allocateFrom(ValueLayout.JAVA_DOUBLE, a));
    }

    private long up(byte[] a) {
        return upload(Arena.ofAuto().allocateFrom(ValueLayout.JAVA_BYTE, a));
    }

    private MemorySegment down(long p, long bytes) {
        MemorySegment host = Arena.ofAuto().allocate(bytes, 16);
        cu.copyDtoH(host, p, bytes, ctx.stream);
        cu.streamSynchronize(ctx.stream);
        return host;
    }

    private float[] downFloats(long p, int n) {
        return down(p, 4L * n).toArray(ValueLayout.JAVA_FLOAT);
    }

    private int[] downInts(long p, int n) {
        return down(p, 4L * n).toArray(ValueLayout.JAVA_INT);
    }

    private byte[] downBytes(long p, int n) {
        return down(p, n).toArray(ValueLayout.JAVA_BYTE);
    }
}
