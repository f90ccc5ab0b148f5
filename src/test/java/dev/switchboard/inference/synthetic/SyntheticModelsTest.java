package dev.switchboard.inference.synthetic;

import dev.switchboard.inference.cpu.WeightTensor;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticModelsTest {

    @Test
    void aFileCachedByAnotherGeneratorIsNeverReused(@TempDir Path dir) throws Exception {
        // what an older generator left behind: the hand-kept version's name, and another generator's key
        Path[] stale = {dir.resolve("tiny-F32-v2.gguf"), dir.resolve("tiny-F32-000000000000.gguf")};
        for (Path p : stale) {
            Files.writeString(p, "written by an old quantizer");
        }
        Path otherShape = dir.resolve("tiny-tied-F32-000000000000.gguf"), otherType = dir.resolve("tiny-Q8_0-v2.gguf");
        Files.writeString(otherShape, "another model's");
        Files.writeString(otherType, "another type's");
        Path file = SyntheticModels.file("synthetic:tiny", GgmlType.F32, dir);
        assertFalse(List.of(stale).contains(file), file.toString());
        for (Path p : stale) {
            assertFalse(Files.exists(p), "an older copy is deleted once a new one is written: " + p);
        }
        assertTrue(Files.exists(otherShape) && Files.exists(otherType), "other models' and types' files stay");
        assertTrue(file.getFileName().toString().contains(SyntheticModels.generator()), file.toString());
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(GgmlType.F32, gguf.tensor("blk.0.attn_q.weight").type());
        }
        // the same generator reuses its own file
        long written = Files.getLastModifiedTime(file).toMillis();
        assertEquals(file, SyntheticModels.file("tiny", GgmlType.F32, dir));
        assertEquals(written, Files.getLastModifiedTime(file).toMillis());
    }

    @Test
    void everyClassThatDecidesTheBytesIsInTheKey() {
        List<Class<?>> classes = SyntheticModels.generatorClasses();
        assertEquals(SyntheticModels.generator(), SyntheticModels.fingerprint(classes));
        assertTrue(classes.containsAll(WeightTensor.QUANTIZERS), classes.toString());
        // any one of them changed (here: replaced by other bytecode) gives another key
        for (int i = 0; i < classes.size(); i++) {
            List<Class<?>> changed = new ArrayList<>(classes);
            changed.set(i, String.class);
            assertNotEquals(SyntheticModels.generator(), SyntheticModels.fingerprint(changed), classes.get(i).getName());
        }
    }
}
