package dev.switchboard.inference.hf;

import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.json.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code config.json} of a Hugging Face Llama checkpoint as the {@code llama.*} GGUF metadata it stands for. */
final class LlamaMetadata {
    private LlamaMetadata() {
    }

    /** The metadata; anything that is not a plain Llama (other architectures, biases, activations) is refused. */
    static Map<String, Object> fromConfig(JsonFile config) {
        String modelType = config.string("model_type", null);
        Object architectures = config.map().get("architectures");
        boolean llama = architectures instanceof List<?> list ? list.contains("LlamaForCausalLM")
                : "llama".equals(modelType);
        if (!llama) {
            throw config.fail("key 'architectures' is " + Json.write(architectures) + " (model_type "
                    + Json.write(modelType) + "); only LlamaForCausalLM is supported");
        }
        if (!config.string("hidden_act", "silu").equals("silu")) {
            throw config.fail("key 'hidden_act' is '" + config.string("hidden_act", "") + "', only 'silu' is supported");
        }
        for (String bias : List.of("attention_bias", "mlp_bias")) {
            if (config.bool(bias, false)) {
                throw config.fail("key '" + bias + "' is true; Llama layers with biases are not supported");
            }
        }
        int dim = config.positiveInt("hidden_size");
        int heads = config.positiveInt("num_attention_heads");
        int kvHeads = config.positiveInt("num_key_value_heads", heads);
        if (dim % heads != 0 || (dim / heads) % 2 != 0 || heads % kvHeads != 0) {
            throw config.fail("hidden_size " + dim + ", num_attention_heads " + heads + " and num_key_value_heads "
                    + kvHeads + " do not give an even head size shared by whole groups of heads");
        }
        if (config.has("head_dim") && config.positiveInt("head_dim") != dim / heads) {
            throw config.fail("key 'head_dim' is " + config.positiveInt("head_dim") + ", but only hidden_size / "
                    + "num_attention_heads = " + dim / heads + " is supported");
        }
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("general.architecture", "llama");
        md.put("general.name", config.file().getParent().getFileName().toString());
        md.put("llama.context_length", config.positiveInt("max_position_embeddings"));
        md.put("llama.embedding_length", dim);
        md.put("llama.block_count", config.positiveInt("num_hidden_layers"));
        md.put("llama.feed_forward_length", config.positiveInt("intermediate_size"));
        md.put("llama.rope.dimension_count", dim / heads);
        md.put("llama.attention.head_count", heads);
        md.put("llama.attention.head_count_kv", kvHeads);
        md.put("llama.attention.layer_norm_rms_epsilon", (float) config.number("rms_norm_eps", 1e-6));
        md.put("llama.rope.freq_base", (float) config.number("rope_theta", 10000));
        md.put("llama.vocab_size", config.positiveInt("vocab_size"));
        if (config.has("rope_scaling")) {
            JsonFile s = config.object("rope_scaling");
            String type = s.string("rope_type", s.string("type", "default"));
            switch (type) {
                case "default" -> { }
                case "llama3" -> {
                    md.put("llama.rope.scaling.type", "llama3");
                    md.put("llama.rope.scaling.factor", (float) s.get("factor", Number.class, "a number").doubleValue());
                    md.put("llama.rope.scaling.low_freq_factor",
                            (float) s.get("low_freq_factor", Number.class, "a number").doubleValue());
                    md.put("llama.rope.scaling.high_freq_factor",
                            (float) s.get("high_freq_factor", Number.class, "a number").doubleValue());
                    md.put("llama.rope.scaling.original_context_length",
                            s.positiveInt("original_max_position_embeddings"));
                }
                default -> throw config.fail("key 'rope_scaling' has rope_type '" + type
                        + "'; only 'llama3' (Llama 3.1) and 'default' are supported");
            }
        }
        return md;
    }

    /** llama.cpp's {@code general.file_type} for a model whose matrices are all {@code type}. */
    static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q4_K -> 15;
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("no file type for " + type);
        };
    }
}
