package dev.switchboard.inference.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
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
     * Large allocations ask Linux for transparent huge pages (a copy of the weights faults in far fewer pages), small
     * ones do not: the kernel lists the advice as the mapping's {@code hg} flag in {@code /proc/self/smaps}, whether
     * or not it grants huge pages.
     */
    @Test
    void largeAllocationsAskForHugePages() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")),
                "SKIPPED: no /proc/self/smaps (not Linux): huge pages are only asked for on Linux");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment large = HostMemory.allocate(arena, 8L << 20, 64);
            MemorySegment small = HostMemory.allocate(arena, 1L << 20, 64);
            assertTrue(vmFlags(large.address()).contains("hg"), "8 MiB: " + vmFlags(large.address()));
            assertFalse(vmFlags(small.address()).contains("hg"), "1 MiB: " + vmFlags(small.address()));
        }
    }

    /** The VmFlags of the mapping that holds {@code address}. */
    private static List<String> vmFlags(long address) throws Exception {
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("[0-9a-f]+-[0-9a-f]+ .*")) {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                inside = Long.parseUnsignedLong(range[0], 16) <= address
                        && address < Long.parseUnsignedLong(range[1], 16);
            } else if (inside && line.startsWith("VmFlags:")) {
                return List.of(line.substring("VmFlags:".length()).trim().split(" "));
            }
        }
        throw new AssertionError("no mapping holds " + Long.toHexString(address));
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
