package dev.switchboard.inference.hf;

import dev.switchboard.inference.cpu.WeightTensor;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.gguf.GgufTensor;
import dev.switchboard.inference.gguf.GgufWriter;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import dev.switchboard.inference.model.ModelWeights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a Hugging Face checkpoint folder as one GGUF file in the form llama.cpp's readers expect: its
 * {@code llama.*} and {@code tokenizer.ggml.*} metadata, tensors under GGUF names with Q/K rows in GGUF's rotary
 * order, vectors (norms) in F32, and Llama 3.1 scaling also as the {@code rope_freqs.weight} divisors llama.cpp
 * reads.
 */
public final class HfConverter {
    private static final int COPY_CHUNK = 1 << 20;

    private HfConverter() {
    }

    /**
     * @param type the type of every matrix, or null to keep the checkpoint's
     * @return the written file's tensor count
     */
    public static int convert(Path dir, Path out, GgmlType type, LoadProgress progress) {
        try (GgufFile view = HfCheckpoint.open(dir, type, progress)) {
            LlamaConfig config = LlamaConfig.fromGguf(view, 0);
            GgufWriter w = new GgufWriter();
            view.metadata().forEach(w::put);
            for (GgufTensor t : view.tensors().values()) {
                if (t.shape().length == 1 && t.type() != GgmlType.F32) {
                    w.tensor(t.name(), t.shape(), WeightTensor.readVector(view, t.name(), t.cols()));
                } else {
                    w.tensor(t.name(), t.shape(), t.type(), stream -> copy(t.data(), stream));
                }
            }
            int count = view.tensors().size();
            if (config.ropeScaling() != null) {
                double[] scaled = config.ropeInverseFrequencies();
                float[] divisors = new float[scaled.length];
                for (int i = 0; i < divisors.length; i++) {
                    divisors[i] = (float) (Math.pow(config.ropeTheta(), -2.0 * i / config.headSize()) / scaled[i]);
                }
                w.tensor(ModelWeights.ROPE_FREQS, new long[]{divisors.length}, divisors);
                count++;
            }
            // the file appears whole or not at all
            Path partial = Files.createTempFile(out.toAbsolutePath().getParent(), out.getFileName() + "-", ".partial");
            try {
                w.write(partial);
                Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    private static void copy(MemorySegment data, java.io.OutputStream out) throws IOException {
        byte[] chunk = new byte[COPY_CHUNK];
        for (long at = 0; at < data.byteSize(); at += COPY_CHUNK) {
            int n = (int) Math.min(COPY_CHUNK, data.byteSize() - at);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }
}
