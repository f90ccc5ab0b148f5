package dev.switchboard.inference.backend;

import dev.switchboard.inference.cpu.CpuBackend;
import dev.switchboard.inference.cuda.CudaBackend;
import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.LlamaConfig;
import dev.switchboard.inference.model.LoadProgress;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without a GPU the engine says why in one line and runs on the CPU. */
class BackendsTest {
    @TempDir
    Path dir;

    @Test
    void withoutAGpuAutoAndCudaFallBackToTheCpuAndSayItOnce() throws IOException {
        Assumptions.assumeTrue(CudaBackend.unavailableReason() != null,
                "SKIPPED: this machine has a usable GPU, so there is no fallback to observe");
        Path model = dir.resolve("tiny.gguf");
        SyntheticModels.write(SyntheticModels.shape("tiny"), GgmlType.F32, 1, model);
        Backends.resetNotice();
        List<String> notices = new ArrayList<>();
        try (GgufFile gguf = GgufFile.open(model)) {
            LlamaConfig config = LlamaConfig.fromGguf(gguf, 0);
            for (BackendKind kind : new BackendKind[]{BackendKind.AUTO,
                    BackendKind.CUDA, BackendKind.CPU}) {
                try (Backend b = Backends.open(kind, gguf, config, CudaBackend.Options.DEFAULT, 1,
                        LoadProgress.NONE, notices::add)) {
                    assertInstanceOf(CpuBackend.class, b);
                    assertEquals("cpu", b.name());
                }
            }
        }
        assertEquals(1, notices.size(), "reported once: " + notices);
        assertTrue(notices.get(0).startsWith("CUDA backend unavailable, using the CPU backend: "), notices.get(0));
        assertTrue(!notices.get(0).contains("\n"));
    }

    @Test
    void backendNamesParseWithAClearError() {
        assertEquals(BackendKind.CUDA, BackendKind.parse(" Cuda "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackendKind.parse("gpu"));
        assertTrue(e.getMessage().contains("cpu, cuda, auto"));
    }
}
