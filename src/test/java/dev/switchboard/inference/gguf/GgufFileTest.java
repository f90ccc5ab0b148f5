package dev.switchboard.inference.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class GgufFileTest {
    @TempDir
    Path dir;

    private Path sample() throws IOException {
        Path p = dir.resolve("sample.gguf");
        new GgufWriter()
                .put("general.architecture", "llama")
                .put("llama.block_count", 2)
                .put("llama.rope.freq_base", 500000f)
                .put("general.size", 7L)
                .put("tokenizer.ggml.tokens", new String[]{"a", "ü", "<s>"})
                .put("tokenizer.ggml.scores", new float[]{0f, -1.5f, 2f})
                .put("tokenizer.ggml.token_type", new int[]{1, 1, 3})
                .tensor("w", new long[]{3, 2}, new float[]{1, 2, 3, 4, 5, 6})
                .tensor("q", new long[]{32}, GgmlType.Q8_0, new byte[34])
                .write(p);
        return p;
    }

    @Test
    void readsBackWhatWasWritten() throws IOException {
        try (GgufFile f = GgufFile.open(sample())) {
            assertEquals(3, f.version());
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(2, f.getInt("llama.block_count"));
            assertEquals(500000f, f.getFloat("llama.rope.freq_base", 0));
            assertEquals(7L, f.getLong("general.size", 0));
            assertArrayEquals(new String[]{"a", "ü", "<s>"}, f.getStringArray("tokenizer.ggml.tokens"));
            assertArrayEquals(new float[]{0f, -1.5f, 2f}, f.getFloatArray("tokenizer.ggml.scores"));
            assertArrayEquals(new int[]{1, 1, 3}, f.getIntArray("tokenizer.ggml.token_type"));
            GgufTensor w = f.tensor("w");
            assertEquals(3, w.cols());
            assertEquals(2, w.rows());
            assertEquals(GgmlType.F32, w.type());
            assertEquals(6f, w.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 5));
            assertEquals(0, (f.dataOffset() + f.tensor("q").data().address() - w.data().address()) % 32);
            assertEquals(34, f.tensor("q").data().byteSize());
        }
    }

    @Test
    void truncatedFileNamesTheFileAndTheTensor() throws IOException {
        Path p = sample();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 40); // past the alignment padding, into tensor q
        }
        GgufException e = assertThrows(GgufException.class, () -> GgufFile.open(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("'q'"), e.getMessage());
    }

    @Test
    void headerCutShortIsReportedAsTruncated() throws IOException {
        Path p = sample();
        Path cut = dir.resolve("cut.gguf");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(p), 60));
        GgufException e = assertThrows(GgufException.class, () -> GgufFile.open(cut));
        assertTrue(e.getMessage().contains("cut.gguf") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void notGgufAndWrongVersionAreRejected() throws IOException {
        Path junk = dir.resolve("junk.bin");
        Files.write(junk, new byte[64]);
        assertTrue(assertThrows(GgufException.class, () -> GgufFile.open(junk)).getMessage().contains("not a GGUF file"));
        byte[] b = Files.readAllBytes(sample());
        b[4] = 9;
        Path v9 = dir.resolve("v9.gguf");
        Files.write(v9, b);
        assertTrue(assertThrows(GgufException.class, () -> GgufFile.open(v9)).getMessage().contains("version 9"));
    }

    @Test
    void unknownTensorTypeIsNamed() throws IOException {
        byte[] b = Files.readAllBytes(sample());
        // the type id of tensor "q" (8 = Q8_0) sits right after its name, dim count and one dimension
        int at = indexOf(b, "q".getBytes()) ;
        int typeAt = at + 1 + 4 + 8;
        assertEquals(8, b[typeAt]);
        b[typeAt] = 99;
        Path bad = dir.resolve("bad.gguf");
        Files.write(bad, b);
        String msg = assertThrows(GgufException.class, () -> GgufFile.open(bad)).getMessage();
        assertTrue(msg.contains("'q'") && msg.contains("99"), msg);
    }

    @Test
    void countsAreWrittenAsUint32ForLlamaCppAndReadBackAsIntegers() throws IOException {
        Path p = dir.resolve("counts.gguf");
        new GgufWriter()
                .put("llama.context_length", 131072)
                .put("llama.block_count", 16)
                .put("tokenizer.ggml.bos_token_id", 0)
                .put("test.negative", -3)
                .write(p);
        // llama.cpp refuses "wrong type i32 but expected type u32" for counts, lengths and token ids
        Map<String, Integer> types = metadataTypes(Files.readAllBytes(p));
        assertEquals(Map.of("llama.context_length", 4, "llama.block_count", 4, "tokenizer.ggml.bos_token_id", 4,
                "test.negative", 5), types);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(131072, f.getInt("llama.context_length"));
            assertEquals(16, f.getInt("llama.block_count"));
            assertEquals(0, f.getInt("tokenizer.ggml.bos_token_id"));
            assertEquals(-3, f.getInt("test.negative"));
        }
    }

    /** Each metadata key's GGUF value type id, read from the raw header (scalars only). */
    private static Map<String, Integer> metadataTypes(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long keys = b.getLong(16);
        b.position(24);
        Map<String, Integer> types = new LinkedHashMap<>();
        for (long k = 0; k < keys; k++) {
            byte[] name = new byte[(int) b.getLong()];
            b.get(name);
            int type = b.getInt();
            types.put(new String(name, StandardCharsets.UTF_8), type);
            switch (type) {
                case 4, 5, 6 -> b.getInt();
                case 10, 11, 12 -> b.getLong();
                case 8 -> b.position(b.position() + (int) b.getLong());
                default -> throw new AssertionError("type " + type + " in this test's file");
            }
        }
        return types;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        // the last occurrence: tensor infos follow the metadata
        for (int i = hay.length - needle.length; i >= 0; i--) {
            if (hay[i] == needle[0] && hay[i - 8] == 1 && hay[i - 7] == 0) {
                return i;
            }
        }
        throw new AssertionError();
    }

    @Test
    void readsTheRealStoriesModel() {
        Path model = Path.of("../shared/models/stories260K/stories260K.gguf");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(model),
                "SKIPPED: " + model.toAbsolutePath() + " is absent (see ../shared/models/README.md)");
        try (GgufFile f = GgufFile.open(model)) {
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(64, f.getInt("llama.embedding_length"));
            assertEquals(512, f.getStringArray("tokenizer.ggml.tokens").length);
            assertEquals(GgmlType.F32, f.tensor("token_embd.weight").type());
            assertEquals(64, f.tensor("token_embd.weight").cols());
            assertEquals(512, f.tensor("token_embd.weight").rows());
        }
    }
}
