package dev.switchboard.inference.hf;

import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.tokenizer.Tokenizer;
import dev.switchboard.inference.tokenizer.Tokenizers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Llama 3.1's tokenizer.json (built here from Meta's shared tokenizer.model as Hugging Face's converter builds it)
 * must give the ids Meta's tokenizer gives, and the checkpoint's config files the special ids and stop tokens.
 */
public class HfTokenizerTest {
    static final Path SHARED = Path.of("../shared/models/llama3-tokenizer");
    static final Path TIKTOKEN = SHARED.resolve("tokenizer.model");
    static final String TEMPLATE = "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}"
            + "<|end_header_id|>\n\n{{ m['content'] | trim }}<|eot_id|>{% endfor %}";

    @TempDir
    static Path dir;
    static Tokenizer meta;

    @BeforeAll
    static void writeTokenizerJson() throws IOException {
        if (!Files.exists(TIKTOKEN)) {
            return; // each test says it skips
        }
        meta = Tokenizers.fromTiktoken(TIKTOKEN);
        writeLlama3Files(dir, meta);
    }

    /** tokenizer.json, config.json, tokenizer_config.json and generation_config.json of Llama 3.1 Instruct. */
    public static void writeLlama3Files(Path dir, Tokenizer meta) throws IOException {
        HfTestCheckpoints.writeJson(dir.resolve("tokenizer.json"), HfTestCheckpoints.byteLevelTokenizer(meta));
        HfTestCheckpoints.writeJson(dir.resolve("tokenizer_config.json"), Map.of("bos_token", "<|begin_of_text|>",
                "eos_token", "<|eot_id|>", "chat_template", TEMPLATE));
        HfTestCheckpoints.writeJson(dir.resolve("generation_config.json"), Map.of("bos_token_id", 128000,
                "eos_token_id", List.of(128001, 128008, 128009), "do_sample", true));
    }

    static void assumeShared() {
        if (meta == null) {
            String why = "SKIPPED: " + TIKTOKEN.toAbsolutePath().normalize() + " absent (the shared test models are "
                    + "not beside the project), so the tokenizer.json built from it cannot be tested";
            System.err.println(why);
            Assumptions.abort(why);
        }
    }

    private static GgufFile view(Map<String, Object> config) throws IOException {
        Path configFile = dir.resolve("config.json");
        HfTestCheckpoints.writeJson(configFile, config);
        return GgufFile.assemble(dir, HfTokenizer.metadata(dir, JsonFile.read(configFile)), Map.of(), () -> { });
    }

    private static Map<String, Object> config(int vocab) {
        return HfTestCheckpoints.config(new dev.switchboard.inference.model.LlamaConfig(4096, 14336, 32, 32, 8, vocab,
                131072, 1e-5f, 500000f, null), false, 128000, 128001);
    }

    @Test
    void idsEqualMetasTokenizerOnTheSharedVectors() throws IOException {
        assumeShared();
        Tokenizer hf;
        try (GgufFile g = view(config(128256))) {
            hf = Tokenizers.fromGguf(g);
            assertEquals(TEMPLATE, g.getString("tokenizer.chat_template"));
        }
        assertEquals(meta.vocabSize(), hf.vocabSize());
        String[] texts = Files.readString(SHARED.resolve("ggml-vocab-llama-bpe.gguf.inp")).split("\n__ggml_vocab_test__\n", -1);
        List<String> expected = Files.readAllLines(SHARED.resolve("ggml-vocab-llama-bpe.gguf.out"));
        assertEquals(47, texts.length);
        for (int i = 0; i < texts.length; i++) {
            String text = texts[i];
            int[] ids = hf.encode(text, false);
            assertArrayEquals(meta.encode(text, false), ids, () -> "text '" + text + "'");
            String line = i < expected.size() ? expected.get(i).trim() : "";
            assertEquals(line, String.join(" ", Arrays.stream(ids).mapToObj(Integer::toString).toList()));
            assertEquals(text, hf.decode(ids));
        }
        assertArrayEquals(new int[]{2028, 374, 264, 1296, 11914, 13}, hf.encode("This is a test sentence.", false));
        String turn = "<|start_header_id|>user<|end_header_id|>\n\nThis is a test sentence.<|eot_id|>";
        assertArrayEquals(new int[]{128006, 882, 128007, 271, 2028, 374, 264, 1296, 11914, 13, 128009},
                hf.encode(turn, true));
        assertArrayEquals(meta.encode(turn, false), hf.encode(turn, false), "special tokens stay text unless parsed");
        assertEquals(128000, hf.bos());
        assertTrue(hf.addBos());
        // config.json names 128001; generation_config.json's list adds end of message and end of turn
        assertEquals(Set.of(128001, 128008, 128009), hf.stopTokens());
    }

    @Test
    void paddedVocabularyAndBadIdsAreHandled() throws IOException {
        assumeShared();
        try (GgufFile g = view(config(128512))) {
            Tokenizer hf = Tokenizers.fromGguf(g);
            assertEquals(128512, hf.vocabSize(), "padded up to the embedding's rows");
            assertArrayEquals(meta.encode("padding is never produced", false),
                    hf.encode("padding is never produced", false));
        }
        Path generation = dir.resolve("generation_config.json");
        String llama31 = Files.readString(generation);
        try {
            HfTestCheckpoints.writeJson(generation, Map.of("eos_token_id", List.of(128001, 128004)));
            try (GgufFile g = view(config(128256))) {
                assertTrue(Tokenizers.fromGguf(g).stopTokens().contains(128004), "every listed eos id stops");
            }
        } finally {
            Files.writeString(generation, llama31);
        }
        HfException small = assertThrows(HfException.class, () -> view(config(1000)).close());
        assertTrue(small.getMessage().startsWith(dir.resolve("tokenizer.json") + ": holds token id 128255, but "
                + "config.json's vocab_size is 1000"), small.getMessage());
        Map<String, Object> badEos = config(128256);
        badEos.put("eos_token_id", "end");
        HfException eos = assertThrows(HfException.class, () -> view(badEos).close());
        assertTrue(eos.getMessage().startsWith(dir.resolve("config.json") + ": key 'eos_token_id' is \"end\""),
                eos.getMessage());
    }
}
