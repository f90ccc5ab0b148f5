package dev.switchboard.inference.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HostMemoryTest {

    private static final long SIZE = 256L << 20;

    @Test
    void allocationsAreZeroedAlignedAndFreedWithTheirArena() {
        Arena arena = Arena.ofShared();
        MemorySegment m = HostMemory.allocate(arena, SIZE, 64);
        assertEquals(SIZE, m.byteSize());
        assertEquals(0, m.address() % 64);
        assertEquals(0L, m.get(ValueLayout.JAVA_LONG, 0));
        assertEquals(0L, m.get(ValueLayout.JAVA_LONG, SIZE - 8));
        m.set(ValueLayout.JAVA_LONG, SIZE / 2, 42L);
        assertEquals(42L, m.get(ValueLayout.JAVA_LONG, SIZE / 2));

        arena.close();
        assertThrows(IllegalStateException.class, () -> m.get(ValueLayout.JAVA_LONG, 0), "freed with the arena");
    }

    /**
     * An 8B Q4_K_M model repacked at load did not fit under the JVM's direct-memory limit (a quarter of RAM by
     * default): a JVM limited to 64 MiB allocates 256 MiB here for an automatic arena, and (the check that the limit
     * bites) not through the arena itself.
     */
    @Test
    void theJvmsDirectMemoryLimitDoesNotApply() throws Exception {
        assertEquals(0, child("host"), "HostMemory under a 64 MiB limit");
        assertTrue(child("arena") != 0, "Arena.allocate under a 64 MiB limit");
    }

    private static int child(String how) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:MaxDirectMemorySize=64m", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), HostMemoryTest.class.getName(), how)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM ended");
        return p.exitValue();
    }

    /** The child: writes the last byte of 256 MiB allocated {@code args[0]}'s way ("host" or "arena"). */
    public static void main(String[] args) {
        Arena arena = Arena.ofAuto();
        MemorySegment m = args[0].equals("host") ? HostMemory.allocate(arena, SIZE, 64) : arena.allocate(SIZE, 64);
        m.set(ValueLayout.JAVA_BYTE, SIZE - 1, (byte) 1);
    }
}
