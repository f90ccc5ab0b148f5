package dev.switchboard.inference.hf;

import dev.switchboard.inference.cpu.CpuBackend;
import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.BlockTable;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Small random Llama 3-shaped checkpoints written in Hugging Face form and as GGUF with the same numbers: the
 * logits must be equal, whatever the sharding, dtype, tying or load-time quantization.
 */
class HfCheckpointTest {
    /** Llama 3 in miniature: grouped-query attention, Llama 3.1 RoPE scaling, 256 bytes + 2 special tokens. */
    static final LlamaConfig SHAPE = new LlamaConfig(64, 96, 2, 4, 2, 258, 2048, 1e-5f, 500000f,
            new LlamaConfig.RopeScaling(8f, 1f, 4f, 256));

    @TempDir
    Path dir;

    /** Writes the GGUF and, from it, the checkpoint folder {@code hf}. */
    static Path checkpoint(Path dir, GgmlType type, boolean tied, int shards) throws IOException {
        Path gguf = SyntheticModels.write(new SyntheticModels.Shape(SHAPE, tied), type, 7, dir.resolve("model.gguf"));
        Path hf = Files.createDirectories(dir.resolve("hf"));
        try (GgufFile g = GgufFile.open(gguf)) {
            HfTestCheckpoints.writeWeights(g, SHAPE, hf, shards);
        }
        HfTestCheckpoints.writeJson(hf.resolve("config.json"), HfTestCheckpoints.config(SHAPE, tied, 256, List.of(257)));
        HfTestCheckpoints.writeJson(hf.resolve("tokenizer.json"), HfTestCheckpoints.bytesTokenizer(2));
        return hf;
    }

    @Test
    void bf16ShardsGiveTheLogitsOfTheSameWeightsInGguf() throws IOException {
        Path hf = checkpoint(dir, GgmlType.BF16, false, 3);
        assertTrue(Files.exists(hf.resolve(HfCheckpoint.INDEX)));
        assertSameLogits(dir.resolve("model.gguf"), hf, null);
    }

    @Test
    void f32TiedSingleFileGivesTheSameLogits() throws IOException {
        Path hf = checkpoint(dir, GgmlType.F32, true, 1);
        assertSameLogits(dir.resolve("model.gguf"), hf, null);
    }

    @Test
    void quantizedAtLoadGivesTheLogitsOfTheSameQuantizedGguf() throws IOException {
        // the GGUF's Q8_0 blocks become floats in the checkpoint; quantizing those again gives the same blocks
        Path hf = checkpoint(dir, GgmlType.Q8_0, false, 2);
        assertSameLogits(dir.resolve("model.gguf"), hf, GgmlType.Q8_0);
    }

    @Test
    void convertedToQ8_0GgufGivesTheLogitsOfTheCheckpointQuantizedAtLoad() throws IOException {
        Path hf = checkpoint(dir, GgmlType.BF16, false, 2);
        Path out = dir.resolve("converted.gguf");
        HfConverter.convert(hf, out, GgmlType.Q8_0, LoadProgress.NONE);
        try (GgufFile g = GgufFile.open(out)) {
            assertEquals(GgmlType.Q8_0, g.tensor("blk.1.attn_k.weight").type());
            assertEquals(GgmlType.F32, g.tensor("blk.1.ffn_norm.weight").type(), "norms in F32, as llama.cpp has them");
            assertEquals(7, g.getInt("general.file_type"));
            assertEquals(8, g.tensor("rope_freqs.weight").elementCount(), "Llama 3.1 scaling as llama.cpp reads it");
        }
        List<float[]> expected = logits(hf, GgmlType.Q8_0), actual = logits(out, null);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), 1e-4f, "logits at position " + i);
        }
    }

    @Test
    void qAndKRowsInGgufOrderGiveOtherLogits() throws IOException {
        Path hf = checkpoint(dir, GgmlType.F32, false, 1);
        Path wrong = Files.createDirectories(dir.resolve("wrong"));
        try (GgufFile g = GgufFile.open(dir.resolve("model.gguf"))) {
            HfTestCheckpoints.writeWeights(g, null, wrong, 1);
        }
        Files.copy(hf.resolve("config.json"), wrong.resolve("config.json"));
        Files.copy(hf.resolve("tokenizer.json"), wrong.resolve("tokenizer.json"));
        float[] expected = logits(dir.resolve("model.gguf"), null).get(5);
        assertArrayEquals(expected, logits(hf, null).get(5), 1e-4f);
        assertNotEquals(expected[3], logits(wrong, null).get(5)[3], 1e-2f);
    }

    @Test
    void unusableCheckpointsAreRefusedNamingTheFileAndKey() throws IOException {
        Path hf = checkpoint(dir, GgmlType.BF16, false, 2);
        Path config = hf.resolve("config.json");
        String good = Files.readString(config);

        Files.writeString(config, good.replace("\"LlamaForCausalLM\"", "\"MistralForCausalLM\""));
        assertFails(hf, config + ": key 'architectures' is [\"MistralForCausalLM\"]");
        Files.writeString(config, good.replace("\"llama3\"", "\"yarn\""));
        assertFails(hf, config + ": key 'rope_scaling' has rope_type 'yarn'");
        Files.writeString(config, good.replace("\"num_hidden_layers\":2", "\"num_hidden_layers\":\"two\""));
        assertFails(hf, config + ": key 'num_hidden_layers' is \"two\", expected a positive integer");
        Files.writeString(config, good.replace("\"tie_word_embeddings\":false", "\"tie_word_embeddings\":true"));
        try (GgufFile view = HfCheckpoint.open(hf, null, LoadProgress.NONE)) {
            assertTrue(!view.tensors().containsKey("output.weight"), "tied: lm_head is not used");
        }
        Files.writeString(config, good);

        Path index = hf.resolve(HfCheckpoint.INDEX);
        String listing = Files.readString(index);
        Files.writeString(index, listing.replaceAll("\"model\\.layers\\.1\\.mlp\\.up_proj\\.weight\":\"[^\"]+\",?", ""));
        assertFails(hf, index + ": tensor 'model.layers.1.mlp.up_proj.weight' is missing");
        Files.writeString(index, listing.replaceAll(",?\"lm_head\\.weight\":\"[^\"]+\"", ""));
        assertFails(hf, index + ": tensor 'lm_head.weight' is missing, and config.json says tie_word_embeddings is false");
        Files.writeString(index, listing);

        Path shard = hf.resolve(HfTestCheckpoints.shardName(1, 2));
        byte[] bytes = Files.readAllBytes(shard);
        String header = new String(bytes, 8, 400, java.nio.charset.StandardCharsets.ISO_8859_1);
        String firstTensor = header.replaceFirst("(?s)^.*?\"(model\\.[^\"]+)\".*$", "$1");
        int at = header.indexOf("\"BF16\"");
        bytes[8 + at + 1] = 'I';
        bytes[8 + at + 2] = '1';
        bytes[8 + at + 3] = '6';
        bytes[8 + at + 4] = ' ';
        Files.write(shard, new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace("\"I16 \"", "\"I16\" ").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertFails(hf, shard + ": tensor '" + firstTensor + "' has dtype I16, only BF16, F16 and F32 are supported");

        Files.delete(shard);
        assertFails(hf, shard + ": is missing (" + HfCheckpoint.INDEX + " lists tensor");
        Files.delete(config);
        assertFails(hf, config + ": is missing");
    }

    private static void assertFails(Path hf, String message) {
        HfException e = assertThrows(HfException.class, () -> HfCheckpoint.open(hf, null, LoadProgress.NONE).close());
        assertTrue(e.getMessage().startsWith(message), () -> "message: " + e.getMessage() + "\nexpected: " + message);
    }

    /** GGUF rows (2i, 2i+1) rotated as pairs equal Hugging Face's rotate_half on rows (i, i + half). */
    @Test
    void rotaryReorderingMatchesRotateHalf() {
        int heads = 3, hs = 8, half = hs / 2;
        double[] hf = new double[heads * hs];
        for (int i = 0; i < hf.length; i++) {
            hf[i] = Math.sin(i * 1.7) + i;
        }
        double pos = 5;
        double[] hfRotated = new double[hf.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                double a = pos * Math.pow(10000, -2.0 * i / hs);
                double x0 = hf[h * hs + i], x1 = hf[h * hs + i + half];
                hfRotated[h * hs + i] = x0 * Math.cos(a) - x1 * Math.sin(a);
                hfRotated[h * hs + i + half] = x1 * Math.cos(a) + x0 * Math.sin(a);
            }
        }
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                double a = pos * Math.pow(10000, -2.0 * i / hs);
                int g0 = h * hs + 2 * i, g1 = g0 + 1;
                double x0 = hf[HfCheckpoint.hfRotaryRow(g0, hs)], x1 = hf[HfCheckpoint.hfRotaryRow(g1, hs)];
                assertEquals(hfRotated[HfCheckpoint.hfRotaryRow(g0, hs)], x0 * Math.cos(a) - x1 * Math.sin(a), 1e-12);
                assertEquals(hfRotated[HfCheckpoint.hfRotaryRow(g1, hs)], x0 * Math.sin(a) + x1 * Math.cos(a), 1e-12);
            }
        }
    }

    /**
     * The view's tensors hold the GGUF's bytes exactly; the logits agree to float rounding (the Vector API sums
     * lanes in another order before and after the JIT compiles a kernel, so two runs of one model differ in the
     * last bits).
     */
    private static void assertSameLogits(Path gguf, Path hf, GgmlType weights) {
        try (GgufFile a = GgufFile.open(gguf); GgufFile b = HfCheckpoint.open(hf, weights, LoadProgress.NONE)) {
            assertEquals(LlamaConfig.fromGguf(a, 0), LlamaConfig.fromGguf(b, 0));
            assertEquals(a.tensors().keySet(), b.tensors().keySet());
            a.tensors().forEach((name, t) -> {
                var v = b.tensor(name);
                assertEquals(t.type(), v.type(), name);
                assertArrayEquals(t.shape(), v.shape(), name);
                assertEquals(-1, t.data().mismatch(v.data()), () -> name + " holds other bytes");
            });
        }
        List<float[]> expected = logits(gguf, null);
        List<float[]> actual = logits(hf, weights);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), 1e-4f, "logits at position " + i);
        }
    }

    /** Logits of 24 positions of a fixed token sequence, one forward pass. */
    static List<float[]> logits(Path model, GgmlType weights) {
        try (GgufFile g = ModelFiles.open(model, weights, LoadProgress.NONE)) {
            LlamaConfig config = LlamaConfig.fromGguf(g, 64);
            try (CpuBackend backend = CpuBackend.load(g, config, 2, LoadProgress.NONE);
                 KvCache cache = backend.newKvCache(4, 16)) {
                BlockTable table = new BlockTable();
                table.add(2);
                table.add(0);
                ForwardBatch batch = new ForwardBatch(24);
                for (int p = 0; p < 24; p++) {
                    batch.add((p * 37 + 11) % config.vocabSize(), p, table, true);
                }
                float[] all = new float[24 * config.vocabSize()];
                backend.forward(batch, cache, all);
                List<float[]> rows = new ArrayList<>();
                for (int p = 0; p < 24; p++) {
                    rows.add(java.util.Arrays.copyOfRange(all, p * config.vocabSize(), (p + 1) * config.vocabSize()));
                }
                return rows;
            }
        }
    }
}
