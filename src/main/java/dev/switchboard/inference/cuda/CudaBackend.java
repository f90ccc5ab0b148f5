package dev.switchboard.inference.cuda;

import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.gguf.GgufTensor;
import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.ForwardChecks;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import dev.switchboard.inference.model.ModelWeights;
import dev.switchboard.inference.model.PagedKvCache;
import dev.switchboard.inference.model.TokenPicks;

import static dev.switchboard.inference.cpu.WeightTensor.readVector;
import static dev.switchboard.inference.model.ModelWeights.matrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The Llama forward pass on an NVIDIA GPU through the CUDA driver API, NVRTC-compiled kernels of our own and
 * (when installed) cuBLAS, all reached through FFM: nothing native is built with the engine.
 *
 * <p>Weights live in device memory as {@link WeightStorage} says; Q|K|V and gate|up are fused into one matrix
 * each, so a layer is nine kernels: RMSNorm, QKV GEMV, RoPE + KV write, paged attention, output GEMV (+ residual),
 * RMSNorm, gate/up GEMV, SwiGLU, down GEMV (+ residual). Activations are float32. A step of up to
 * {@link Options#maxGraphBatch} entries replays a CUDA graph captured per batch-size bucket (the batch padded to
 * the bucket); larger batches run eagerly in chunks of {@link Options#maxChunk} entries. The host copies one int
 * array of batch metadata per chunk and, afterwards, only the logit rows that entries asked for.
 *
 * <p>All CUDA work runs on one dedicated thread that owns the context ({@link CudaThread}); the calling thread
 * waits. Like every backend, one caller at a time.
 *
 * <p>On a machine with a GPU: {@code bin/gpu-prepare} builds, packs a Java runtime and prints the commands that run
 * {@link GpuCheck} (GPU against CPU) and {@link CudaBench} there.
 */
public final class CudaBackend implements Backend {

    /**
     * @param weights       how weights are stored on the device
     * @param kvBf16        keys and values in bf16 (else float32); null: float32 when every matrix is F32
     * @param graphs        replay decode steps from CUDA graphs
     * @param maxGraphBatch largest batch run from a graph (buckets are powers of two up to it)
     * @param maxChunk      entries per eager launch (bounds activation memory)
     * @param cublas        use cuBLAS for products of two or more tokens with F32/BF16 weights (and of many tokens
     *                      with others), when installed
     * @param device        CUDA device ordinal
     */
    public record Options(WeightStorage weights, Boolean kvBf16, boolean graphs, int maxGraphBatch, int maxChunk,
                          boolean cublas, int device) {
        public static final Options DEFAULT = new Options(WeightStorage.NATIVE, null, true, 64, 256, true, 0);

        public Options {
            if (maxChunk < 1 || maxGraphBatch < 0 || maxGraphBatch > maxChunk) {
                throw new IllegalArgumentException("need 0 <= maxGraphBatch (" + maxGraphBatch + ") <= maxChunk ("
                        + maxChunk + ") and maxChunk >= 1");
            }
        }

        public Options withWeights(WeightStorage mode) {
            return new Options(mode, kvBf16, graphs, maxGraphBatch, maxChunk, cublas, device);
        }

        public Options withGraphs(boolean on) {
            return new Options(weights, kvBf16, on, maxGraphBatch, maxChunk, cublas, device);
        }

        public Options withCublas(boolean on) {
            return new Options(weights, kvBf16, graphs, maxGraphBatch, maxChunk, on, device);
        }
    }

    private record Layer(long attnNorm, DeviceMatrix qkv, DeviceMatrix wo, long ffnNorm, DeviceMatrix gateUp,
                         DeviceMatrix down) {}

    private final CudaContext ctx;
    private final CudaDriver cu;
    private final Kernels k;
    private final LlamaConfig config;
    private final Options options;
    private final List<Long> allocations;
    private final DeviceMatrix embedding;
    private final Layer[] layers;
    private final long outputNorm;
    private final DeviceMatrix output;
    private final long ropeFreqs;
    private final boolean kvBf16;
    private final long weightBytesPerToken;
    private final int qkvDim;
    private final GraphCache<MemorySegment> graphs;
    private final BatchMetadata meta = new BatchMetadata();

    // activations for up to maxChunk entries
    private final long x, xn, qkv, attn, gu, hidden, logits, lowp, argmaxOut;
    // metadata: device buffer and its pinned host mirror (grown together, which invalidates graphs)
    private long metaDevice;
    private MemorySegment metaHost;
    private int metaCapacity;
    private long metaGeneration;
    private final MemorySegment logitsHost;
    private final MemorySegment argmaxHost;
    /** Scratch for {@link #forward(ForwardBatch, KvCache, TokenPicks)}: the row ids forwardArgmax returns. */
    private int[] argmaxIds = new int[0];
    private CudaKvCache graphCache;
    /** Sampled chunks so far: part of each draw's random counter, so steps never reuse a draw. */
    private long sampleCounter;
    /** bf16 scratch for one widened matrix (cuBLAS with quantized weights); 0 when never needed. */
    private final long widenedBuffer;

    private CudaBackend(CudaContext ctx, LlamaConfig config, Options options, List<Long> allocations,
                        DeviceMatrix embedding, Layer[] layers, long outputNorm, DeviceMatrix output, long ropeFreqs,
                        boolean kvBf16) {
        this.ctx = ctx;
        this.cu = ctx.cu;
        this.k = ctx.kernels;
        this.config = config;
        this.options = options;
        this.allocations = allocations;
        this.embedding = embedding;
        this.layers = layers;
        this.outputNorm = outputNorm;
        this.output = output;
        this.ropeFreqs = ropeFreqs;
        this.kvBf16 = kvBf16;
        this.qkvDim = config.dim() + 2 * config.kvDim();
        long bytes = output.bytes();
        for (Layer l : layers) {
            bytes += l.qkv.bytes() + l.wo.bytes() + l.gateUp.bytes() + l.down.bytes();
        }
        this.weightBytesPerToken = bytes;
        this.graphs = new GraphCache<>(options.graphs() ? GraphCache.powersOfTwo(options.maxGraphBatch()) : new int[0],
                cu::destroyGraphExec);
        int c = options.maxChunk();
        int dim = config.dim(), ffn = config.ffnDim();
        x = alloc((long) c * dim * 4);
        xn = alloc((long) c * dim * 4);
        qkv = alloc((long) c * qkvDim * 4);
        attn = alloc((long) c * dim * 4);
        gu = alloc((long) c * 2 * ffn * 4);
        hidden = alloc((long) c * ffn * 4);
        logits = alloc((long) c * config.vocabSize() * 4);
        lowp = alloc((long) c * Math.max(dim, ffn) * 2);
        argmaxOut = alloc((long) c * 4);
        logitsHost = cu.hostAlloc((long) c * config.vocabSize() * 4);
        argmaxHost = cu.hostAlloc((long) c * 4);
        growMetadata(4 * c + 1024);
        long widest = 0;
        List<DeviceMatrix> all = new ArrayList<>(List.of(output));
        for (Layer l : layers) {
            all.addAll(List.of(l.qkv, l.wo, l.gateUp, l.down));
        }
        for (DeviceMatrix m : all) {
            if (m.type() != DeviceMatrix.Type.BF16 && m.type() != DeviceMatrix.Type.F32) {
                widest = Math.max(widest, m.rows() * LaunchGeometry.weightStride(m.cols()) * 2);
            }
        }
        widenedBuffer = ctx.cublas != null && widest > 0 ? alloc(widest) : 0;
    }

    private long alloc(long bytes) {
        long p = cu.malloc(bytes);
        allocations.add(p);
        return p;
    }

    // ---- loading ----

    /**
     * Loads {@code gguf}'s weights onto the GPU. Errors name the file and tensor.
     *
     * @throws CudaUnavailableException when there is no usable GPU (the caller falls back to the CPU backend)
     */
    public static CudaBackend load(GgufFile gguf, LlamaConfig config, Options options, LoadProgress progress) {
        checkShape(config);
        CudaContext ctx = CudaContext.open(options.device(), options.cublas(), CudaLibraries.fromEnvironment(),
                new CubinCache(CubinCache.defaultDirectory()));
        try {
            return ctx.thread.call(() -> fromGguf(ctx, gguf, config, options, progress));
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /**
     * A random-weight model of {@code SyntheticModels} shape {@code name}, generated on the GPU (BF16, or FP8 in
     * that mode): no file, nothing copied from the host. For benchmarks; its numbers differ from the CPU's
     * synthetic files of the same name.
     */
    public static CudaBackend synthetic(String name, Options options, long seed, LoadProgress progress) {
        LlamaConfig config = SyntheticModels.shape(name).config();
        checkShape(config);
        CudaContext ctx = CudaContext.open(options.device(), options.cublas(), CudaLibraries.fromEnvironment(),
                new CubinCache(CubinCache.defaultDirectory()));
        try {
            return ctx.thread.call(() -> generated(ctx, config, options, seed, progress));
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    private static void checkShape(LlamaConfig c) {
        LaunchGeometry.checkActivationWidth("embedding length", c.dim());
        LaunchGeometry.checkActivationWidth("feed-forward length", c.ffnDim());
        LaunchGeometry.checkActivationWidth("KV width", c.kvDim());
        LaunchGeometry.attentionLanes(c.headSize());
    }

    private static CudaBackend fromGguf(CudaContext ctx, GgufFile gguf, LlamaConfig config, Options options,
                                        LoadProgress progress) {
        List<Long> allocations = new ArrayList<>();
        int dim = config.dim(), kvDim = config.kvDim(), ffn = config.ffnDim(), vocab = config.vocabSize();
        int total = config.layers() + 2;
        progress.update("loading", 0, total);
        try (WeightUploader up = new WeightUploader(ctx, allocations)) {
            GgufTensor emb = matrix(gguf, "token_embd.weight", dim, vocab);
            DeviceMatrix embedding = up.allocate(WeightUploader.embeddingTarget(options.weights(), emb.type()),
                    vocab, dim);
            up.upload(embedding, 0, gguf, emb);
            boolean allF32 = emb.type() == GgmlType.F32;
            Layer[] layers = new Layer[config.layers()];
            for (int l = 0; l < layers.length; l++) {
                String p = "blk." + l + ".";
                GgufTensor q = matrix(gguf, p + "attn_q.weight", dim, dim);
                GgufTensor kk = matrix(gguf, p + "attn_k.weight", dim, kvDim);
                GgufTensor v = matrix(gguf, p + "attn_v.weight", dim, kvDim);
                GgufTensor o = matrix(gguf, p + "attn_output.weight", dim, dim);
                GgufTensor g = matrix(gguf, p + "ffn_gate.weight", dim, ffn);
                GgufTensor u = matrix(gguf, p + "ffn_up.weight", dim, ffn);
                GgufTensor d = matrix(gguf, p + "ffn_down.weight", ffn, dim);
                for (GgufTensor t : List.of(q, kk, v, o, g, u, d)) {
                    allF32 &= t.type() == GgmlType.F32;
                }
                DeviceMatrix wqkv = up.allocate(WeightUploader.target(options.weights(), q.type(), kk.type(), v.type()),
                        dim + 2 * kvDim, dim);
                up.upload(wqkv, 0, gguf, q);
                up.upload(wqkv, dim, gguf, kk);
                up.upload(wqkv, dim + kvDim, gguf, v);
                DeviceMatrix wo = up.allocate(WeightUploader.target(options.weights(), o.type()), dim, dim);
                up.upload(wo, 0, gguf, o);
                DeviceMatrix wgu = up.allocate(WeightUploader.target(options.weights(), g.type(), u.type()), 2 * ffn, dim);
                up.upload(wgu, 0, gguf, g);
                up.upload(wgu, ffn, gguf, u);
                DeviceMatrix wd = up.allocate(WeightUploader.target(options.weights(), d.type()), dim, ffn);
                up.upload(wd, 0, gguf, d);
                layers[l] = new Layer(up.vector(readVector(gguf, p + "attn_norm.weight", dim)), wqkv, wo,
                        up.vector(readVector(gguf, p + "ffn_norm.weight", dim)), wgu, wd);
                progress.update("loading", l + 1, total);
            }
            long outNorm = up.vector(readVector(gguf, "output_norm.weight", dim));
            GgufTensor out = gguf.tensors().containsKey("output.weight") ? matrix(gguf, "output.weight", dim, vocab) : emb;
            allF32 &= out.type() == GgmlType.F32;
            DeviceMatrix.Type outType = WeightUploader.target(options.weights(), out.type());
            DeviceMatrix output;
            if (out == emb && outType == embedding.type()) {
                output = embedding; // tied and stored alike: one copy serves both
            } else {
                output = up.allocate(outType, vocab, dim);
                up.upload(output, 0, gguf, out);
            }
            double[] freqs = ModelWeights.ropeFrequencies(config, gguf.tensors().containsKey(ModelWeights.ROPE_FREQS)
                    ? readVector(gguf, ModelWeights.ROPE_FREQS, config.headSize() / 2) : null);
            long ropeFreqs = up.vector(freqs);
            progress.update("loading", total, total);
            boolean kvBf16 = options.kvBf16() != null ? options.kvBf16()
                    : !(allF32 && options.weights() == WeightStorage.NATIVE);
            return new CudaBackend(ctx, config, options, allocations, embedding, layers, outNorm, output, ropeFreqs,
                    kvBf16);
        } catch (RuntimeException e) {
            allocations.forEach(ctx.cu::free);
            throw e;
        }
    }

    private static CudaBackend generated(CudaContext ctx, LlamaConfig config, Options options, long seed,
                                         LoadProgress progress) {
        List<Long> allocations = new ArrayList<>();
        int dim = config.dim(), kvDim = config.kvDim(), ffn = config.ffnDim(), vocab = config.vocabSize();
        DeviceMatrix.Type type = options.weights() == WeightStorage.FP8 ? DeviceMatrix.Type.FP8
                : DeviceMatrix.Type.BF16;
        int total = config.layers() + 2;
        try (WeightUploader up = new WeightUploader(ctx, allocations)) {
            long id = seed * 1_000_000L;
            DeviceMatrix embedding = up.allocate(DeviceMatrix.Type.BF16, vocab, dim);
            up.random(embedding, id++, 1f);
            progress.update("generating", 1, total);
            Layer[] layers = new Layer[config.layers()];
            for (int l = 0; l < layers.length; l++) {
                DeviceMatrix wqkv = up.allocate(type, dim + 2 * kvDim, dim);
                up.random(wqkv, id++, bound(dim));
                DeviceMatrix wo = up.allocate(type, dim, dim);
                up.random(wo, id++, bound(dim));
                DeviceMatrix wgu = up.allocate(type, 2 * ffn, dim);
                up.random(wgu, id++, bound(dim));
                DeviceMatrix wd = up.allocate(type, dim, ffn);
                up.random(wd, id++, bound(ffn));
                layers[l] = new Layer(up.randomVector(dim, id++, 0.8f, 1.2f), wqkv, wo,
                        up.randomVector(dim, id++, 0.8f, 1.2f), wgu, wd);
                progress.update("generating", l + 2, total);
            }
            long outNorm = up.randomVector(dim, id++, 0.8f, 1.2f);
            DeviceMatrix output = up.allocate(type, vocab, dim);
            up.random(output, id, bound(dim));
            long ropeFreqs = up.vector(config.ropeInverseFrequencies());
            progress.update("generating", total, total);
            boolean kvBf16 = options.kvBf16() == null || options.kvBf16();
            return new CudaBackend(ctx, config, options, allocations, embedding, layers, outNorm, output, ropeFreqs,
                    kvBf16);
        } catch (RuntimeException e) {
            allocations.forEach(ctx.cu::free);
            throw e;
        }
    }

    /** Uniform bound with variance 1/cols, as the CPU's synthetic models use. */
    private static float bound(int cols) {
        return (float) Math.sqrt(3.0 / cols);
    }

    // ---- Backend ----

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** One line: the device, compute capability, memory, weight storage. */
    public String describe() {
        return ctx.thread.call(() -> ctx.describe() + String.format(Locale.ROOT,
                "; weights %s, %.2f GiB read per token; KV %s; graphs %s",
                options.weights(), weightBytesPerToken / (double) (1L << 30), kvBf16 ? "bf16" : "f32",
                graphs.largest() > 0 ? "up to batch " + graphs.largest() : "off"));
    }

    /** Weight bytes one decode step reads (every layer matrix and the output matrix). */
    public long weightBytesPerToken() {
        return weightBytesPerToken;
    }

    /** CUDA graphs captured so far (a steady decode loop stops adding to this). */
    public int graphCaptures() {
        return ctx.thread.call(graphs::captures);
    }

    @Override
    public KvCache newKvCache(int numBlocks, int blockSize) {
        PagedKvCache.checkShape(numBlocks, blockSize); // before sizing the allocation
        long bytes = CudaKvCache.totalBytes(config.layers(), numBlocks, blockSize, config.kvDim(), kvBf16);
        return ctx.thread.call(() -> {
            long[] mem = cu.memInfo();
            if (bytes > mem[0]) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "a KV cache of %d blocks of %d positions "
                        + "needs %.2f GiB of GPU memory, %.2f GiB are free", numBlocks, blockSize,
                        bytes / (double) (1L << 30), mem[0] / (double) (1L << 30)));
            }
            long base = cu.malloc(bytes);
            return new CudaKvCache(base, kvBf16, config.layers(), config.kvDim(), numBlocks, blockSize,
                    () -> ctx.thread.run(() -> {
                        cu.streamSynchronize(ctx.stream);
                        cu.free(base);
                    }));
        });
    }

    @Override
    public void forward(ForwardBatch batch, KvCache cache, float[] logits) {
        CudaKvCache c = checkCache(cache);
        ForwardChecks.check(config, batch, c, logits == null ? Long.MAX_VALUE : logits.length);
        ctx.thread.run(() -> run(batch, c, logits, null, 0f, 1, 0));
    }

    /** Why CUDA cannot be used here, or null when the driver, NVRTC and a device are present. */
    public static String unavailableReason() {
        try {
            CudaContext.checkAvailable(CudaLibraries.fromEnvironment());
            return null;
        } catch (CudaUnavailableException e) {
            return e.getMessage();
        }
    }

    /**
     * Picks on the GPU when every sequence is greedy without logits processors: only the argmax id of each row
     * comes back and drafts are verified by comparing ids. Otherwise the rows go to the host and each sequence's
     * picker samples there (its own random stream and processors).
     */
    @Override
    public void forward(ForwardBatch batch, KvCache cache, TokenPicks picks) {
        if (!picks.allGreedy()) {
            Backend.super.forward(batch, cache, picks);
            return;
        }
        if (argmaxIds.length < batch.logitRows()) {
            argmaxIds = new int[batch.logitRows()];
        }
        forwardArgmax(batch, cache, argmaxIds);
        picks.pickFromArgmax(argmaxIds);
    }

    /**
     * Like {@link #forward} but only the index of the largest logit of each entry that wants logits comes back
     * (computed on the GPU): greedy decoding without copying the vocabulary-sized rows to the host.
     */
    public void forwardArgmax(ForwardBatch batch, KvCache cache, int[] tokens) {
        CudaKvCache c = checkCache(cache);
        ForwardChecks.check(config, batch, c, Long.MAX_VALUE);
        if (tokens.length < batch.logitRows()) {
            throw new IllegalArgumentException("tokens holds " + tokens.length + " ints, the batch has "
                    + batch.logitRows() + " entries that want logits");
        }
        ctx.thread.run(() -> run(batch, c, null, tokens, 0f, 1, 0));
    }

    /**
     * Like {@link #forwardArgmax} but each entry that wants logits gets a token drawn on the GPU from its
     * {@code topK} most likely (at most 64) at {@code temperature}; temperature 0 or topK 1 is greedy. Draws are
     * reproducible: they depend on {@code seed}, on how many sampled steps this backend has run, and on the row.
     */
    public void forwardSample(ForwardBatch batch, KvCache cache, float temperature, int topK, long seed, int[] tokens) {
        if (!(temperature >= 0) || topK < 1 || topK > LaunchGeometry.SAMPLE_MAX_K) {
            throw new IllegalArgumentException("sampling needs temperature >= 0 and 1 <= topK <= "
                    + LaunchGeometry.SAMPLE_MAX_K + ", got " + temperature + " and " + topK);
        }
        CudaKvCache c = checkCache(cache);
        ForwardChecks.check(config, batch, c, Long.MAX_VALUE);
        if (tokens.length < batch.logitRows()) {
            throw new IllegalArgumentException("tokens holds " + tokens.length + " ints, the batch has "
                    + batch.logitRows() + " entries that want logits");
        }
        ctx.thread.run(() -> run(batch, c, null, tokens, temperature, Math.min(topK, config.vocabSize()), seed));
    }

    private CudaKvCache checkCache(KvCache cache) {
        if (!(cache instanceof CudaKvCache c) || c.layers != config.layers() || c.kvDim != config.kvDim()
                || c.bf16 != kvBf16) {
            throw new IllegalArgumentException("the KV cache was not made by this backend's newKvCache");
        }
        return c;
    }

    /**
     * On the CUDA thread: the batch in chunks, each from a graph or eagerly; results into logits, or into tokens
     * (argmax when {@code temperature} is 0 or {@code topK} 1, else sampled).
     */
    private void run(ForwardBatch batch, CudaKvCache cache, float[] logitsOut, int[] tokensOut, float temperature,
                     int topK, long seed) {
        int vocab = config.vocabSize();
        int row = 0;
        for (int from = 0; from < batch.size(); from += options.maxChunk()) {
            if (from > 0) {
                cu.streamSynchronize(ctx.stream); // the previous chunk's copy from metaHost must be done
            }
            int count = Math.min(options.maxChunk(), batch.size() - from);
            int bucket = graphs.bucket(count);
            int launch = bucket > 0 ? bucket : count;
            meta.pack(batch, from, count, launch, cache.blockSize(), cache.scratchBlock());
            if (meta.length() > metaCapacity) {
                growMetadata(meta.length());
            }
            MemorySegment.copy(meta.ints(), 0, metaHost, ValueLayout.JAVA_INT, 0, meta.length());
            cu.copyHtoD(metaDevice, metaHost, (long) meta.length() * 4, ctx.stream);
            int wanted = meta.logitRows();
            if (bucket > 0) {
                if (graphCache != cache) {
                    graphCache = cache;
                    metaGeneration++; // the graphs bake in the old cache's addresses
                }
                MemorySegment exec = graphs.get(bucket, metaGeneration, b -> capture(b, cache));
                cu.launchGraph(exec, ctx.stream);
            } else {
                enqueue(launch, wanted, cache);
            }
            if (wanted > 0) {
                if (tokensOut != null) {
                    if (temperature > 0 && topK > 1) {
                        k.launch("sample_topk", LaunchGeometry.argmax(wanted), logits, vocab, argmaxOut, temperature,
                                topK, seed, sampleCounter++);
                    } else {
                        k.launch("argmax", LaunchGeometry.argmax(wanted), logits, vocab, argmaxOut);
                    }
                    cu.copyDtoH(argmaxHost, argmaxOut, (long) wanted * 4, ctx.stream);
                    cu.streamSynchronize(ctx.stream);
                    MemorySegment.copy(argmaxHost, ValueLayout.JAVA_INT, 0, tokensOut, row, wanted);
                } else if (logitsOut != null) {
                    cu.copyDtoH(logitsHost, logits, (long) wanted * vocab * 4, ctx.stream);
                    cu.streamSynchronize(ctx.stream);
                    MemorySegment.copy(logitsHost, ValueLayout.JAVA_FLOAT, 0, logitsOut, row * vocab,
                            wanted * vocab);
                }
                row += wanted;
            }
        }
        cu.streamSynchronize(ctx.stream);
    }

    private MemorySegment capture(int bucket, CudaKvCache cache) {
        cu.beginCapture(ctx.stream);
        try {
            enqueue(bucket, bucket, cache);
        } catch (RuntimeException e) {
            try {
                cu.destroyGraph(cu.endCapture(ctx.stream)); // leave the stream usable
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        MemorySegment graph = cu.endCapture(ctx.stream);
        try {
            return cu.instantiate(graph);
        } finally {
            cu.destroyGraph(graph);
        }
    }

    /**
     * Enqueues the forward pass of {@code n} packed entries, with output logits for the first {@code logitRows}
     * logit sources. Reads everything from device buffers at fixed addresses, so it can be captured.
     */
    private void enqueue(int n, int logitRows, CudaKvCache cache) {
        int dim = config.dim(), ffn = config.ffnDim(), hs = config.headSize();
        long tokens = metaDevice;
        long blocks = metaDevice + 4L * 4 * n; // BatchMetadata's layout for a launch of n entries
        long logitSources = metaDevice + 4L * 3 * n;
        String kv = cache.bf16 ? "bf16" : "f32";
        String attention = "attention_" + kv + "_" + LaunchGeometry.attentionLanes(hs);
        LaunchGeometry.Launch rows = LaunchGeometry.perRow(n);
        LaunchGeometry.Launch att = LaunchGeometry.attention(config.heads(), n, hs);
        float scale = (float) (1 / Math.sqrt(hs));
        k.launch("embed_" + embedding.type().kernel, rows, embedding.data(), embedding.scales(), embedding.ld(), dim,
                tokens, x);
        for (int l = 0; l < layers.length; l++) {
            Layer layer = layers[l];
            k.launch("rmsnorm", rows, x, xn, layer.attnNorm, dim, config.rmsNormEps(), 0L);
            matmul(layer.qkv, xn, dim, qkv, qkvDim, n, false);
            k.launch("rope_store_" + kv, rows, qkv, qkvDim, metaDevice, n, blocks, ropeFreqs, config.heads(),
                    config.kvHeads(), hs, cache.blockSize(), cache.keys(l), cache.values(l));
            k.launch(attention, att, qkv, qkvDim, metaDevice, n, blocks, cache.keys(l), cache.values(l), attn,
                    config.heads(), config.kvHeads(), hs, cache.blockSize(), scale);
            matmul(layer.wo, attn, dim, x, dim, n, true);
            k.launch("rmsnorm", rows, x, xn, layer.ffnNorm, dim, config.rmsNormEps(), 0L);
            matmul(layer.gateUp, xn, dim, gu, 2 * ffn, n, false);
            k.launch("swiglu", LaunchGeometry.elementwise((long) n * ffn), gu, hidden, ffn, n);
            matmul(layer.down, hidden, ffn, x, dim, n, true);
        }
        if (logitRows > 0) {
            k.launch("rmsnorm", LaunchGeometry.perRow(logitRows), x, xn, outputNorm, dim, config.rmsNormEps(),
                    logitSources);
            matmul(output, xn, dim, logits, config.vocabSize(), logitRows, false);
        }
    }

    /**
     * Tokens above which a quantized (or F16) matrix is widened to bf16 for one cuBLAS product. Widening costs a
     * read of the weights plus a write and a read of twice their bytes whatever the batch: an 8B FP8 step took
     * about 24 ms that way on an H200 at 16 to 64 tokens, while the GEMV kernels, which read the weights once per 8
     * tokens, took 14 ms for 8 tokens and 27 ms for 16.
     */
    static final int WIDEN_FOR_CUBLAS_TOKENS = 12;

    /**
     * y (+)= W·x for n tokens: cuBLAS for F32/BF16 weights from two tokens (on an H200 an 8B bf16 step took
     * 5.9-6.0 ms for 2 to 16 tokens, as the GEMV kernel's for one, 7.0 ms for 64) and for other weights from
     * {@link #WIDEN_FOR_CUBLAS_TOKENS} (widening them first), else the GEMV kernels.
     */
    private void matmul(DeviceMatrix w, long in, int ldx, long out, int ldy, int n, boolean accumulate) {
        boolean direct = w.type() == DeviceMatrix.Type.BF16 || w.type() == DeviceMatrix.Type.F32;
        if (ctx.cublas != null && n > (direct ? 1 : WIDEN_FOR_CUBLAS_TOKENS)) {
            long a = w.data(), lda = w.ld();
            int type = Cublas.CUDA_R_16BF;
            if (w.type() == DeviceMatrix.Type.F32) {
                type = Cublas.CUDA_R_32F;
            } else if (!direct) {
                lda = LaunchGeometry.weightStride(w.cols());
                a = widenedBuffer;
                k.launch("convert_" + w.type().kernel + "_bf16", LaunchGeometry.perRow(w.rows()), w.data(), w.scales(),
                        w.ld(), w.cols(), a, lda);
            }
            long b = in;
            if (type == Cublas.CUDA_R_16BF) {
                k.launch("to_bf16", LaunchGeometry.elementwise((long) n * ldx), in, lowp, (long) n * ldx);
                b = lowp;
            }
            ctx.cublas.gemm(type, a, w.rows(), w.cols(), lda, b, ldx, out, ldy, n, accumulate);
            return;
        }
        int t0 = 0;
        for (int nt : LaunchGeometry.gemvChunks(n)) {
            k.launch("gemv_" + w.type().kernel + "_" + nt, LaunchGeometry.gemv(w.rows(), nt), w.data(), w.scales(), w.rows(), w.cols(), w.ld(),
                    in + 4L * t0 * ldx, ldx, out + 4L * t0 * ldy, ldy, accumulate ? 1 : 0);
            t0 += nt;
        }
    }

    private void growMetadata(int ints) {
        int capacity = Math.max(ints, 2 * metaCapacity);
        if (metaDevice != 0) {
            cu.streamSynchronize(ctx.stream);
            cu.free(metaDevice);
            cu.freeHost(metaHost);
        }
        metaDevice = cu.malloc(4L * capacity);
        metaHost = cu.hostAlloc(4L * capacity);
        metaCapacity = capacity;
        metaGeneration++; // graphs read the old buffer's address: capture again
    }

    // ---- measurements for the bench and the check ----

    /**
     * Device-to-device copy bandwidth in GB/s, counting bytes read plus bytes written: the memory ceiling a decode
     * step's weight reads are compared with. Median of {@code reps} copies of {@code bytes}, timed with events.
     */
    public double copyBandwidthGBs(long bytes, int reps) {
        return ctx.thread.call(() -> {
            long a = cu.malloc(bytes), b = cu.malloc(bytes);
            MemorySegment start = cu.createEvent(), end = cu.createEvent();
            try {
                cu.memset(a, (byte) 0x5a, bytes, ctx.stream);
                cu.copyDtoD(b, a, bytes, ctx.stream); // warm-up
                float[] ms = new float[reps];
                for (int r = 0; r < reps; r++) {
                    cu.record(start, ctx.stream);
                    cu.copyDtoD(r % 2 == 0 ? b : a, r % 2 == 0 ? a : b, bytes, ctx.stream);
                    cu.record(end, ctx.stream);
                    cu.eventSynchronize(end);
                    ms[r] = cu.elapsedMillis(start, end);
                }
                Arrays.sort(ms);
                return 2.0 * bytes / (ms[reps / 2] / 1e3) / 1e9;
            } finally {
                cu.destroyEvent(start);
                cu.destroyEvent(end);
                cu.free(a);
                cu.free(b);
            }
        });
    }

    /** Waits for the GPU and returns its {free, total} memory in bytes. */
    public long[] memoryInfo() {
        return ctx.thread.call(() -> {
            cu.synchronize();
            return cu.memInfo();
        });
    }

    @Override
    public void close() {
        ctx.thread.run(() -> {
            cu.streamSynchronize(ctx.stream);
            graphs.clear();
            allocations.forEach(cu::free);
            cu.free(metaDevice);
            cu.freeHost(metaHost);
            cu.freeHost(logitsHost);
            cu.freeHost(argmaxHost);
        });
        ctx.close();
    }
}
