package dev.switchboard.inference.hf;

import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.LoadProgress;

import java.nio.file.Files;
import java.nio.file.Path;

/** The one place that tells a GGUF file from a Hugging Face checkpoint folder. */
public final class ModelFiles {
    private ModelFiles() {
    }

    /**
     * Opens a GGUF file, or a checkpoint folder as a GGUF view ({@link HfCheckpoint}).
     *
     * @param weights the type to quantize a checkpoint's matrices to at load, or null to use them as stored; a
     *     GGUF file's tensors are always used as they are, and asking otherwise is an error
     */
    public static GgufFile open(Path model, GgmlType weights, LoadProgress progress) {
        if (HfCheckpoint.isCheckpoint(model)) {
            return HfCheckpoint.open(model, weights, progress);
        }
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("model " + model.toAbsolutePath() + " is neither a GGUF file nor a "
                    + "Hugging Face checkpoint folder (it does not exist)");
        }
        if (weights != null) {
            throw new IllegalArgumentException("--weights " + weights + " applies to Hugging Face checkpoint folders; "
                    + model + " is a GGUF file whose tensors are used as stored (convert it with llama.cpp's tools)");
        }
        return GgufFile.open(model);
    }
}
