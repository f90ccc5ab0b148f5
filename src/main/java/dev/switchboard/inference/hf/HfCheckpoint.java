package dev.switchboard.inference.hf;

import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.gguf.GgufTensor;
import dev.switchboard.inference.json.Json;
import dev.switchboard.inference.model.LoadProgress;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A Hugging Face Llama checkpoint folder ({@code config.json}, {@code model.safetensors} or shards listed in
 * {@code model.safetensors.index.json}, {@code tokenizer.json}, optionally {@code tokenizer_config.json} and
 * {@code generation_config.json}) opened as a {@link GgufFile} view: the same {@code llama.*} and
 * {@code tokenizer.ggml.*} metadata and GGUF tensor names a converted file would have, so every backend, the
 * tokenizer loader and the GGUF writer take it unchanged.
 *
 * <p>Tensors stay in the safetensors mappings in their stored type (BF16, F16 or F32), except Q and K, whose rows
 * are reordered from Hugging Face's rotary layout (a head's first half rotates with its second half) to GGUF's
 * (adjacent pairs rotate together), and matrices quantized at load when a weight type is asked for.
 */
public final class HfCheckpoint {
    static final String CONFIG = "config.json";
    static final String INDEX = "model.safetensors.index.json";
    static final String SINGLE = "model.safetensors";
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Arena arena;
    private final Map<String, Safetensors.Tensor> stored = new HashMap<>();
    /** The file that lists or holds each stored tensor: what an error about it names. */
    private final Map<String, Path> source = new HashMap<>();
    private final Path listing;

    private HfCheckpoint(Path dir, Arena arena) {
        this.arena = arena;
        Path index = dir.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            listing = index;
            JsonFile weightMap = JsonFile.read(index).object("weight_map");
            Map<String, Map<String, Safetensors.Tensor>> shards = new HashMap<>();
            for (Map.Entry<String, Object> e : weightMap.map().entrySet()) {
                if (!(e.getValue() instanceof String shard) || shard.contains("/") || shard.contains("\\")) {
                    throw new HfException(index, "weight_map entry '" + e.getKey() + "' is " + Json.write(e.getValue())
                            + ", expected a shard file name in this folder");
                }
                Path shardFile = dir.resolve(shard);
                if (!Files.isRegularFile(shardFile)) {
                    throw new HfException(shardFile, "is missing (" + INDEX + " lists tensor '" + e.getKey()
                            + "' in it)");
                }
                Safetensors.Tensor t = shards.computeIfAbsent(shard, s -> Safetensors.open(shardFile, arena))
                        .get(e.getKey());
                if (t == null) {
                    throw new HfException(shardFile, "has no tensor '" + e.getKey() + "' although " + INDEX
                            + " lists it there");
                }
                stored.put(e.getKey(), t);
                source.put(e.getKey(), shardFile);
            }
        } else if (Files.isRegularFile(dir.resolve(SINGLE))) {
            listing = dir.resolve(SINGLE);
            Safetensors.open(listing, arena).forEach((name, t) -> {
                stored.put(name, t);
                source.put(name, listing);
            });
        } else {
            throw new HfException(dir, "has neither " + SINGLE + " nor " + INDEX + " (a Hugging Face checkpoint "
                    + "folder holds its weights in safetensors files)");
        }
    }

    /** Whether {@code path} names a checkpoint folder rather than a GGUF file. */
    public static boolean isCheckpoint(Path path) {
        return Files.isDirectory(path);
    }

    /**
     * Opens a checkpoint folder as a GGUF view, reporting progress per tensor as stage "loading". Errors name the
     * file and the key or tensor.
     *
     * @param weights the type to quantize every matrix to at load, or null to use them as stored
     */
    public static GgufFile open(Path dir, GgmlType weights, LoadProgress progress) {
        JsonFile config = JsonFile.read(dir.resolve(CONFIG));
        Map<String, Object> metadata = LlamaMetadata.fromConfig(config);
        Arena arena = Arena.ofShared();
        try {
            HfCheckpoint checkpoint = new HfCheckpoint(dir, arena);
            Map<String, GgufTensor> tensors = checkpoint.tensors(config, weights, progress);
            metadata.putAll(HfTokenizer.metadata(dir, config));
            metadata.put("general.file_type", LlamaMetadata.fileType(tensors.get("blk.0.attn_q.weight").type()));
            return GgufFile.assemble(dir, metadata, tensors, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private Map<String, GgufTensor> tensors(JsonFile config, GgmlType weights, LoadProgress progress) {
        int dim = config.positiveInt("hidden_size");
        int ffn = config.positiveInt("intermediate_size");
        int layers = config.positiveInt("num_hidden_layers");
        int heads = config.positiveInt("num_attention_heads");
        int kvHeads = config.positiveInt("num_key_value_heads", heads);
        int vocab = config.positiveInt("vocab_size");
        int kvDim = kvHeads * (dim / heads);
        boolean tied = config.bool("tie_word_embeddings", false);
        int total = 2 + 9 * layers + (tied ? 0 : 1);
        Map<String, GgufTensor> out = new LinkedHashMap<>();
        record Job(String gguf, String hf, long[] shape, int permuteHeads) {}
        List<Job> list = new ArrayList<>();
        list.add(new Job("token_embd.weight", "model.embed_tokens.weight", new long[]{vocab, dim}, 0));
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".", h = "model.layers." + l + ".";
            list.add(new Job(b + "attn_norm.weight", h + "input_layernorm.weight", new long[]{dim}, 0));
            list.add(new Job(b + "attn_q.weight", h + "self_attn.q_proj.weight", new long[]{dim, dim}, heads));
            list.add(new Job(b + "attn_k.weight", h + "self_attn.k_proj.weight", new long[]{kvDim, dim}, kvHeads));
            list.add(new Job(b + "attn_v.weight", h + "self_attn.v_proj.weight", new long[]{kvDim, dim}, 0));
            list.add(new Job(b + "attn_output.weight", h + "self_attn.o_proj.weight", new long[]{dim, dim}, 0));
            list.add(new Job(b + "ffn_norm.weight", h + "post_attention_layernorm.weight", new long[]{dim}, 0));
            list.add(new Job(b + "ffn_gate.weight", h + "mlp.gate_proj.weight", new long[]{ffn, dim}, 0));
            list.add(new Job(b + "ffn_up.weight", h + "mlp.up_proj.weight", new long[]{ffn, dim}, 0));
            list.add(new Job(b + "ffn_down.weight", h + "mlp.down_proj.weight", new long[]{dim, ffn}, 0));
        }
        list.add(new Job("output_norm.weight", "model.norm.weight", new long[]{dim}, 0));
        if (!tied) {
            if (!stored.containsKey("lm_head.weight")) {
                throw new HfException(listing, "tensor 'lm_head.weight' is missing, and " + CONFIG
                        + " says tie_word_embeddings is false (the output matrix is not the embedding)");
            }
            list.add(new Job("output.weight", "lm_head.weight", new long[]{vocab, dim}, 0));
        }
        progress.update("loading", 0, total);
        int done = 0;
        for (Job job : list) {
            out.put(job.gguf, convert(job.gguf, job.hf, job.shape, job.permuteHeads, weights));
            progress.update("loading", ++done, total);
        }
        return out;
    }

    /**
     * One tensor in GGUF form: shape reversed to ggml order (columns first), rows of Q/K reordered to adjacent
     * rotary pairs ({@code permuteHeads} > 0), matrices quantized to {@code weights} when given.
     */
    private GgufTensor convert(String ggufName, String hfName, long[] shape, int permuteHeads, GgmlType weights) {
        Safetensors.Tensor t = stored.get(hfName);
        if (t == null) {
            throw new HfException(listing, "tensor '" + hfName + "' is missing");
        }
        Path file = source.get(hfName);
        GgmlType type = switch (t.dtype()) {
            case "F32" -> GgmlType.F32;
            case "F16" -> GgmlType.F16;
            case "BF16" -> GgmlType.BF16;
            default -> throw new HfException(file, "tensor '" + hfName + "' has dtype " + t.dtype()
                    + ", only BF16, F16 and F32 are supported (pre-quantized checkpoints are not)");
        };
        if (!Arrays.equals(t.shape(), shape)) {
            throw new HfException(file, "tensor '" + hfName + "' has shape " + Arrays.toString(t.shape())
                    + ", but " + CONFIG + " implies " + Arrays.toString(shape));
        }
        long[] ggmlShape = shape.length == 1 ? new long[]{shape[0]} : new long[]{shape[1], shape[0]};
        boolean matrix = shape.length == 2;
        GgmlType target = matrix && weights != null ? weights : type;
        if (permuteHeads == 0 && target == type) {
            return new GgufTensor(ggufName, ggmlShape, type, t.data());
        }
        int rows = (int) shape[0], cols = (int) shape[1];
        if (cols % target.blockSize != 0) {
            throw new HfException(file, "tensor '" + hfName + "' has rows of " + cols + " values, which " + target
                    + " cannot hold (it needs multiples of " + target.blockSize + ")");
        }
        long srcRowBytes = type.byteSize(cols), dstRowBytes = target.byteSize(cols);
        MemorySegment dst = arena.allocate(dstRowBytes * rows, 64);
        int headSize = permuteHeads == 0 ? 0 : rows / permuteHeads;
        IntStream.range(0, rows).parallel().forEach(r -> {
            long src = (long) (permuteHeads == 0 ? r : hfRotaryRow(r, headSize)) * srcRowBytes;
            if (target == type) {
                MemorySegment.copy(t.data(), src, dst, r * dstRowBytes, srcRowBytes);
            } else {
                float[] values = new float[cols];
                readRow(t.data(), type, src, values);
                byte[] bytes = new byte[(int) dstRowBytes];
                dev.switchboard.inference.cpu.WeightTensor.quantize(target, values, 0, cols, bytes, 0);
                MemorySegment.copy(bytes, 0, dst, ValueLayout.JAVA_BYTE, r * dstRowBytes, bytes.length);
            }
        });
        return new GgufTensor(ggufName, ggmlShape, target, dst);
    }

    /**
     * The Hugging Face row that GGUF row {@code row} of a Q or K matrix comes from. Within a head of size
     * {@code headSize}, GGUF rotates rows (2i, 2i+1) together, Hugging Face rows (i, i + headSize/2).
     */
    static int hfRotaryRow(int row, int headSize) {
        int head = row / headSize, within = row % headSize;
        return head * headSize + (within % 2) * (headSize / 2) + within / 2;
    }

    private static void readRow(MemorySegment data, GgmlType type, long offset, float[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (type) {
                case F32 -> data.get(FLOAT, offset + 4L * i);
                case F16 -> Float.float16ToFloat(data.get(SHORT, offset + 2L * i));
                default -> Float.intBitsToFloat(data.get(SHORT, offset + 2L * i) << 16); // BF16
            };
        }
    }
}
