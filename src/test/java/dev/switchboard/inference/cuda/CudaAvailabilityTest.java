package dev.switchboard.inference.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without a usable GPU, CUDA says why in one line. */
class CudaAvailabilityTest {
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
}
