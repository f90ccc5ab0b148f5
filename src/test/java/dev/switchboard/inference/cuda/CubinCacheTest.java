package dev.switchboard.inference.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compiled-kernel cache: its key and its files. */
class CubinCacheTest {
    @TempDir
    Path dir;

    @Test
    void theKeyChangesWithEveryInputThatChangesTheCode() {
        List<String> opts = KernelSource.options(9, 0);
        String base = CubinCache.key("src", opts, "sm_90", 13000, "13.0");
        assertEquals(64, base.length());
        assertEquals(base, CubinCache.key("src", opts, "sm_90", 13000, "13.0"), "deterministic");
        Set<String> variants = Set.of(
                CubinCache.key("src2", opts, "sm_90", 13000, "13.0"),
                CubinCache.key("src", KernelSource.options(8, 9), "sm_90", 13000, "13.0"),
                CubinCache.key("src", opts, "sm_89", 13000, "13.0"),
                CubinCache.key("src", opts, "sm_90", 12080, "13.0"),
                CubinCache.key("src", opts, "sm_90", 13000, "12.8"));
        assertEquals(5, variants.size());
        assertTrue(!variants.contains(base));
        assertNotEquals(CubinCache.key("ab", opts, "c", 1, "v"), CubinCache.key("a", opts, "bc", 1, "v"),
                "parts are separated");
    }

    @Test
    void compilesOnceThenServesTheFileAndLeavesNoTemporaries() throws IOException {
        CubinCache cache = new CubinCache(dir.resolve("nested/cache"));
        AtomicInteger compiles = new AtomicInteger();
        byte[] cubin = {1, 2, 3, 4};
        String key = CubinCache.key("s", List.of(), "sm_90", 1, "1");
        assertArrayEquals(cubin, cache.getOrCompile(key, () -> {
            compiles.incrementAndGet();
            return cubin;
        }));
        assertArrayEquals(cubin, cache.getOrCompile(key, () -> {
            throw new AssertionError("cached: no second compile");
        }));
        assertEquals(1, compiles.get());
        try (Stream<Path> files = Files.list(cache.directory())) {
            assertEquals(Set.of(key + ".cubin"), files.map(f -> f.getFileName().toString()).collect(Collectors.toSet()));
        }
    }

    @Test
    void anUnusableDirectoryOnlyCostsARecompile() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        CubinCache cache = new CubinCache(file.resolve("cache"));
        AtomicInteger compiles = new AtomicInteger();
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(new byte[]{9}, cache.getOrCompile("k", () -> {
                compiles.incrementAndGet();
                return new byte[]{9};
            }));
        }
        assertEquals(2, compiles.get());
    }

    @Test
    void kernelSourcesAreOnTheClassPathInOrder() {
        String text = KernelSource.text();
        int common = text.indexOf("#line 1 \"common.cuh\""), matmul = text.indexOf("#line 1 \"matmul.cu\""),
                layers = text.indexOf("#line 1 \"layers.cu\"");
        assertTrue(common == 0 && matmul > common && layers > matmul, "files concatenated in dependency order");
        assertEquals(List.of("--gpu-architecture=sm_90", "--std=c++17", "-default-device"), KernelSource.options(9, 0));
    }
}
