package dev.switchboard.inference.hf;

import dev.switchboard.inference.cpu.WeightTensor;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.gguf.GgufTensor;
import dev.switchboard.inference.json.Json;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.tokenizer.Gpt2Bytes;
import dev.switchboard.inference.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes Hugging Face checkpoint folders for tests: safetensors files (by a small writer of the format), config.json
 * and tokenizer.json, from the weights of a GGUF so that both forms hold the same numbers.
 */
public final class HfTestCheckpoints {
    public record Stored(String dtype, long[] shape, byte[] bytes) {}

    private HfTestCheckpoints() {
    }

    /** A safetensors file: 8-byte header length, JSON header (padded with spaces to 8 bytes), data. */
    public static void writeSafetensors(Path file, Map<String, Stored> tensors) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (Map.Entry<String, Stored> e : tensors.entrySet()) {
            Stored t = e.getValue();
            header.put(e.getKey(), Map.of("dtype", t.dtype, "shape", t.shape, "data_offsets",
                    List.of(offset, offset + t.bytes.length)));
            offset += t.bytes.length;
        }
        StringBuilder json = new StringBuilder(Json.write(header));
        while ((json.length() + 8) % 8 != 0) {
            json.append(' ');
        }
        byte[] h = json.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            out.write(h);
            for (Stored t : tensors.values()) {
                out.write(t.bytes);
            }
        }
    }

    public static void writeJson(Path file, Object value) throws IOException {
        Files.writeString(file, Json.write(value));
    }

    /**
     * The GGUF's weights as Hugging Face tensors, split over {@code shards} files with an index when more than one.
     * F32/F16/BF16 tensors keep their bytes; quantized ones become F32. Q and K rows go back to the rotary
     * layout of Hugging Face ({@code c} gives the heads; null leaves them in GGUF's order, which is wrong).
     */
    public static void writeWeights(GgufFile gguf, LlamaConfig c, Path dir, int shards) throws IOException {
        Map<String, Stored> all = new LinkedHashMap<>();
        for (GgufTensor t : gguf.tensors().values()) {
            String name = hfName(t.name());
            if (name == null) {
                continue;
            }
            int heads = c == null ? 0 : t.name().endsWith("attn_q.weight") ? c.heads()
                    : t.name().endsWith("attn_k.weight") ? c.kvHeads() : 0;
            all.put(name, stored(gguf, t, heads));
        }
        if (shards == 1) {
            writeSafetensors(dir.resolve(HfCheckpoint.SINGLE), all);
            return;
        }
        List<Map<String, Stored>> parts = new ArrayList<>();
        Map<String, Object> weightMap = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, Stored> e : all.entrySet()) {
            int shard = i++ * shards / all.size();
            while (parts.size() <= shard) {
                parts.add(new LinkedHashMap<>());
            }
            parts.get(shard).put(e.getKey(), e.getValue());
            weightMap.put(e.getKey(), shardName(shard, shards));
        }
        for (int s = 0; s < shards; s++) {
            writeSafetensors(dir.resolve(shardName(s, shards)), parts.get(s));
        }
        writeJson(dir.resolve(HfCheckpoint.INDEX), Map.of("metadata", Map.of("total_size", 0), "weight_map", weightMap));
    }

    public static String shardName(int shard, int shards) {
        return String.format("model-%05d-of-%05d.safetensors", shard + 1, shards);
    }

    private static Stored stored(GgufFile gguf, GgufTensor t, int permuteHeads) {
        long[] shape = t.shape().length == 1 ? new long[]{t.shape()[0]} : new long[]{t.shape()[1], t.shape()[0]};
        int rows = t.rows(), cols = t.cols();
        boolean raw = t.type() == GgmlType.F32 || t.type() == GgmlType.F16 || t.type() == GgmlType.BF16;
        GgmlType type = raw ? t.type() : GgmlType.F32;
        int rowBytes = (int) type.byteSize(cols);
        byte[] bytes = new byte[rows * rowBytes];
        WeightTensor w = WeightTensor.of(gguf, t);
        float[] row = new float[cols];
        for (int g = 0; g < rows; g++) {
            int hfRow = permuteHeads == 0 ? g : HfCheckpoint.hfRotaryRow(g, rows / permuteHeads);
            if (raw) {
                t.data().asSlice((long) g * rowBytes, rowBytes).asByteBuffer().get(bytes, hfRow * rowBytes, rowBytes);
            } else {
                w.dequantizeRow(g, row, 0);
                WeightTensor.quantize(GgmlType.F32, row, 0, cols, bytes, hfRow * rowBytes);
            }
        }
        String dtype = switch (type) {
            case F16 -> "F16";
            case BF16 -> "BF16";
            default -> "F32";
        };
        return new Stored(dtype, shape, bytes);
    }

    private static String hfName(String gguf) {
        if (gguf.equals("token_embd.weight")) {
            return "model.embed_tokens.weight";
        }
        if (gguf.equals("output_norm.weight")) {
            return "model.norm.weight";
        }
        if (gguf.equals("output.weight")) {
            return "lm_head.weight";
        }
        if (!gguf.startsWith("blk.")) {
            return null;
        }
        String[] p = gguf.split("\\.", 3);
        String layer = "model.layers." + p[1] + ".";
        return layer + switch (p[2]) {
            case "attn_norm.weight" -> "input_layernorm.weight";
            case "attn_q.weight" -> "self_attn.q_proj.weight";
            case "attn_k.weight" -> "self_attn.k_proj.weight";
            case "attn_v.weight" -> "self_attn.v_proj.weight";
            case "attn_output.weight" -> "self_attn.o_proj.weight";
            case "ffn_norm.weight" -> "post_attention_layernorm.weight";
            case "ffn_gate.weight" -> "mlp.gate_proj.weight";
            case "ffn_up.weight" -> "mlp.up_proj.weight";
            case "ffn_down.weight" -> "mlp.down_proj.weight";
            default -> throw new IllegalArgumentException("unexpected tensor " + gguf);
        };
    }

    /** config.json of a Llama with shape {@code c}. */
    public static Map<String, Object> config(LlamaConfig c, boolean tied, int bos, Object eos) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("LlamaForCausalLM"));
        m.put("model_type", "llama");
        m.put("hidden_size", c.dim());
        m.put("intermediate_size", c.ffnDim());
        m.put("num_hidden_layers", c.layers());
        m.put("num_attention_heads", c.heads());
        m.put("num_key_value_heads", c.kvHeads());
        m.put("vocab_size", c.vocabSize());
        m.put("max_position_embeddings", c.contextLength());
        m.put("rms_norm_eps", (double) c.rmsNormEps());
        m.put("rope_theta", (double) c.ropeTheta());
        m.put("hidden_act", "silu");
        m.put("tie_word_embeddings", tied);
        m.put("torch_dtype", "bfloat16");
        m.put("bos_token_id", bos);
        m.put("eos_token_id", eos);
        if (c.ropeScaling() != null) {
            LlamaConfig.RopeScaling s = c.ropeScaling();
            m.put("rope_scaling", Map.of("rope_type", "llama3", "factor", (double) s.factor(),
                    "low_freq_factor", (double) s.lowFreqFactor(), "high_freq_factor", (double) s.highFreqFactor(),
                    "original_max_position_embeddings", s.originalContextLength()));
        }
        return m;
    }

    /** Llama 3's pre-tokenizer and decoder as tokenizer.json spells them. */
    private static Map<String, Object> byteLevel(Map<String, Object> model, List<Map<String, Object>> added) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("version", "1.0");
        t.put("added_tokens", added);
        t.put("normalizer", null);
        t.put("pre_tokenizer", Map.of("type", "Sequence", "pretokenizers", List.of(
                Map.of("type", "Split", "pattern", Map.of("Regex", HfTokenizer.LLAMA3_SPLIT), "behavior", "Isolated",
                        "invert", false),
                Map.of("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", true, "use_regex", false))));
        t.put("decoder", Map.of("type", "ByteLevel"));
        t.put("model", model);
        return t;
    }

    /**
     * tokenizer.json of a byte-level BPE vocabulary: {@code tokenizer}'s normal tokens in GPT-2 byte spelling,
     * every split of a token into two tokens a merge (in the token's rank order, as Hugging Face's converter of
     * tiktoken files orders them), its special tokens as added tokens.
     */
    public static Map<String, Object> byteLevelTokenizer(Tokenizer tokenizer) {
        Map<String, Object> vocab = new LinkedHashMap<>();
        Map<String, Integer> ids = new HashMap<>();
        List<Map<String, Object>> added = new ArrayList<>();
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            if (tokenizer.isSpecial(id)) {
                added.add(addedToken(id, new String(tokenizer.tokenBytes(id), StandardCharsets.UTF_8)));
            } else {
                String s = Gpt2Bytes.encode(tokenizer.tokenBytes(id));
                vocab.put(s, id);
                ids.put(s, id);
            }
        }
        List<List<String>> merges = new ArrayList<>();
        for (Map.Entry<String, Object> e : vocab.entrySet()) {
            String t = e.getKey();
            for (int k = 1; k < t.length(); k++) {
                if (ids.containsKey(t.substring(0, k)) && ids.containsKey(t.substring(k))) {
                    merges.add(List.of(t.substring(0, k), t.substring(k)));
                }
            }
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("ignore_merges", true);
        model.put("vocab", vocab);
        model.put("merges", merges);
        return byteLevel(model, added);
    }

    /** A tokenizer.json of the 256 bytes, then {@code specials} special tokens named {@code <|special_i|>}. */
    public static Map<String, Object> bytesTokenizer(int specials) {
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(Gpt2Bytes.encode(new byte[]{(byte) b}), b);
        }
        List<Map<String, Object>> added = new ArrayList<>();
        for (int i = 0; i < specials; i++) {
            added.add(addedToken(256 + i, "<|special_" + i + "|>"));
        }
        return byteLevel(Map.of("type", "BPE", "vocab", vocab, "merges", List.of()), added);
    }

    /**
     * tokenizer.json of a SentencePiece-style GGUF vocabulary ({@code tokenizer.ggml.model = "llama"}): byte
     * fallback, "▁" for spaces, merges from every split of a token into two tokens, higher-scored results first.
     */
    public static Map<String, Object> sentencePieceTokenizer(GgufFile gguf) {
        String[] tokens = gguf.getStringArray("tokenizer.ggml.tokens");
        float[] scores = gguf.getFloatArray("tokenizer.ggml.scores");
        int[] types = gguf.getIntArray("tokenizer.ggml.token_type");
        Map<String, Object> vocab = new LinkedHashMap<>();
        List<Map<String, Object>> added = new ArrayList<>();
        for (int id = 0; id < tokens.length; id++) {
            vocab.put(tokens[id], id);
            if (types[id] == 3) {
                added.add(addedToken(id, tokens[id]));
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int id = 0; id < tokens.length; id++) {
            order.add(id);
        }
        order.sort(Comparator.comparingDouble((Integer id) -> -scores[id]).thenComparing(id -> id));
        List<String> merges = new ArrayList<>();
        for (int id : order) {
            String t = tokens[id];
            if (types[id] != 1) {
                continue;
            }
            for (int k = 1; k < t.length(); k++) {
                if (vocab.containsKey(t.substring(0, k)) && vocab.containsKey(t.substring(k))) {
                    merges.add(t.substring(0, k) + " " + t.substring(k));
                }
            }
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("byte_fallback", true);
        model.put("fuse_unk", true);
        model.put("unk_token", "<unk>");
        model.put("vocab", vocab);
        model.put("merges", merges);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("version", "1.0");
        t.put("added_tokens", added);
        t.put("normalizer", Map.of("type", "Sequence", "normalizers", List.of(
                Map.of("type", "Prepend", "prepend", "\u2581"),
                Map.of("type", "Replace", "pattern", Map.of("String", " "), "content", "\u2581"))));
        t.put("pre_tokenizer", null);
        t.put("model", model);
        return t;
    }

    private static Map<String, Object> addedToken(int id, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("content", content);
        m.put("single_word", false);
        m.put("lstrip", false);
        m.put("rstrip", false);
        m.put("normalized", false);
        m.put("special", true);
        return m;
    }
}
