package dev.switchboard.inference.cuda;

import dev.switchboard.inference.cpu.CpuBackend;
import dev.switchboard.inference.cpu.SyntheticModels;
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
class BackendSelectorTest {
    @TempDir
    Path dir;

    @Test
    void aMissingDriverIsReportedWithWhereTheEngineLooked() {
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class,
                () -> CudaContext.checkAvailable(new CudaLibraries(List.of(dir))));
        assertTrue(e.getMessage().contains("libcuda.so.1") && e.getMessage().contains(dir.toString()), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    @Test
    void aDriverThatCannotLoadIsUnavailableNotACrash() throws IOException {
        Files.writeString(dir.resolve("libcuda.so.1"), "not an ELF file");
        Files.writeString(dir.resolve("libnvrtc.so.13"), "not an ELF file");
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class,
                () -> CudaContext.checkAvailable(new CudaLibraries(List.of(dir))));
        assertTrue(e.getMessage().contains("cannot start"), e.getMessage());
        Files.delete(dir.resolve("libnvrtc.so.13"));
        e = assertThrows(CudaUnavailableException.class, () -> CudaContext.checkAvailable(new CudaLibraries(List.of(dir))));
        assertTrue(e.getMessage().contains("NVRTC"), e.getMessage());
    }

    @Test
    void withoutAGpuAutoAndCudaFallBackToTheCpuAndSayItOnce() throws IOException {
        Assumptions.assumeTrue(BackendSelector.unavailableReason() != null,
                "SKIPPED: this machine has a usable GPU, so there is no fallback to observe");
        Path model = dir.resolve("tiny.gguf");
        SyntheticModels.write(SyntheticModels.shape("tiny"), GgmlType.F32, 1, model);
        BackendSelector.resetNotice();
        List<String> notices = new ArrayList<>();
        try (GgufFile gguf = GgufFile.open(model)) {
            LlamaConfig config = LlamaConfig.fromGguf(gguf, 0);
            for (BackendSelector.Kind kind : new BackendSelector.Kind[]{BackendSelector.Kind.AUTO,
                    BackendSelector.Kind.CUDA, BackendSelector.Kind.CPU}) {
                try (Backend b = BackendSelector.open(kind, gguf, config, CudaBackend.Options.DEFAULT, 1,
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
        assertEquals(BackendSelector.Kind.CUDA, BackendSelector.Kind.parse(" Cuda "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackendSelector.Kind.parse("gpu"));
        assertTrue(e.getMessage().contains("cpu, cuda, auto"));
    }
}
