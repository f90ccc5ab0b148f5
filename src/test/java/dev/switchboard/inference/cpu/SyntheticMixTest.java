package dev.switchboard.inference.cpu;

import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Q4_K_M mix of synthetic models, which the comparison with llama.cpp runs on. */
class SyntheticMixTest {

    @Test
    void q4kmPutsQ6kOnOutputAndOnAttnVAndFfnDownOfTheOuterLayers(@TempDir Path dir) throws Exception {
        Path file = SyntheticModels.write(SyntheticModels.shape("tiny"), SyntheticModels.types("q4_k_m"), 42,
                dir.resolve("tiny.gguf"));
        try (GgufFile gguf = GgufFile.open(file)) {
            // 2 layers: layer 0 is neither in the first eighth (0 layers) nor the last (layer 1 on), nor every third
            assertEquals(GgmlType.Q4_K, gguf.tensors().get("blk.0.attn_v.weight").type());
            assertEquals(GgmlType.Q4_K, gguf.tensors().get("blk.0.ffn_down.weight").type());
            assertEquals(GgmlType.Q6_K, gguf.tensors().get("blk.1.attn_v.weight").type());
            assertEquals(GgmlType.Q6_K, gguf.tensors().get("blk.1.ffn_down.weight").type());
            assertEquals(GgmlType.Q4_K, gguf.tensors().get("blk.1.attn_q.weight").type());
            assertEquals(GgmlType.Q6_K, gguf.tensors().get("output.weight").type());
            assertEquals(GgmlType.Q4_K, gguf.tensors().get("token_embd.weight").type());
            assertEquals(GgmlType.F32, gguf.tensors().get("blk.1.ffn_norm.weight").type());
        }
    }
}
