package dev.switchboard.inference.cli;

import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.hf.HfTestCheckpoints;
import dev.switchboard.inference.hf.HfTokenizerTest;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.server.OpenAiServer;
import dev.switchboard.inference.tokenizer.Tokenizers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --model DIR} with Hugging Face checkpoint folders, and {@code convert} back to GGUF, through the CLI. */
class HfModelCliTest {
    private static final Path STORIES = Path.of("../shared/models/stories260K/stories260K.gguf");
    private static final Path TIKTOKEN = Path.of("../shared/models/llama3-tokenizer/tokenizer.model");

    @TempDir
    Path dir;

    private static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.run(List.of(args), out));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void assume(Path file) {
        if (!Files.exists(file)) {
            String why = "SKIPPED: " + file.toAbsolutePath().normalize() + " absent (the shared test models are not "
                    + "beside the project), so this test cannot run";
            System.err.println(why);
            Assumptions.abort(why);
        }
    }

    @Test
    void storiesWrittenAsSafetensorsAndConvertedBackGiveTheSameGreedyText() throws IOException {
        assume(STORIES);
        Path hf = Files.createDirectories(dir.resolve("stories-hf"));
        try (GgufFile gguf = GgufFile.open(STORIES)) {
            LlamaConfig c = LlamaConfig.fromGguf(gguf, 0);
            HfTestCheckpoints.writeWeights(gguf, c, hf, 1);
            boolean tied = !gguf.tensors().containsKey("output.weight");
            HfTestCheckpoints.writeJson(hf.resolve("config.json"), HfTestCheckpoints.config(c, tied, 1, 2));
            HfTestCheckpoints.writeJson(hf.resolve("tokenizer.json"), HfTestCheckpoints.sentencePieceTokenizer(gguf));
            HfTestCheckpoints.writeJson(hf.resolve("tokenizer_config.json"), Map.of("add_bos_token", true));
        }
        Path back = dir.resolve("stories-back.gguf");
        assertTrue(run("convert", hf.toString(), back.toString()).startsWith("wrote " + back + ": 48 tensors"));

        String[] generate = {"generate", "--prompt", "Once upon a time", "--temperature", "0", "-n", "60",
                "--ctx", "512", "--model"};
        String expected = run(concat(generate, STORIES.toString()));
        assertTrue(expected.startsWith("Once upon a time, there was a little girl"), expected);
        assertEquals(expected, run(concat(generate, hf.toString())), "loaded from the checkpoint folder");
        assertEquals(expected, run(concat(generate, back.toString())), "converted back to GGUF");
        for (String text : List.of("Lily saw a big red ball.", "  two  spaces\nand a newline ü")) {
            assertEquals(run("tokenize", "--model", STORIES.toString(), text),
                    run("tokenize", "--model", hf.toString(), text), "ids of '" + text + "'");
        }
        try (GgufFile a = GgufFile.open(STORIES); GgufFile b = GgufFile.open(back)) {
            for (String key : List.of("llama.embedding_length", "llama.block_count", "llama.attention.head_count_kv",
                    "tokenizer.ggml.model", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id")) {
                assertEquals(a.metadata().get(key), b.metadata().get(key), key);
            }
            assertEquals(List.of(a.getStringArray("tokenizer.ggml.tokens")), List.of(b.getStringArray("tokenizer.ggml.tokens")));
            assertEquals(0, b.dataOffset() % 32, "tensor data aligned as GGUF requires");
        }
    }

    @Test
    void randomLlama3CheckpointGeneratesAndServes() throws Exception {
        assume(TIKTOKEN);
        LlamaConfig shape = new LlamaConfig(64, 96, 2, 4, 2, 128256, 131072, 1e-5f, 500000f,
                LlamaConfig.RopeScaling.LLAMA_3_1);
        Path gguf = SyntheticModels.write(new SyntheticModels.Shape(shape, false), GgmlType.BF16, 3,
                dir.resolve("random.gguf"));
        Path hf = Files.createDirectories(dir.resolve("Llama-3.1-random"));
        try (GgufFile g = GgufFile.open(gguf)) {
            HfTestCheckpoints.writeWeights(g, shape, hf, 2);
        }
        HfTestCheckpoints.writeJson(hf.resolve("config.json"), HfTestCheckpoints.config(shape, false, 128000,
                List.of(128001, 128008, 128009)));
        HfTokenizerTest.writeLlama3Files(hf, Tokenizers.fromTiktoken(TIKTOKEN));

        String text = run("generate", "--model", hf.toString(), "--chat", "--prompt", "Hello", "--temperature", "0",
                "-n", "6", "--weights", "q8_0");
        assertTrue(text.length() > 1, "some text was generated: '" + text + "'");

        IllegalArgumentException tooLong = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Engine.load(EngineOptions.of(hf.toString()).withContextLength(131073)));
        assertTrue(tooLong.getMessage().startsWith("context length 131073 exceeds the 131072 positions"),
                tooLong.getMessage());
        try (Engine engine = Engine.load(EngineOptions.of(hf.toString()));
             OpenAiServer server = OpenAiServer.start(engine, "127.0.0.1", 0, null)) {
            assertEquals("Llama-3.1-random", engine.modelName());
            assertEquals(EngineOptions.DEFAULT_MAX_CONTEXT, engine.config().contextLength(),
                    "the default context stays bounded though the model declares 131072");
            HttpClient client = HttpClient.newHttpClient();
            URI base = server.baseUri();
            HttpResponse<String> models = client.send(HttpRequest.newBuilder(base.resolve("/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, models.statusCode());
            assertTrue(models.body().contains("\"id\":\"Llama-3.1-random\""), models.body());
            assertTrue(models.body().contains("\"max_model_len\":8192"), models.body());
            HttpResponse<String> chat = client.send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"Llama-3.1-random\",\"max_tokens\":4,"
                            + "\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, chat.statusCode(), chat.body());
            assertTrue(chat.body().contains("\"completion_tokens\":"), chat.body());
        }
    }

    private static String[] concat(String[] a, String last) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = last;
        return out;
    }
}
