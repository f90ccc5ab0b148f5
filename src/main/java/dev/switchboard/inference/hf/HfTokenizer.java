package dev.switchboard.inference.hf;

import dev.switchboard.inference.json.Json;
import dev.switchboard.inference.tokenizer.Tokenizers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A checkpoint's {@code tokenizer.json} (with {@code tokenizer_config.json} and {@code generation_config.json}) as
 * the {@code tokenizer.ggml.*} metadata GGUF uses for the same vocabulary: Llama 3's byte-level BPE becomes
 * {@code gpt2}/{@code llama-bpe}; a byte-fallback BPE over "▁"-spaced pieces (Llama 2, TinyStories) becomes
 * SentencePiece-style {@code llama}, its merge ranks turned into scores. The engine's tokenizers then load it as
 * they load a GGUF.
 */
final class HfTokenizer {
    /** Llama 3's pre-tokenizer split pattern, as tokenizer.json spells it. */
    static final String LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|"
            + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;

    private HfTokenizer() {
    }

    static Map<String, Object> metadata(Path dir, JsonFile config) {
        JsonFile tokenizer = JsonFile.read(dir.resolve("tokenizer.json"));
        JsonFile model = tokenizer.object("model");
        if (!"BPE".equals(model.string("type", "BPE"))) {
            throw tokenizer.fail("key 'model.type' is '" + model.string("type", "") + "', only 'BPE' is supported");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> vocab = model.get("vocab", Map.class, "an object of token: id");
        List<?> mergeList = model.get("merges", List.class, "a list of merges");
        List<?> added = tokenizer.has("added_tokens") ? tokenizer.get("added_tokens", List.class, "a list") : List.of();
        Map<Integer, String> byId = new HashMap<>();
        Map<Integer, Integer> typeOf = new HashMap<>();
        for (Map.Entry<String, Object> e : vocab.entrySet()) {
            byId.put(id(tokenizer, "model.vocab['" + e.getKey() + "']", e.getValue()), e.getKey());
        }
        for (Object o : added) {
            if (!(o instanceof Map<?, ?> t) || !(t.get("content") instanceof String content)) {
                throw tokenizer.fail("key 'added_tokens' holds " + Json.write(o) + ", expected {id, content, special}");
            }
            int id = id(tokenizer, "added_tokens['" + content + "'].id", t.get("id"));
            byId.put(id, content);
            typeOf.put(id, Boolean.TRUE.equals(t.get("special")) ? CONTROL : USER_DEFINED);
        }
        int n = byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        int vocabSize = config.positiveInt("vocab_size");
        if (n > vocabSize) {
            throw tokenizer.fail("holds token id " + (n - 1) + ", but config.json's vocab_size is " + vocabSize);
        }
        // rows of the embedding beyond the tokenizer's ids (padding some checkpoints have) get unused names
        String[] tokens = new String[vocabSize];
        int[] types = new int[vocabSize];
        for (int id = 0; id < vocabSize; id++) {
            tokens[id] = id < n ? byId.get(id) : "[PAD" + id + "]";
            if (tokens[id] == null) {
                throw tokenizer.fail("no token has id " + id + " (model.vocab and added_tokens leave a gap)");
            }
            types[id] = id < n ? typeOf.getOrDefault(id, NORMAL) : UNUSED;
        }
        String[] merges = new String[mergeList.size()];
        for (int i = 0; i < merges.length; i++) {
            Object m = mergeList.get(i);
            if (m instanceof String s && s.indexOf(' ', 1) > 0) {
                merges[i] = s;
            } else if (m instanceof List<?> pair && pair.size() == 2 && pair.get(0) instanceof String a
                    && pair.get(1) instanceof String b) {
                merges[i] = a + " " + b;
            } else {
                throw tokenizer.fail("key 'model.merges[" + i + "]' is " + Json.write(m) + ", expected \"a b\" or [a, b]");
            }
        }
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("tokenizer.ggml.tokens", tokens);
        if (model.bool("byte_fallback", false)) {
            sentencePieceStyle(tokenizer, model, tokens, types, merges, md);
        } else {
            String split = Json.write(tokenizer.map().get("pre_tokenizer"));
            if (!split.contains(Json.write(LLAMA3_SPLIT)) || !split.contains("\"ByteLevel\"")) {
                throw tokenizer.fail("key 'pre_tokenizer' is not Llama 3's (a Split on its pattern, then ByteLevel); "
                        + "only Llama 3's byte-level BPE and byte-fallback BPE (Llama 2 style) are supported");
            }
            md.put("tokenizer.ggml.model", "gpt2");
            md.put("tokenizer.ggml.pre", "llama-bpe");
            md.put("tokenizer.ggml.token_type", types);
            md.put("tokenizer.ggml.merges", merges);
        }
        specialIds(dir, config, tokenizer, tokens, md);
        return md;
    }

    /**
     * SentencePiece-style: pieces spell spaces as "▁", bytes missing from the vocabulary fall back to
     * {@code <0xHH>} tokens. The tokenizer merges the pair whose result scores highest, so a token's score is minus
     * the rank of the first merge that makes it; tokens no merge makes rank below all of them.
     */
    private static void sentencePieceStyle(JsonFile tokenizer, JsonFile model, String[] tokens, int[] types,
                                           String[] merges, Map<String, Object> md) {
        Map<String, Integer> ids = new HashMap<>();
        for (int id = 0; id < tokens.length; id++) {
            ids.putIfAbsent(tokens[id], id);
        }
        float[] scores = new float[tokens.length];
        Arrays.fill(scores, -merges.length - 1f);
        for (int rank = merges.length - 1; rank >= 0; rank--) {
            Integer merged = ids.get(merges[rank].replaceFirst(" ", ""));
            if (merged == null) {
                throw tokenizer.fail("key 'model.merges[" + rank + "]' ('" + merges[rank] + "') makes no token of "
                        + "the vocabulary");
            }
            scores[merged] = -rank;
        }
        String unk = model.string("unk_token", null);
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id].matches("<0x[0-9A-F]{2}>") && types[id] == NORMAL) {
                types[id] = BYTE;
            } else if (tokens[id].equals(unk)) {
                types[id] = UNKNOWN;
            }
        }
        String shape = Json.write(tokenizer.map().get("normalizer")) + Json.write(tokenizer.map().get("pre_tokenizer"));
        boolean prefix = shape.contains("\"Prepend\"") || (shape.contains("\"Metaspace\"")
                && !shape.contains("\"prepend_scheme\":\"never\"") && !shape.contains("\"add_prefix_space\":false"));
        md.put("tokenizer.ggml.model", "llama");
        md.put("tokenizer.ggml.scores", scores);
        md.put("tokenizer.ggml.token_type", types);
        md.put("tokenizer.ggml.add_space_prefix", prefix);
        if (unk != null && ids.containsKey(unk)) {
            md.put("tokenizer.ggml.unknown_token_id", ids.get(unk));
        }
    }

    /**
     * BOS, EOS and the stop ids: {@code config.json}'s ids, {@code generation_config.json}'s {@code eos_token_id}
     * (one id or a list, all of which stop generation), {@code tokenizer_config.json}'s {@code add_bos_token} and
     * {@code chat_template}.
     */
    private static void specialIds(Path dir, JsonFile config, JsonFile tokenizer, String[] tokens,
                                   Map<String, Object> md) {
        JsonFile generation = JsonFile.readOptional(dir.resolve("generation_config.json"));
        JsonFile tokenizerConfig = JsonFile.readOptional(dir.resolve("tokenizer_config.json"));
        int[] bos = config.ints("bos_token_id");
        if (bos.length == 0 && generation != null) {
            bos = generation.ints("bos_token_id");
        }
        Set<Integer> stops = new LinkedHashSet<>();
        for (int id : config.ints("eos_token_id")) {
            stops.add(id);
        }
        if (generation != null) {
            for (int id : generation.ints("eos_token_id")) {
                stops.add(id);
            }
        }
        for (int id : stops) {
            if (id >= tokens.length) {
                throw tokenizer.fail("eos_token_id " + id + " (config.json / generation_config.json) is outside the "
                        + "vocabulary of " + tokens.length);
            }
        }
        if (bos.length > 0) {
            if (bos[0] >= tokens.length) {
                throw config.fail("key 'bos_token_id' is " + bos[0] + ", outside the vocabulary of " + tokens.length);
            }
            md.put("tokenizer.ggml.bos_token_id", bos[0]);
        }
        if (!stops.isEmpty()) {
            md.put("tokenizer.ggml.eos_token_id", stops.iterator().next());
            md.put(Tokenizers.STOP_IDS, stops.stream().mapToInt(Integer::intValue).toArray());
        }
        if (tokenizerConfig != null) {
            md.put("tokenizer.ggml.add_bos_token", tokenizerConfig.bool("add_bos_token", true));
            String template = chatTemplate(tokenizerConfig);
            if (template != null) {
                md.put("tokenizer.chat_template", template);
            }
        }
    }

    /** The template string, or the one named "default" when tokenizer_config.json lists several. */
    private static String chatTemplate(JsonFile tokenizerConfig) {
        Object t = tokenizerConfig.map().get("chat_template");
        if (t == null || t instanceof String) {
            return (String) t;
        }
        List<String> names = new ArrayList<>();
        if (t instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && m.get("template") instanceof String s) {
                    if ("default".equals(m.get("name"))) {
                        return s;
                    }
                    names.add(String.valueOf(m.get("name")));
                }
            }
        }
        throw tokenizerConfig.fail("key 'chat_template' has no template named 'default' (found " + names + ")");
    }

    private static int id(JsonFile file, String where, Object value) {
        if (!(value instanceof Long n) || n < 0 || n > Integer.MAX_VALUE) {
            throw file.fail("key '" + where + "' is " + Json.write(value) + ", expected a token id");
        }
        return (int) (long) n;
    }
}
