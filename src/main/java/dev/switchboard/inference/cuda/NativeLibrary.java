package dev.switchboard.inference.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/** One loaded shared library and the downcall handles bound from it by {@link CPrototype}. */
final class NativeLibrary {
    private static final Linker LINKER = Linker.nativeLinker();

    private final Path path;
    private final SymbolLookup lookup;

    /** Loads the library for the life of the JVM (CUDA libraries are never safely unloadable). */
    NativeLibrary(Path path) {
        this.path = path;
        this.lookup = SymbolLookup.libraryLookup(path, Arena.global());
    }

    /** Binds {@code symbol} with the descriptor derived from its C prototype; an error names the missing symbol. */
    MethodHandle bind(String symbol, String prototype) {
        CPrototype p = CPrototype.parse(symbol, prototype);
        MemorySegment address = lookup.find(symbol).orElseThrow(() -> new CudaException(
                path + " has no symbol " + symbol + " (a library older than the engine needs?)"));
        return LINKER.downcallHandle(address, p.descriptor());
    }
}
