package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.ForwardChecks;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.KvType;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import dev.switchboard.inference.model.ModelWeights;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The Llama forward pass on the CPU: weights stay in the GGUF mapping in their own types, activations are float32,
 * matrix products run on a fixed thread pool. RoPE uses llama.cpp's "normal" layout (rotating adjacent pairs within
 * each head), which is what GGUF converters permute Q and K weights for.
 *
 * <p>The backend reads weights from {@code gguf}'s mapping: close the backend before the file.
 */
public final class CpuBackend implements Backend {
    /** Multiply-adds below which a chunk is not worth handing to another thread (waking one costs microseconds). */
    private static final long MIN_CHUNK_WORK = 1 << 16;
    /** Entries per internal pass of a large batch. */
    static final int MAX_CHUNK = 128;

    private record Layer(float[] attnNorm, WeightTensor wq, WeightTensor wk, WeightTensor wv, WeightTensor wo,
                         float[] ffnNorm, WeightTensor gate, WeightTensor up, WeightTensor down) {}

    private final LlamaConfig config;
    private final WeightTensor tokenEmbedding;
    private final Layer[] layers;
    private final float[] outputNorm;
    private final WeightTensor output;
    /** Per pair of a head: the RoPE inverse frequency, scaling and {@code rope_freqs} applied. */
    private final double[] ropeFreqs;
    private final Parallel parallel;
    /** Whether the types {@link NativeKernels} covers go through them (chosen at load). */
    private final boolean nativeKernels;
    /** The current matmul input quantized for the native kernels, grown on demand. */
    private MemorySegment quantized = MemorySegment.NULL;
    private volatile KvType kvType = KvType.F32;
    /** Per thread: the attention scores of one task, grown on demand. */
    private final ThreadLocal<Scores> scoreScratch = ThreadLocal.withInitial(() -> new Scores(256));
    /**
     * The KV cache's byte offset of every position the chunk's entries attend to, found once per chunk for all
     * layers and heads (their block tables are the same in each): entry {@code i}'s positions 0..pos start at
     * {@code slots[slotFrom[i]]} ({@link #slotTables}).
     */
    private long[] slots = new long[256];
    private int[] slotFrom;
    /**
     * The arrays the native attention reads and writes, viewed as segments once per allocation, not per call: a
     * view is an object, and there is a call per token, layer and KV head.
     */
    private MemorySegment slotsView = MemorySegment.ofArray(slots), qView, xb2View;

    // activations of the current batch, grown on demand: row-major, one row per entry
    private int capacity;
    private float[] x, xb, xb2, q, k, v, hb, hb2, ropeCos, ropeSin;
    /** Logits of a chunk after the first, before they are copied to their rows; grown on demand. */
    private float[] laterLogits = new float[0];

    // The chunk being run, for the parallel ranges below. These are made once and read their operands from fields:
    // lambdas capturing them would be new objects for every range, dozens per step.
    private ForwardBatch batch;
    private int start, n, layer;
    private CpuKvCache cache;
    private float[] normWeight;
    private final Products products = new Products();
    private final Parallel.Range normRange = this::rmsNormRows, attendGroups = this::attendGroups,
            attendHeads = this::attendHeads;

    private CpuBackend(LlamaConfig config, WeightTensor tokenEmbedding, Layer[] layers, float[] outputNorm,
                       WeightTensor output, double[] ropeFreqs, int threads) {
        this.config = config;
        this.tokenEmbedding = tokenEmbedding;
        this.layers = layers;
        this.outputNorm = outputNorm;
        this.output = output;
        this.ropeFreqs = ropeFreqs;
        this.parallel = new Parallel(threads);
        this.nativeKernels = NativeKernels.chosen();
    }

    /**
     * Checks every tensor the model needs (presence, shape, a type the CPU kernels support) and pages the weights
     * in, reporting progress per layer as stage "loading". Errors name the file and the tensor.
     *
     * @param threads compute threads (the caller's thread counts as one); 0 for all available processors
     */
    public static CpuBackend load(GgufFile gguf, LlamaConfig config, int threads, LoadProgress progress) {
        int dim = config.dim(), kvDim = config.kvDim(), ffn = config.ffnDim(), vocab = config.vocabSize();
        int total = config.layers() + 2;
        progress.update("loading", 0, total);
        WeightTensor embedding = matrix(gguf, "token_embd.weight", dim, vocab);
        Layer[] layers = new Layer[config.layers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "blk." + l + ".";
            layers[l] = new Layer(
                    vector(gguf, p + "attn_norm.weight", dim),
                    matrix(gguf, p + "attn_q.weight", dim, dim),
                    matrix(gguf, p + "attn_k.weight", dim, kvDim),
                    matrix(gguf, p + "attn_v.weight", dim, kvDim),
                    matrix(gguf, p + "attn_output.weight", dim, dim),
                    vector(gguf, p + "ffn_norm.weight", dim),
                    matrix(gguf, p + "ffn_gate.weight", dim, ffn),
                    matrix(gguf, p + "ffn_up.weight", dim, ffn),
                    matrix(gguf, p + "ffn_down.weight", ffn, dim));
            Layer layer = layers[l];
            for (WeightTensor w : new WeightTensor[]{layer.wq, layer.wk, layer.wv, layer.wo, layer.gate, layer.up, layer.down}) {
                w.pageIn();
            }
            progress.update("loading", l + 1, total);
        }
        float[] outputNorm = vector(gguf, "output_norm.weight", dim);
        WeightTensor output = gguf.tensors().containsKey("output.weight")
                ? matrix(gguf, "output.weight", dim, vocab) : embedding;
        // The embedding alone is read a row per token: paged in (and repacked) only where it is the output too.
        output.pageIn();
        progress.update("loading", total - 1, total);
        double[] freqs = ModelWeights.ropeFrequencies(config, gguf.tensors().containsKey(ModelWeights.ROPE_FREQS)
                ? vector(gguf, ModelWeights.ROPE_FREQS, config.headSize() / 2) : null);
        progress.update("loading", total, total);
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new CpuBackend(config, embedding, layers, outputNorm, output, freqs, n);
    }

    private static WeightTensor matrix(GgufFile gguf, String name, int cols, int rows) {
        return WeightTensor.of(gguf, ModelWeights.matrix(gguf, name, cols, rows));
    }

    private static float[] vector(GgufFile gguf, String name, int length) {
        return WeightTensor.readVector(gguf, name, length);
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "cpu";
    }

    /** Compute threads, the caller's included. */
    public int threads() {
        return parallel.threads();
    }

    /**
     * Weight bytes one decode step reads: every layer matrix and the output matrix (the embedding lookup reads
     * one row, ignored).
     */
    public long weightBytesPerToken() {
        long bytes = output.byteSize();
        for (Layer l : layers) {
            bytes += l.wq.byteSize() + l.wk.byteSize() + l.wv.byteSize() + l.wo.byteSize()
                    + l.gate.byteSize() + l.up.byteSize() + l.down.byteSize();
        }
        return bytes;
    }

    /** The element type of the KV caches {@link #newKvCache} makes from now on (default F32). */
    public void kvType(KvType type) {
        this.kvType = type;
    }

    @Override
    public KvCache newKvCache(int numBlocks, int blockSize) {
        return new CpuKvCache(config.layers(), config.kvDim(), config.headSize(), kvType, numBlocks, blockSize);
    }

    @Override
    public void forward(ForwardBatch batch, KvCache kvCache, float[] logits) {
        CpuKvCache cache = checkCache(kvCache);
        ForwardChecks.check(config, batch, cache, logits.length);
        int logitRow = 0;
        // Long prompts go through in chunks: activations stay bounded and cache-sized, and each chunk still reads
        // every weight once for all its tokens. Later chunks see the earlier ones' keys and values in the cache.
        for (int start = 0; start < batch.size(); start += MAX_CHUNK) {
            logitRow = forwardChunk(batch, start, Math.min(batch.size(), start + MAX_CHUNK), cache, logits, logitRow);
        }
    }

    /** Runs entries {@code start..end-1}; their logits go from row {@code logitRow} on. Returns the next row. */
    private int forwardChunk(ForwardBatch batch, int start, int end, CpuKvCache cache, float[] logits, int logitRow) {
        int n = end - start;
        ensureCapacity(n);
        this.batch = batch;
        this.start = start;
        this.n = n;
        this.cache = cache;
        int dim = config.dim(), kvDim = config.kvDim();
        for (int i = 0; i < n; i++) {
            tokenEmbedding.dequantizeRow(batch.token(start + i), x, i * dim);
        }
        ropeTables();
        slotTables();
        for (int l = 0; l < layers.length; l++) {
            Layer layer = layers[l];
            this.layer = l;
            rmsNorm(layer.attnNorm, n);
            products.of(xb, n).and(layer.wq, q).and(layer.wk, k).and(layer.wv, v).run();
            rope(q, n, config.heads());
            rope(k, n, config.kvHeads());
            for (int i = 0; i < n; i++) {
                long off = slots[slotFrom[i] + batch.position(start + i)];
                cache.store(cache.keys[l], off, k, i * kvDim);
                cache.store(cache.values[l], off, v, i * kvDim);
            }
            attention();
            products.of(xb2, n).and(layer.wo, xb).run();
            add(x, xb, n * dim);
            rmsNorm(layer.ffnNorm, n);
            products.of(xb, n).and(layer.gate, hb).and(layer.up, hb2).runSwiGlu();
            products.of(hb, n).and(layer.down, xb).run();
            add(x, xb, n * dim);
        }
        int rows = 0;
        for (int i = 0; i < n; i++) {
            if (batch.wantsLogits(start + i)) {
                System.arraycopy(x, i * dim, x, rows++ * dim, dim);
            }
        }
        if (rows > 0) {
            rmsNorm(outputNorm, rows);
            int vocab = config.vocabSize();
            if (logitRow == 0) {
                products.of(xb, rows).and(output, logits).run();
            } else {
                if (laterLogits.length < rows * vocab) {
                    laterLogits = new float[rows * vocab];
                }
                products.of(xb, rows).and(output, laterLogits).run();
                System.arraycopy(laterLogits, 0, logits, logitRow * vocab, rows * vocab);
            }
        }
        this.batch = null;
        this.cache = null;
        return logitRow + rows;
    }

    private CpuKvCache checkCache(KvCache kvCache) {
        if (!(kvCache instanceof CpuKvCache c) || c.layers() != config.layers() || c.kvDim() != config.kvDim()) {
            throw new IllegalArgumentException("the KV cache was not made by this backend's newKvCache");
        }
        return c;
    }

    private void ensureCapacity(int n) {
        if (n <= capacity) {
            return;
        }
        int c = Math.max(n, capacity * 2);
        int dim = config.dim(), kvDim = config.kvDim(), ffn = config.ffnDim(), half = config.headSize() / 2;
        x = new float[c * dim];
        xb = new float[c * dim];
        xb2 = new float[c * dim];
        q = new float[c * dim];
        k = new float[c * kvDim];
        v = new float[c * kvDim];
        hb = new float[c * ffn];
        hb2 = new float[c * ffn];
        ropeCos = new float[c * half];
        ropeSin = new float[c * half];
        slotFrom = new int[c];
        qView = MemorySegment.ofArray(q);
        xb2View = MemorySegment.ofArray(xb2);
        capacity = c;
    }

    /**
     * Fills {@link #slots} for the chunk's entries. A prompt's entries come one after another with the
     * same block table, so each extends the previous one's run instead of starting its own: the chunk takes as many
     * offsets as its sequences' longest positions, not entries times positions.
     */
    private void slotTables() {
        int used = 0, runFrom = 0, runEnd = 0;
        for (int i = 0; i < n; i++) {
            int entry = start + i, end = batch.position(entry) + 1;
            if (i == 0 || batch.table(entry) != batch.table(entry - 1)) {
                runFrom = used;
                runEnd = 0;
            }
            if (end > runEnd) {
                if (slots.length < runFrom + end) {
                    slots = Arrays.copyOf(slots, Math.max(runFrom + end, slots.length * 2));
                    slotsView = MemorySegment.ofArray(slots);
                }
                for (int p = runEnd; p < end; p++) {
                    slots[runFrom + p] = cache.offset(batch.table(entry).block(p / cache.blockSize()), p);
                }
                runEnd = end;
                used = runFrom + end;
            }
            slotFrom[i] = runFrom;
        }
    }

    /**
     * Up to three matrices over one input as one parallel range (e.g. Q, K and V), so the threads meet once. Filled
     * in for each use: {@code products.of(in, n).and(w, out)...run()}.
     */
    private final class Products implements Parallel.Range {
        private final WeightTensor[] ws = new WeightTensor[3];
        private final float[][] outs = new float[3][];
        private int count, n;
        private float[] in;
        private MemorySegment q;
        private boolean swiGlu;

        Products of(float[] in, int n) {
            this.in = in;
            this.n = n;
            count = 0;
            return this;
        }

        Products and(WeightTensor w, float[] out) {
            ws[count] = w;
            outs[count++] = out;
            return this;
        }

        /** The matrices' rows one after another, each product into its own output. */
        void run() {
            int total = 0;
            for (int m = 0; m < count; m++) {
                total += ws[m].rows();
            }
            start(false, total);
        }

        /**
         * The gate and the up matrix, in that order, row for row, then hb = silu(hb) · hb2 by each chunk on the
         * rows it has just computed: on its own after the products, SwiGLU ran on one thread in decode while the
         * other waited (0.6% of a 1B Q4_K_M step).
         */
        void runSwiGlu() {
            start(true, config.ffnDim());
        }

        private void start(boolean swiGlu, int total) {
            this.swiGlu = swiGlu;
            q = quantizeFor(in, n, ws, count);
            parallel.forRange(total, minRows(ws[0].cols(), n), this);
            in = null;
            Arrays.fill(outs, null);
        }

        @Override
        public void run(int from, int to) {
            if (swiGlu) {
                product(ws[0], in, q, n, outs[0], from, to);
                product(ws[1], in, q, n, outs[1], from, to);
                int ffn = config.ffnDim();
                for (int t = 0; t < n; t++) {
                    swiGlu(t * ffn + from, to - from);
                }
                return;
            }
            int first = 0; // of matrix m, among all the rows
            for (int m = 0; m < count; m++) {
                int rows = ws[m].rows();
                int a = Math.max(from, first), b = Math.min(to, first + rows);
                if (a < b) {
                    product(ws[m], in, q, n, outs[m], a - first, b - first);
                }
                first += rows;
            }
        }
    }

    /**
     * Chunks of whole groups of 16 rows (the repacked kernels compute a group's 16 rows even where a chunk takes
     * fewer), with at least {@link #MIN_CHUNK_WORK} multiply-adds each.
     */
    private static int minRows(int cols, int n) {
        return (int) Math.max(16, (MIN_CHUNK_WORK / ((long) cols * n) + 15) / 16 * 16);
    }

    /**
     * The input quantized once, before the threads split the rows, where a native kernel takes any of the first
     * {@code count} matrices.
     */
    private MemorySegment quantizeFor(float[] in, int n, WeightTensor[] ws, int count) {
        boolean anyNative = false, allQ8 = true;
        for (int m = 0; m < count; m++) {
            anyNative |= ws[m].hasNativeKernel();
            allQ8 &= ws[m].type() == GgmlType.Q8_0;
        }
        return nativeKernels && anyNative ? quantize(in, n, ws[0].cols(), allQ8) : null;
    }

    /** Rows {@code from..to-1} of {@code w} times the n inputs, natively where {@code q} holds them quantized. */
    private static void product(WeightTensor w, float[] in, MemorySegment q, int n, float[] out, int from, int to) {
        if (q != null && w.hasNativeKernel()) {
            w.matmulNative(q, n, out, from, to);
        } else {
            w.matmul(in, n, out, from, to);
        }
    }

    private MemorySegment quantize(float[] in, int n, int cols, boolean perBlock) {
        long bytes = NativeKernels.activationBytes(n, cols);
        if (quantized.byteSize() < bytes) {
            quantized = Arena.ofAuto().allocate(bytes, 64);
        }
        NativeKernels.quantize(in, n, cols, perBlock, quantized);
        return quantized;
    }

    /** Whether the native kernels compute this backend's quantized matrix products. */
    public boolean nativeKernels() {
        return nativeKernels;
    }

    /**
     * xb = RMSNorm(x) · weight for the first {@code rows} rows, row by row; the rows of a batch in parallel, as the
     * other thread would otherwise wait.
     */
    private void rmsNorm(float[] weight, int rows) {
        normWeight = weight;
        parallel.forRange(rows, (int) Math.max(1, MIN_CHUNK_WORK / config.dim()), normRange);
    }

    private void rmsNormRows(int from, int to) {
        int dim = config.dim();
        float[] weight = normWeight;
        for (int i = from; i < to; i++) {
            int off = i * dim;
            double ss = 0;
            for (int j = 0; j < dim; j++) {
                ss += x[off + j] * x[off + j];
            }
            float scale = (float) (1 / Math.sqrt(ss / dim + config.rmsNormEps()));
            for (int j = 0; j < dim; j++) {
                xb[off + j] = x[off + j] * scale * weight[j];
            }
        }
    }

    private void ropeTables() {
        int half = ropeFreqs.length;
        for (int i = 0; i < n; i++) {
            int pos = batch.position(start + i);
            for (int j = 0; j < half; j++) {
                double angle = pos * ropeFreqs[j];
                ropeCos[i * half + j] = (float) Math.cos(angle);
                ropeSin[i * half + j] = (float) Math.sin(angle);
            }
        }
    }

    /** Rotates adjacent pairs (x[2j], x[2j+1]) of every head by position × frequency j. */
    private void rope(float[] a, int n, int heads) {
        int hs = config.headSize(), half = hs / 2, width = heads * hs;
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < heads; h++) {
                int base = i * width + h * hs;
                for (int j = 0; j < half; j++) {
                    float c = ropeCos[i * half + j], s = ropeSin[i * half + j];
                    float a0 = a[base + 2 * j], a1 = a[base + 2 * j + 1];
                    a[base + 2 * j] = a0 * c - a1 * s;
                    a[base + 2 * j + 1] = a0 * s + a1 * c;
                }
            }
        }
    }

    /** Causal attention of every entry and head over positions 0..pos of the entry's sequence, into {@link #xb2}. */
    private void attention() {
        int heads = config.heads();
        int maxPos = 0;
        for (int i = start; i < start + n; i++) {
            maxPos = Math.max(maxPos, batch.position(i));
        }
        long workPerHead = 2L * (maxPos + 1) * config.headSize();
        if (nativeKernels && NativeKernels.attends(config.headSize())) {
            int group = heads / config.kvHeads();
            parallel.forRange(n * config.kvHeads(), (int) Math.max(1, MIN_CHUNK_WORK / (workPerHead * group)),
                    attendGroups);
        } else {
            parallel.forRange(n * heads, (int) Math.max(1, MIN_CHUNK_WORK / workPerHead), attendHeads);
        }
    }

    /** Tasks {@code from..to-1} of the native attention: a task is a chunk row and one of its KV heads. */
    private void attendGroups(int from, int to) {
        int kvHeads = config.kvHeads();
        for (int task = from; task < to; task++) {
            attendGroupNative(task / kvHeads, task % kvHeads);
        }
    }

    /** Tasks {@code from..to-1} of the Java attention: a task is a chunk row and one of its query heads. */
    private void attendHeads(int from, int to) {
        int heads = config.heads();
        for (int task = from; task < to; task++) {
            attendHead(task / heads, task % heads);
        }
    }

    /** The query heads of KV head {@code kvHead} for chunk row {@code row}, by the native kernel. */
    private void attendGroupNative(int row, int kvHead) {
        int hs = config.headSize(), group = config.heads() / config.kvHeads();
        int positions = batch.position(start + row) + 1;
        int qOff = row * config.dim() + kvHead * group * hs;
        // the slots are offsets of whole positions: the KV head's part of each starts headOffset further on
        NativeKernels.attend(qView, qOff, group, hs, cache.keys[layer], cache.values[layer], cache.type(),
                cache.headOffset(kvHead), slotsView, slotFrom[row], positions, (float) (1 / Math.sqrt(hs)),
                scores(group * positions).view, xb2View, qOff);
    }

    /** Head {@code head} of chunk row {@code row}, which is entry {@code start + row} of the batch. */
    private void attendHead(int row, int head) {
        int hs = config.headSize(), dim = config.dim();
        int entry = start + row;
        int pos = batch.position(entry);
        long kvOff = cache.headOffset(head / (config.heads() / config.kvHeads()));
        int from = slotFrom[row];
        int qOff = row * dim + head * hs;
        MemorySegment keys = cache.keys[layer], values = cache.values[layer];
        float[] scores = scores(pos + 1).floats;
        float scale = (float) (1 / Math.sqrt(hs));
        float max = Float.NEGATIVE_INFINITY;
        for (int p = 0; p <= pos; p++) {
            float s = cache.dot(q, qOff, keys, slots[from + p] + kvOff) * scale;
            scores[p] = s;
            max = Math.max(max, s);
        }
        float sum = 0;
        for (int p = 0; p <= pos; p++) {
            float e = (float) Math.exp(scores[p] - max);
            scores[p] = e;
            sum += e;
        }
        Arrays.fill(xb2, qOff, qOff + hs, 0f);
        float inv = 1 / sum;
        for (int p = 0; p <= pos; p++) {
            cache.axpy(scores[p] * inv, values, slots[from + p] + kvOff, xb2, qOff);
        }
    }

    /** This thread's score scratch, grown to at least {@code size} floats. */
    private Scores scores(int size) {
        Scores s = scoreScratch.get();
        if (s.floats.length < size) {
            s = new Scores(Math.max(size, s.floats.length * 2));
            scoreScratch.set(s);
        }
        return s;
    }

    /** Score scratch, and its view for the native kernel. */
    private static final class Scores {
        final float[] floats;
        final MemorySegment view;

        Scores(int size) {
            floats = new float[size];
            view = MemorySegment.ofArray(floats);
        }
    }

    private static void add(float[] acc, float[] delta, int n) {
        for (int i = 0; i < n; i++) {
            acc[i] += delta[i];
        }
    }

    /**
     * hb = silu(hb) · hb2 over {@code len} values from {@code off}, in vectors: a scalar {@code Math.exp} per value took
     * about 5% of 1B Q8_0 prefill (2026-12-05). The last values go through the same vector operations under a mask,
     * not through {@code Math.exp}, which can differ in the last bit: a value's result does not depend on where it
     * falls in a vector, so a token gets the same floats alone and in a batch, whatever the chunks.
     */
    private void swiGlu(int off, int len) {
        VectorSpecies<Float> f = WeightTensor.F;
        for (int i = 0; i < len; i += f.length()) {
            VectorMask<Float> m = f.indexInRange(i, len);
            FloatVector g = FloatVector.fromArray(f, hb, off + i, m);
            g.div(g.neg().lanewise(VectorOperators.EXP).add(1f)).mul(FloatVector.fromArray(f, hb2, off + i, m))
                    .intoArray(hb, off + i, m);
        }
    }

    @Override
    public void close() {
        parallel.close();
    }
}
