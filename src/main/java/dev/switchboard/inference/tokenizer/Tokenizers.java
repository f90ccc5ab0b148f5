package dev.switchboard.inference.tokenizer;

import dev.switchboard.inference.gguf.GgufFile;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/** Loads tokenizers from the files models ship with. */
public final class Tokenizers {
    private static final String MODEL = "tokenizer.ggml.model";
    private static final String PRE = "tokenizer.ggml.pre";
    private static final String TOKENS = "tokenizer.ggml.tokens";
    private static final String TYPES = "tokenizer.ggml.token_type";
    private static final String MERGES = "tokenizer.ggml.merges";
    private static final String SCORES = "tokenizer.ggml.scores";
    /**
     * Token ids that all end generation (a Hugging Face {@code generation_config.json}'s {@code eos_token_id} list,
     * carried over); not a llama.cpp key, which ignores it.
     */
    public static final String STOP_IDS = "switchboard.eos_token_ids";
    /** Control tokens that end a turn in the Llama 3 family; older GGUFs do not name them in eot_token_id. */
    private static final List<String> END_OF_TURN_TEXTS = List.of("<|eot_id|>", "<|eom_id|>");

    private Tokenizers() {
    }

    /**
     * The special tokens of Meta's Llama 3.1 tokenizer, in id order after the {@code tokenizer.model} ranks
     * (meta-llama/llama-models, {@code models/llama3_1/api/tokenizer.py}).
     */
    static List<String> llama31SpecialTokens() {
        List<String> names = new ArrayList<>(List.of(
                "<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
                "<|finetune_right_pad_id|>", "<|step_id|>", "<|start_header_id|>", "<|end_header_id|>",
                "<|eom_id|>", "<|eot_id|>", "<|python_tag|>"));
        int named = names.size();
        for (int i = 0; i < 256 - named; i++) {
            names.add("<|reserved_special_token_" + (2 + i) + "|>");
        }
        return names;
    }

    /**
     * Meta's Llama 3 {@code tokenizer.model}: lines of {@code base64(token bytes) rank}, ranks 0..n-1, then the 256
     * Llama 3.1 special tokens from id n on.
     */
    public static Tokenizer fromTiktoken(Path tokenizerModel) {
        Tiktoken t = readTiktoken(tokenizerModel);
        MergeTable merges = new MergeTable(4 * t.ranks());
        t.forEachMerge((left, right, id) -> merges.putIfAbsent(left, right, id, id));
        int eos = t.special("<|end_of_text|>");
        Set<Integer> stops = Set.of(eos, t.special("<|eom_id|>"), t.special("<|eot_id|>"));
        return new ByteLevelBpe(t.pieces(), t.types(), merges, t.special("<|begin_of_text|>"), eos, stops, true,
                t.fail());
    }

    /**
     * The GGUF metadata of Meta's Llama 3 {@code tokenizer.model} as a {@code gpt2} vocabulary, as llama.cpp's
     * converter writes it (tokens in GPT-2's byte spelling, token types, merges in rank order, pre-tokenizer
     * {@code llama-bpe}, begin and end of text; the end-of-turn tokens are found by name): for files that carry no
     * vocabulary of their own, such as random-weight models for benchmarks, so that they take chat requests. Loading
     * it with {@link #fromGguf} tokenizes as {@link #fromTiktoken} does. The tokenizer has {@code ranks + 256} tokens.
     */
    public static Map<String, Object> ggufVocabulary(Path tokenizerModel) {
        Tiktoken t = readTiktoken(tokenizerModel);
        byte[][] pieces = t.pieces();
        String[] tokens = new String[pieces.length];
        int[] types = new int[pieces.length];
        for (int id = 0; id < pieces.length; id++) {
            boolean normal = id < t.ranks();
            tokens[id] = normal ? Gpt2Bytes.encode(pieces[id]) : new String(pieces[id], StandardCharsets.UTF_8);
            types[id] = t.types()[id];
        }
        // the GGUF ranks merges by their place in the list; tiktoken by the token they make: list them in that order
        List<String> merges = new ArrayList<>(4 * t.ranks());
        t.forEachMerge((left, right, id) -> merges.add(tokens[left] + " " + tokens[right]));
        Map<String, Object> md = new LinkedHashMap<>();
        md.put(MODEL, "gpt2");
        md.put(PRE, "llama-bpe");
        md.put(TOKENS, tokens);
        md.put(TYPES, types);
        md.put(MERGES, merges.toArray(String[]::new));
        md.put("tokenizer.ggml.bos_token_id", t.special("<|begin_of_text|>"));
        md.put("tokenizer.ggml.eos_token_id", t.special("<|end_of_text|>"));
        md.put("tokenizer.ggml.add_bos_token", true);
        return md;
    }

    /** A merge of two tokens into the token {@code merged}, whose id is its rank. */
    private interface MergeSink {
        void merge(int left, int right, int merged);
    }

    /** A parsed {@code tokenizer.model}: the ranks' bytes, then the special tokens'. */
    private record Tiktoken(byte[][] pieces, byte[] types, int ranks, ByteSequenceIndex index,
                            Function<String, RuntimeException> fail) {

        /** The id of a Llama 3.1 special token: after the ranks, in {@link #llama31SpecialTokens} order. */
        int special(String name) {
            return ranks + llama31SpecialTokens().indexOf(name);
        }

        /**
         * tiktoken merges two parts when their concatenation is a token, ranked by that token: every split of every
         * token into two tokens, by the token's rank.
         */
        void forEachMerge(MergeSink sink) {
            for (int id = 0; id < ranks; id++) {
                byte[] b = pieces[id];
                if (index.get(b) != id) {
                    throw fail.apply("rank " + id + " repeats the bytes of rank " + index.get(b));
                }
                for (int k = 1; k < b.length; k++) {
                    int left = index.get(b, 0, k);
                    int right = left < 0 ? -1 : index.get(b, k, b.length - k);
                    if (right >= 0) {
                        sink.merge(left, right, id);
                    }
                }
            }
        }
    }

    private static Tiktoken readTiktoken(Path tokenizerModel) {
        Function<String, RuntimeException> fail = problem -> new TokenizerException(tokenizerModel, problem);
        Map<Integer, byte[]> byRank = new HashMap<>();
        try (BufferedReader in = Files.newBufferedReader(tokenizerModel, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.trim().split(" ");
                if (parts.length != 2) {
                    throw fail.apply("line " + lineNo + " is not 'base64 rank': '" + abbreviate(line) + "'");
                }
                byte[] bytes;
                int rank;
                try {
                    bytes = Base64.getDecoder().decode(parts[0]);
                    rank = Integer.parseInt(parts[1]);
                } catch (IllegalArgumentException e) {
                    throw fail.apply("line " + lineNo + " has invalid base64 or rank: '" + abbreviate(line) + "'");
                }
                if (bytes.length == 0 || rank < 0) {
                    throw fail.apply("line " + lineNo + " has an empty token or a negative rank");
                }
                if (byRank.put(rank, bytes) != null) {
                    throw fail.apply("line " + lineNo + " repeats rank " + rank);
                }
            }
        } catch (IOException e) {
            throw new TokenizerException(tokenizerModel, "cannot be read: " + e.getMessage(), e);
        }
        int n = byRank.size();
        if (n == 0) {
            throw fail.apply("holds no tokens");
        }
        List<String> specials = llama31SpecialTokens();
        byte[][] pieces = new byte[n + specials.size()][];
        byte[] types = new byte[pieces.length];
        for (int rank = 0; rank < n; rank++) {
            pieces[rank] = byRank.get(rank);
            if (pieces[rank] == null) {
                throw fail.apply("ranks are not 0.." + (n - 1) + ": rank " + rank + " is missing");
            }
            types[rank] = TokenType.NORMAL;
        }
        for (int i = 0; i < specials.size(); i++) {
            pieces[n + i] = specials.get(i).getBytes(StandardCharsets.UTF_8);
            types[n + i] = TokenType.CONTROL;
        }
        boolean[] normal = new boolean[pieces.length];
        Arrays.fill(normal, 0, n, true);
        return new Tiktoken(pieces, types, n, new ByteSequenceIndex(pieces, normal), fail);
    }

    /**
     * The tokenizer a GGUF file describes: {@code tokenizer.ggml.model} "gpt2" with pre-tokenizer "llama-bpe"
     * (Llama 3; also spelled "llama3" or "llama-v3"), or "llama" (SentencePiece-style, Llama 2 and TinyStories).
     */
    public static Tokenizer fromGguf(GgufFile gguf) {
        String model = gguf.getString(MODEL);
        return switch (model) {
            case "gpt2" -> bpeFromGguf(gguf);
            case "llama" -> spmFromGguf(gguf);
            default -> throw gguf.fail(MODEL + " '" + model + "' is not supported (only 'gpt2' and 'llama')");
        };
    }

    private static Tokenizer bpeFromGguf(GgufFile gguf) {
        String supported = String.join(", ", new TreeSet<>(Llama3Pretokenizer.GGUF_NAMES));
        if (!gguf.has(PRE)) {
            throw gguf.fail(PRE + " is missing: a 'gpt2' vocabulary needs it to name its pre-tokenizer (supported: "
                    + supported + ")");
        }
        String pre = gguf.getString(PRE);
        if (!Llama3Pretokenizer.GGUF_NAMES.contains(pre)) {
            throw gguf.fail(PRE + " '" + pre + "' is not supported (supported: " + supported + ")");
        }
        String[] tokens = gguf.getStringArray(TOKENS);
        byte[] types = tokenTypes(gguf, tokens.length);
        byte[][] pieces = new byte[tokens.length][];
        Map<String, Integer> ids = new HashMap<>(tokens.length * 2);
        for (int id = 0; id < tokens.length; id++) {
            ids.put(tokens[id], id);
            if (types[id] == TokenType.NORMAL || types[id] == TokenType.BYTE || types[id] == TokenType.UNUSED) {
                pieces[id] = Gpt2Bytes.decode(tokens[id]);
                if (pieces[id] == null) {
                    throw gguf.fail(TOKENS + "[" + id + "] '" + abbreviate(tokens[id])
                            + "' has a character outside GPT-2's byte mapping");
                }
            } else {
                pieces[id] = tokens[id].getBytes(StandardCharsets.UTF_8);
            }
        }
        String[] mergeList = gguf.getStringArray(MERGES);
        MergeTable merges = new MergeTable(mergeList.length);
        for (int rank = 0; rank < mergeList.length; rank++) {
            String m = mergeList[rank];
            int space = m.indexOf(' ', 1);
            Integer left = space < 0 ? null : ids.get(m.substring(0, space));
            Integer right = space < 0 ? null : ids.get(m.substring(space + 1));
            Integer merged = space < 0 ? null : ids.get(m.substring(0, space) + m.substring(space + 1));
            if (left == null || right == null || merged == null) {
                throw gguf.fail(MERGES + "[" + rank + "] '" + abbreviate(m)
                        + "' is not two tokens whose concatenation is a token");
            }
            merges.putIfAbsent(left, right, rank, merged);
        }
        int bos = tokenId(gguf, "tokenizer.ggml.bos_token_id", tokens.length, -1);
        int eos = tokenId(gguf, "tokenizer.ggml.eos_token_id", tokens.length, -1);
        Set<Integer> stops = stopTokens(gguf, tokens, types, eos);
        boolean addBos = gguf.getBoolean("tokenizer.ggml.add_bos_token", true);
        return new ByteLevelBpe(pieces, types, merges, bos, eos, stops, addBos, gguf::fail);
    }

    private static Tokenizer spmFromGguf(GgufFile gguf) {
        String[] tokens = gguf.getStringArray(TOKENS);
        byte[] types = tokenTypes(gguf, tokens.length);
        float[] scores = gguf.has(SCORES) ? gguf.getFloatArray(SCORES) : new float[tokens.length];
        if (scores.length != tokens.length) {
            throw gguf.fail(SCORES + " has " + scores.length + " entries but " + TOKENS + " has " + tokens.length);
        }
        // llama.cpp's defaults for SentencePiece vocabularies that leave these keys out
        int bos = tokenId(gguf, "tokenizer.ggml.bos_token_id", tokens.length, 1);
        int eos = tokenId(gguf, "tokenizer.ggml.eos_token_id", tokens.length, 2);
        int unk = tokenId(gguf, "tokenizer.ggml.unknown_token_id", tokens.length, 0);
        Set<Integer> stops = stopTokens(gguf, tokens, types, eos);
        boolean addBos = gguf.getBoolean("tokenizer.ggml.add_bos_token", true);
        boolean addSpacePrefix = gguf.getBoolean("tokenizer.ggml.add_space_prefix", true);
        return new SentencePieceTokenizer(tokens, scores, types, bos, eos, unk, stops, addBos, addSpacePrefix,
                gguf::fail);
    }

    private static byte[] tokenTypes(GgufFile gguf, int n) {
        byte[] types = new byte[n];
        if (!gguf.has(TYPES)) {
            Arrays.fill(types, TokenType.NORMAL);
            return types;
        }
        int[] raw = gguf.getIntArray(TYPES);
        if (raw.length != n) {
            throw gguf.fail(TYPES + " has " + raw.length + " entries but " + TOKENS + " has " + n);
        }
        for (int i = 0; i < n; i++) {
            if (!TokenType.isValid(raw[i])) {
                throw gguf.fail(TYPES + "[" + i + "] is " + raw[i] + ", not a token type (1 to 6)");
            }
            types[i] = (byte) raw[i];
        }
        return types;
    }

    /** An optional token id key: absent, or the "none" value some converters write (-1 as uint32), gives -1. */
    private static int tokenId(GgufFile gguf, String key, int vocabSize, int fallback) {
        if (!gguf.has(key)) {
            return fallback < vocabSize ? fallback : -1;
        }
        long v = gguf.get(key, Number.class).longValue();
        if (v == -1 || v == 0xFFFFFFFFL) {
            return -1;
        }
        if (v < 0 || v >= vocabSize) {
            throw gguf.fail(key + " is " + v + ", outside the vocabulary of " + vocabSize);
        }
        return (int) v;
    }

    private static Set<Integer> stopTokens(GgufFile gguf, String[] tokens, byte[] types, int eos) {
        Set<Integer> stops = new LinkedHashSet<>();
        if (eos >= 0) {
            stops.add(eos);
        }
        for (String key : List.of("tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id")) {
            int id = tokenId(gguf, key, tokens.length, -1);
            if (id >= 0) {
                stops.add(id);
            }
        }
        if (gguf.has(STOP_IDS)) {
            for (int id : gguf.getIntArray(STOP_IDS)) {
                if (id < 0 || id >= tokens.length) {
                    throw gguf.fail(STOP_IDS + " holds " + id + ", outside the vocabulary of " + tokens.length);
                }
                stops.add(id);
            }
        }
        for (int id = 0; id < tokens.length; id++) {
            if (types[id] == TokenType.CONTROL && END_OF_TURN_TEXTS.contains(tokens[id])) {
                stops.add(id);
            }
        }
        return stops;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
