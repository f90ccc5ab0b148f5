package dev.switchboard.inference.cli;

import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.tokenizer.Tokenizers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    private static final Path STORIES = Path.of("../shared/models/stories260K/stories260K.gguf");
    private static final Path TIKTOKEN = Path.of("../shared/models/llama3-tokenizer/tokenizer.model");

    private static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.run(List.of(args), out));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String usageError(String... args) {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return assertThrows(Args.UsageException.class, () -> Main.run(List.of(args), out)).getMessage();
    }

    private static String stories() {
        Assumptions.assumeTrue(Files.exists(STORIES), "SKIPPED: " + STORIES.toAbsolutePath() + " absent");
        return STORIES.toString();
    }

    @Test
    void synthWritesMetasVocabularyInSoTheRandomModelTakesChat(@TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(Files.exists(TIKTOKEN), "SKIPPED: " + TIKTOKEN.toAbsolutePath() + " absent");
        assertEquals("the vocabulary has 128256 tokens, the shape's embedding 512 rows", usageError("synth",
                "--shape", "tiny", "--vocab", TIKTOKEN.toString(), dir.resolve("tiny.gguf").toString()));
        // the llama3 shapes write gigabytes: one of their vocabulary size, small otherwise
        LlamaConfig shape = new LlamaConfig(64, 96, 1, 4, 2, 128256, 4096, 1e-5f, 500000f, null);
        Path model = SyntheticModels.write(new SyntheticModels.Shape(shape, false), SyntheticModels.types("Q8_0"),
                Tokenizers.ggufVocabulary(TIKTOKEN), 5, dir.resolve("chat.gguf"));
        String text = "Where is my parcel? <|eot_id|>";
        StringBuilder ids = new StringBuilder();
        for (int id : Tokenizers.fromTiktoken(TIKTOKEN).encode(text, true)) {
            ids.append(ids.isEmpty() ? "" : " ").append(id);
        }
        assertEquals(ids.toString(), run("tokenize", "--model", model.toString(), text).strip());
        run("generate", "--model", model.toString(), "--prompt", "Hi", "--chat", "-n", "2", "--temperature", "0");
    }

    @Test
    void helpListsEveryCommand() {
        String help = run("--help");
        for (String command : List.of("tokenize", "generate", "bench", "serve", "--api-key", "--chat", "--seed")) {
            assertTrue(help.contains(command), "help mentions " + command);
        }
        assertEquals(help, run("generate", "--help"));
        assertTrue(run("bench", "--help").contains("--engine"));
    }

    @Test
    void usageErrorsNameTheProblem() {
        assertEquals("unknown command 'frob'", usageError("frob"));
        assertEquals("option --model is required", usageError("generate", "--prompt", "x"));
        assertEquals("option --prompt is required", usageError("generate", "--model", "m.gguf"));
        assertEquals("unknown option --temp", usageError("generate", "--model", "m.gguf", "--temp", "1"));
        assertEquals("option -n needs an integer, got 'ten'",
                usageError("generate", "--model", "m.gguf", "--prompt", "x", "-n", "ten"));
        assertEquals("option --port needs a value", usageError("serve", "--model", "m.gguf", "--port"));
        assertEquals("option --port is required", usageError("serve", "--model", "m.gguf"));
        assertTrue(usageError("generate", "--model", "m", "--prompt", "x", "--temperature", "9")
                .startsWith("temperature must be between"));
        assertTrue(usageError("bench", "--model", "synthetic:tiny", "--type", "Q9").startsWith("unknown --type 'Q9'"));
        assertEquals("tokenize needs exactly one TEXT argument (quote it)", usageError("tokenize", "--model", "m"));
        assertEquals("--draft-tokens: draft tokens must be 1..32, got 0",
                usageError("serve", "--model", "m", "--port", "1", "--draft", "suffix", "--draft-tokens", "0"));
        assertEquals("--draft needs --engine", usageError("bench", "--model", "synthetic:tiny", "--draft", "prompt"));
        assertEquals("--streams needs --engine", usageError("bench", "--model", "synthetic:tiny", "--streams", "4"));
        assertEquals("--streams needs stream counts of at least 1, e.g. 1,4,16, got '4,0'",
                usageError("bench", "--model", "synthetic:tiny", "--engine", "--streams", "4,0"));
        assertEquals("kvCacheTokens must be 0 (one context) or positive, got -1",
                usageError("serve", "--model", "m", "--port", "1", "--kv-tokens", "-1"));
        assertEquals("--batch-in-flight must be at least 1",
                usageError("serve", "--model", "m", "--port", "1", "--batch-in-flight", "0"));
        assertEquals("unknown option --draft", usageError("tokenize", "--model", "m", "--draft", "prompt", "x"));
        assertEquals("--prefetch needs 0 or more bytes, got -64",
                usageError("bench", "--model", "synthetic:tiny", "--prefetch", "-64"));
        assertTrue(usageError("bench", "--model", "synthetic:tiny", "--kernels", "java", "--prefetch", "0")
                .startsWith("--prefetch sets the native kernels' distance, and they do not run here"));
    }

    @Test
    void generateWithDraftsPrintsTheSameStory() {
        String plain = run("generate", "--model", stories(), "--prompt", "Once upon a time", "--temperature", "0",
                "-n", "40", "--threads", "1");
        for (String mode : List.of("prompt", "suffix")) {
            assertEquals(plain, run("generate", "--model", stories(), "--prompt", "Once upon a time",
                    "--temperature", "0", "-n", "40", "--threads", "1", "--draft", mode, "--draft-tokens", "4"));
        }
    }

    @Test
    void tokenizePrintsIds() {
        assertEquals("403 407 261 378" + System.lineSeparator(),
                run("tokenize", "--model", stories(), "Once upon a time"));
    }

    @Test
    void generateStreamsThePromptAndItsContinuation() {
        String out = run("generate", "--model", stories(), "--prompt", "Once upon a time", "--temperature", "0",
                "-n", "12", "--threads", "1");
        assertTrue(out.startsWith("Once upon a time, there was a little girl named Lily."), out);
    }

    /** The CPU bench measures with the KV cache type asked for; it had accepted --kv-type and used f32. */
    @Test
    void benchUsesTheKvCacheTypeAskedFor() {
        for (String kv : List.of("f32", "bf16")) {
            String out = run("bench", "--model", "synthetic:tiny", "--prompt", "8", "--decode", "4", "--threads", "1",
                    "--kv-type", kv);
            assertTrue(out.contains("; KV cache " + kv + "\n"), out);
        }
    }

    @Test
    void benchWithDraftsReportsAcceptanceSpeedUpAndVerifyCost() {
        String out = run("bench", "--model", stories(), "--engine", "--draft", "suffix", "--draft-tokens", "3",
                "--decode", "16", "--runs", "1", "--threads", "1", "--ctx", "256");
        assertTrue(out.contains("draft suffix up to 3 tokens"), out);
        assertTrue(out.matches("(?s).*acceptance length \\d+\\.\\d\\d tokens per pass.*speed-up \\d+\\.\\d\\dx.*"), out);
        assertTrue(out.matches("(?s).*verify cost .* k=1 \\S+ k=2 \\S+ k=3 \\S+\\R.*"), out);
    }

    @Test
    void benchWithStreamsReportsThroughputPerConcurrencyAndCachedPrefixTimeToFirstToken() {
        String out = run("bench", "--model", "synthetic:tiny", "--engine", "--streams", "1,3", "--prompt", "40",
                "--decode", "6", "--runs", "1", "--threads", "1", "--ctx", "128");
        assertTrue(out.contains("KV cache 336 positions"), "3 streams of 40 + 6 + 64 (drafts), in blocks: " + out);
        assertTrue(out.matches("(?s).*streams 1: \\d+\\.\\d tok/s summed.*\\Rstreams 3: \\d+\\.\\d tok/s summed "
                + "\\(\\d+\\.\\d per stream\\), time to first token median .*"), out);
        assertTrue(out.contains("time to first token, 48-token prompt: "), out);
        assertTrue(out.contains("with a cached prefix (32 tokens reused, 16 computed)"), out);
    }

    @Test
    void chatNeedsAChatModel() {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> Main.run(
                List.of("generate", "--model", stories(), "--prompt", "hi", "--chat"), out));
        assertTrue(e.getMessage().contains("no chat vocabulary"), e.getMessage());
    }
}
