package dev.switchboard.inference.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Library discovery on fake directory trees. */
class CudaLibrariesTest {
    @TempDir
    Path root;

    private Path touch(String relative) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "not a real library");
        return p;
    }

    @Test
    void searchOrderIsConfiguredThenToolkitThenLdLibraryPathThenDriverDirs() {
        List<Path> path = CudaLibraries.searchPath("/opt/a:/opt/b/libcuda.so.1", "/ld/one::/ld/two");
        assertEquals(List.of(Path.of("/opt/a"), Path.of("/opt/b/libcuda.so.1"), Path.of("/usr/local/cuda/lib64"),
                Path.of("/usr/local/cuda/targets/x86_64-linux/lib"), Path.of("/ld/one"), Path.of("/ld/two"),
                Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib64"), Path.of("/usr/local/nvidia/lib64"),
                Path.of("/usr/local/nvidia/lib")), path);
        List<Path> none = CudaLibraries.searchPath(null, null);
        assertEquals(Path.of("/usr/local/cuda/lib64"), none.get(0));
        assertEquals(6, none.size());
    }

    @Test
    void theFirstDirectoryWithTheLibraryWinsAndThePreferredSonameFirst() throws IOException {
        touch("first/libcuda.so");
        Path preferred = touch("first/libcuda.so.1");
        touch("second/libcuda.so.1");
        CudaLibraries libs = new CudaLibraries(List.of(root.resolve("missing"), root.resolve("first"),
                root.resolve("second")));
        assertEquals(Optional.of(preferred), libs.find("cuda", "libcuda.so.1"));
    }

    @Test
    void withoutASonameTheHighestVersionIsTaken() throws IOException {
        touch("lib/libnvrtc.so.12");
        Path newest = touch("lib/libnvrtc.so.13.0.88");
        touch("lib/libnvrtc.so.13");
        touch("lib/libnvrtc-builtins.so.13");
        touch("lib/libnvrtc.so");
        assertEquals(Optional.of(newest), new CudaLibraries(List.of(root.resolve("lib"))).find("nvrtc", null));
        Path plain = touch("plain/libcublas.so");
        assertEquals(Optional.of(plain), new CudaLibraries(List.of(root.resolve("plain"))).find("cublas", null));
    }

    @Test
    void aConfiguredFileIsUsedAsIsAndOnlyForItsOwnLibrary() throws IOException {
        Path custom = touch("custom/libcuda.so.535.1");
        CudaLibraries libs = new CudaLibraries(List.of(custom));
        assertEquals(Optional.of(custom), libs.find("cuda", "libcuda.so.1"));
        assertTrue(libs.find("nvrtc", null).isEmpty());
    }

    @Test
    void nothingFoundIsEmpty() {
        assertTrue(new CudaLibraries(List.of(root)).find("cuda", "libcuda.so.1").isEmpty());
    }
}
