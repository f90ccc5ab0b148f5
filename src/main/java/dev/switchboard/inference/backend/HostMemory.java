package dev.switchboard.inference.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Large host memory freed by the garbage collector (the repacked weights of a tensor live as long as the tensor):
 * anonymous pages from the operating system ({@code mmap}), zeroed and page-aligned, unmapped when the arena closes
 * or, for {@link Arena#ofAuto()}, becomes unreachable. Not {@code Arena.ofAuto().allocate}: that memory counts against
 * the JVM's direct-memory limit (by default the maximum heap, a quarter of RAM), so an 8B Q4_K_M model repacked at
 * load ran out of it on a 24 GB machine with most of its memory free. Where {@code mmap} is not found (not a POSIX
 * system), it falls back to the arena.
 */
public final class HostMemory {

    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE = 0x02;
    /** Linux's value; macOS's is 0x1000. */
    private static final int MAP_ANONYMOUS = System.getProperty("os.name", "").startsWith("Mac") ? 0x1000 : 0x20;
    private static final long PAGE = 4096;
    /** Linux's MADV_HUGEPAGE; macOS has no such advice. */
    private static final int MADV_HUGEPAGE = System.getProperty("os.name", "").startsWith("Linux") ? 14 : -1;
    private static final long HUGE_PAGE = 2L << 20;

    private static final Optional<MethodHandle> MMAP = libc("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final Optional<MethodHandle> MUNMAP = libc("munmap", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final Optional<MethodHandle> MADVISE = libc("madvise", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    private HostMemory() {}

    /**
     * {@code bytes} of zeroed memory aligned to at least {@code alignment} (at most a page), valid until
     * {@code arena} closes ({@link Arena#ofAuto()}: until unreachable).
     */
    public static MemorySegment allocate(Arena arena, long bytes, long alignment) {
        if (bytes <= 0 || alignment > PAGE || MMAP.isEmpty() || MUNMAP.isEmpty()) {
            return arena.allocate(bytes, alignment);
        }
        MemorySegment pages;
        try {
            pages = (MemorySegment) MMAP.get().invokeExact(MemorySegment.NULL, bytes, PROT_READ_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("mmap of " + bytes + " bytes failed", e);
        }
        if (pages.address() == -1L) { // MAP_FAILED
            throw new OutOfMemoryError("the system gave no " + bytes + " bytes of memory (mmap failed)");
        }
        long address = pages.address();
        if (bytes >= HUGE_PAGE && MADV_HUGEPAGE > 0 && MADVISE.isPresent()) {
            adviseHugePages(pages, bytes);
        }
        return pages.reinterpret(bytes, arena, segment -> unmap(address, bytes));
    }

    /**
     * Asks for transparent huge pages where the system gives them only on request ({@code madvise} mode): a copy of
     * the weights is written page by page at load, and 2 MiB pages fault in far fewer times. On the 2-vCPU VM of
     * 2026-12-05 (five alternating pairs) the 8B Q4_K_M file's load, which waits for its Q4_K copy, took 6.3-11.6 s
     * with the advice and 11.9-14.4 s without; the 8B Q8_0 file's, with 17 of the 23 GB in use, 24.7-25.4 s against
     * 24.9-26.8 (two pairs); decode unchanged within that VM's noise. Only advice: a system that refuses it (huge
     * pages off) keeps 4 KiB pages.
     */
    private static void adviseHugePages(MemorySegment pages, long bytes) {
        try {
            int ignored = (int) MADVISE.get().invokeExact(pages, bytes, MADV_HUGEPAGE);
        } catch (Throwable e) {
            throw new IllegalStateException("madvise failed", e);
        }
    }

    private static void unmap(long address, long bytes) {
        try {
            int ignored = (int) MUNMAP.get().invokeExact(MemorySegment.ofAddress(address), bytes);
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed", e);
        }
    }

    private static Optional<MethodHandle> libc(String name, FunctionDescriptor signature) {
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find(name).map(symbol -> linker.downcallHandle(symbol, signature));
    }
}
