package dev.switchboard.inference.synthetic;

import dev.switchboard.inference.cpu.WeightTensor;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufWriter;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LlamaConfig.RopeScaling;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Random-weight Llama models of real shapes, written as GGUF: for benchmarks without downloading weights and for
 * tests. Model names as the CLI takes them: {@code synthetic:llama3-1b}, the tensor type chosen separately.
 * Matrices are uniform with variance 1/cols and norms near 1, so activations keep their scale through every layer.
 */
public final class SyntheticModels {
    public static final String PREFIX = "synthetic:";
    /**
     * A hash of the generator's and the quantizers' bytecode: {@link #file} keys its cached files on it, so that a
     * change to either writes new ones. A number bumped by hand was once forgotten, and the tests went on reading
     * files written by an old quantizer. In a holder: every engine load asks {@link #isSynthetic}, and only a
     * synthetic model needs the hash.
     */
    private static final class Key {
        static final String GENERATOR = fingerprint(generatorClasses());
    }

    /** A model shape and whether its output matrix is tied to the token embedding. */
    public record Shape(LlamaConfig config, boolean tiedOutput) {}

    private static final Map<String, Shape> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("llama3-8b", new Shape(new LlamaConfig(4096, 14336, 32, 32, 8, 128256, 131072, 1e-5f, 500000f,
                RopeScaling.LLAMA_3_1), false));
        // Llama 3.2 1B: same scaling rule with factor 32
        SHAPES.put("llama3-1b", new Shape(new LlamaConfig(2048, 8192, 16, 32, 8, 128256, 131072, 1e-5f, 500000f,
                new RopeScaling(32f, 1f, 4f, 8192)), true));
        SHAPES.put("tiny", new Shape(new LlamaConfig(256, 768, 2, 8, 2, 512, 1024, 1e-5f, 10000f, null), false));
        SHAPES.put("tiny-tied", new Shape(new LlamaConfig(256, 512, 2, 4, 1, 320, 1024, 1e-5f, 500000f,
                new RopeScaling(8f, 1f, 4f, 256)), true));
    }

    private SyntheticModels() {
    }

    /** Whether {@code model} names a synthetic model ({@code synthetic:NAME}) rather than a file. */
    public static boolean isSynthetic(String model) {
        return model.startsWith(PREFIX);
    }

    /** The known shape names. */
    public static Set<String> names() {
        return Collections.unmodifiableSet(SHAPES.keySet());
    }

    /** The shape called {@code name} (with or without the {@code synthetic:} prefix). */
    public static Shape shape(String name) {
        String bare = isSynthetic(name) ? name.substring(PREFIX.length()) : name;
        Shape s = SHAPES.get(bare);
        if (s == null) {
            throw new IllegalArgumentException("unknown synthetic model '" + bare + "'; known: "
                    + String.join(", ", SHAPES.keySet()));
        }
        return s;
    }

    /**
     * The GGUF of synthetic model {@code name} in {@code type}, generated on first use into
     * {@code java.io.tmpdir/switchboard-synthetic/} and reused afterwards (the file appears whole or not at all) until
     * the generator's code changes; writing a new one deletes the copies older code wrote (an 8B one is gigabytes).
     */
    public static Path file(String name, GgmlType type) {
        return file(name, type, Path.of(System.getProperty("java.io.tmpdir"), "switchboard-synthetic"));
    }

    /** As {@link #file(String, GgmlType)}, cached in {@code dir}. */
    static Path file(String name, GgmlType type, Path dir) {
        Shape shape = shape(name);
        String bare = isSynthetic(name) ? name.substring(PREFIX.length()) : name;
        Path target = dir.resolve(bare + "-" + type + "-" + Key.GENERATOR + ".gguf");
        if (Files.exists(target)) {
            return target;
        }
        try {
            Files.createDirectories(dir);
            Path partial = Files.createTempFile(dir, bare + "-", ".partial");
            try {
                write(shape, type, 42, partial);
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(partial);
            }
            try (Stream<Path> older = Files.list(dir)) {
                for (Path p : older.filter(p -> isOlderCopy(p, bare + "-" + type + "-", target)).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthetic model " + target, e);
        }
        return target;
    }

    /** Whether {@code p} is this model's and type's file ({@code prefix}) keyed by another generator. */
    private static boolean isOlderCopy(Path p, String prefix, Path current) {
        String f = p.getFileName().toString();
        return f.startsWith(prefix) && f.endsWith(".gguf") && !p.equals(current);
    }

    /** The classes whose code decides a synthetic file's bytes. */
    static List<Class<?>> generatorClasses() {
        return Stream.concat(Stream.of(SyntheticModels.class, GgufWriter.class), WeightTensor.QUANTIZERS.stream())
                .toList();
    }

    /** The key of the cached files ({@link #file}). */
    static String generator() {
        return Key.GENERATOR;
    }

    /** The first 12 hex digits of SHA-256 over the class files of {@code classes}. */
    static String fingerprint(List<Class<?>> classes) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Class<?> c : classes) {
                String file = c.getName().substring(c.getName().lastIndexOf('.') + 1) + ".class";
                try (InputStream in = c.getResourceAsStream(file)) {
                    if (in == null) {
                        throw new IllegalStateException("no class file " + file + " to key the synthetic models on");
                    }
                    sha.update(in.readAllBytes());
                }
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    /** Writes synthetic model {@code name} in {@code type} to {@code target} (seed 42, as {@link #file} uses). */
    public static Path write(String name, GgmlType type, Path target) throws IOException {
        return write(shape(name), type, 42, target);
    }

    /** The type of each matrix of a model: by tensor name, its layer (-1 outside layers) and the layer count. */
    @FunctionalInterface
    public interface TensorTypes {
        GgmlType of(String tensor, int layer, int layers);
    }

    /**
     * llama.cpp's Q4_K_M recipe, the file most people run on CPUs: Q4_K, but Q6_K for the output matrix (the token
     * embedding when tied) and for attn_v and ffn_down in the first and last eighth of the layers and every third
     * layer between.
     */
    public static final TensorTypes Q4_K_M = (tensor, layer, layers) -> {
        if (tensor.equals("output.weight")) {
            return GgmlType.Q6_K;
        }
        boolean moreBits = layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
        return layer >= 0 && moreBits && (tensor.endsWith("attn_v.weight") || tensor.endsWith("ffn_down.weight"))
                ? GgmlType.Q6_K : GgmlType.Q4_K;
    };

    /** Weight types by name: any {@link GgmlType} for every matrix, or the mix {@code Q4_K_M}. */
    public static TensorTypes types(String name) {
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        if (upper.equals("Q4_K_M")) {
            return Q4_K_M;
        }
        GgmlType type = GgmlType.valueOf(upper);
        return (tensor, layer, layers) -> type;
    }

    /**
     * A writer holding {@code c} as the {@code llama.*} keys {@link LlamaConfig#fromGguf} reads back, Llama 3.1
     * scaling included; {@code name} becomes {@code general.name} unless null.
     */
    public static GgufWriter llamaMetadata(LlamaConfig c, String name) {
        GgufWriter w = new GgufWriter().put("general.architecture", "llama");
        if (name != null) {
            w.put("general.name", name);
        }
        w.put("llama.embedding_length", c.dim())
                .put("llama.feed_forward_length", c.ffnDim())
                .put("llama.block_count", c.layers())
                .put("llama.attention.head_count", c.heads())
                .put("llama.attention.head_count_kv", c.kvHeads())
                .put("llama.attention.layer_norm_rms_epsilon", c.rmsNormEps())
                .put("llama.rope.freq_base", c.ropeTheta())
                .put("llama.context_length", c.contextLength())
                .put("llama.vocab_size", c.vocabSize());
        if (c.ropeScaling() != null) {
            // no llama.rope.scaling.type: llama.cpp knows no "llama3" type (its converter writes rope_freqs divisors
            // instead) and refuses the file; LlamaConfig reads these keys as Llama 3.1 scaling without it
            RopeScaling s = c.ropeScaling();
            w.put("llama.rope.scaling.factor", s.factor())
                    .put("llama.rope.scaling.low_freq_factor", s.lowFreqFactor())
                    .put("llama.rope.scaling.high_freq_factor", s.highFreqFactor())
                    .put("llama.rope.scaling.original_context_length", s.originalContextLength());
        }
        return w;
    }

    /**
     * Writes a random-weight model of {@code shape}: every matrix in {@code type}, norms in F32. Llama 3.1 scaling in
     * the config is written as the {@code llama.rope.scaling.*} keys. Same seed, same file. Returns {@code target}.
     */
    public static Path write(Shape shape, GgmlType type, long seed, Path target) throws IOException {
        checkFits(shape.config(), type);
        return write(shape, (tensor, layer, layers) -> type, seed, target);
    }

    /** As {@link #write(Shape, GgmlType, long, Path)}, each matrix in the type {@code types} gives it. */
    public static Path write(Shape shape, TensorTypes types, long seed, Path target) throws IOException {
        return write(shape, types, Map.of(), seed, target);
    }

    /**
     * As {@link #write(Shape, TensorTypes, long, Path)}, with the tokenizer metadata {@code vocabulary} (empty: none,
     * so llama.cpp makes {@code llama.vocab_size} dummy tokens and its benches draw random ids from them). A
     * vocabulary must have as many tokens as the shape's embedding has rows.
     */
    public static Path write(Shape shape, TensorTypes types, Map<String, Object> vocabulary, long seed, Path target)
            throws IOException {
        LlamaConfig c = shape.config();
        int n = c.layers();
        GgufWriter w = llamaMetadata(c, "synthetic random-weight llama");
        if (vocabulary.isEmpty()) {
            w.put("tokenizer.ggml.model", "none");
        } else {
            int tokens = vocabulary.get("tokenizer.ggml.tokens") instanceof String[] t ? t.length : 0;
            if (tokens != c.vocabSize()) {
                throw new IllegalArgumentException("the vocabulary has " + tokens + " tokens, the shape's embedding "
                        + c.vocabSize() + " rows");
            }
            vocabulary.forEach(w::put);
        }
        int id = 0;
        // embeddings of unit scale: RMSNorm removes the scale anyway, and the tied output then yields varied logits;
        // a tied embedding is the output matrix, so it takes the output's type
        matrix(w, "token_embd.weight", c.dim(), c.vocabSize(),
                types.of(shape.tiedOutput() ? "output.weight" : "token_embd.weight", -1, n), 1f, seed, id++);
        for (int l = 0; l < n; l++) {
            String p = "blk." + l + ".";
            norm(w, p + "attn_norm.weight", c.dim(), seed, id++);
            for (String m : new String[]{"attn_q", "attn_k", "attn_v", "attn_output"}) {
                int rows = m.equals("attn_k") || m.equals("attn_v") ? c.kvDim() : c.dim();
                matrix(w, p + m + ".weight", c.dim(), rows, types.of(p + m + ".weight", l, n), seed, id++);
            }
            norm(w, p + "ffn_norm.weight", c.dim(), seed, id++);
            matrix(w, p + "ffn_gate.weight", c.dim(), c.ffnDim(), types.of(p + "ffn_gate.weight", l, n), seed, id++);
            matrix(w, p + "ffn_up.weight", c.dim(), c.ffnDim(), types.of(p + "ffn_up.weight", l, n), seed, id++);
            matrix(w, p + "ffn_down.weight", c.ffnDim(), c.dim(), types.of(p + "ffn_down.weight", l, n), seed, id++);
        }
        norm(w, "output_norm.weight", c.dim(), seed, id++);
        if (!shape.tiedOutput()) {
            matrix(w, "output.weight", c.dim(), c.vocabSize(), types.of("output.weight", -1, n), seed, id);
        }
        w.write(target);
        return target;
    }

    private static void checkFits(LlamaConfig c, GgmlType type) {
        if (c.dim() % type.blockSize != 0 || c.ffnDim() % type.blockSize != 0) {
            throw new IllegalArgumentException(type + " needs rows that are multiples of " + type.blockSize
                    + ", but dim is " + c.dim() + " and ffn dim " + c.ffnDim());
        }
    }

    private static void matrix(GgufWriter w, String name, int cols, int rows, GgmlType type, long seed, int id) {
        matrix(w, name, cols, rows, type, (float) Math.sqrt(3.0 / cols), seed, id);
    }

    /** Rows are generated and quantized in parallel chunks, each row from its own seed: same file at any speed. */
    private static void matrix(GgufWriter w, String name, int cols, int rows, GgmlType type, float bound, long seed,
                               int id) {
        int rowBytes = Math.toIntExact(type.byteSize(cols));
        int chunkRows = Math.max(1, (4 << 20) / rowBytes);
        w.tensor(name, new long[]{cols, rows}, type, out -> {
            byte[] chunk = new byte[chunkRows * rowBytes];
            for (int r0 = 0; r0 < rows; r0 += chunkRows) {
                int start = r0, count = Math.min(chunkRows, rows - r0);
                IntStream.range(0, count).parallel().forEach(i -> {
                    float[] values = new float[cols];
                    SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + id * 4_000_037L + start + i);
                    for (int j = 0; j < cols; j++) {
                        values[j] = (float) rnd.nextDouble(-bound, bound);
                    }
                    WeightTensor.quantize(type, values, 0, cols, chunk, i * rowBytes);
                });
                out.write(chunk, 0, count * rowBytes);
            }
        });
    }

    private static void norm(GgufWriter w, String name, int dim, long seed, int id) {
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + id * 4_000_037L);
        float[] values = new float[dim];
        for (int j = 0; j < dim; j++) {
            values[j] = (float) rnd.nextDouble(0.8, 1.2);
        }
        w.tensor(name, new long[]{dim}, values);
    }
}
