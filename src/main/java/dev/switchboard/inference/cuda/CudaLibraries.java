package dev.switchboard.inference.cuda;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the CUDA shared libraries without relying on the dynamic loader's configuration, so the engine can say
 * exactly where it looked. Search order: the configured paths (system property {@value #PATH_PROPERTY}, or
 * environment variable {@value #PATH_ENV}; entries separated by ':', each a directory or a library file), then
 * {@code /usr/local/cuda/lib64}, {@code /usr/local/cuda/targets/x86_64-linux/lib}, the entries of
 * {@code LD_LIBRARY_PATH}, and the driver's usual places ({@code /usr/lib/x86_64-linux-gnu}, {@code /usr/lib64},
 * {@code /usr/local/nvidia/lib64}, {@code /usr/local/nvidia/lib}).
 *
 * <p>In a directory, a library is taken by exact name first ({@code libcuda.so.1}), else the highest version of
 * {@code libNAME.so.N[.M...]}, else {@code libNAME.so}.
 */
public final class CudaLibraries {
    public static final String PATH_PROPERTY = "switchboard.cuda.libraryPath";
    public static final String PATH_ENV = "SWITCHBOARD_CUDA_LIBRARY_PATH";

    static final List<String> STANDARD_DIRS = List.of("/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib");
    static final List<String> DRIVER_DIRS = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/local/nvidia/lib64",
            "/usr/local/nvidia/lib");

    private final List<Path> searchPath;

    CudaLibraries(List<Path> searchPath) {
        this.searchPath = List.copyOf(searchPath);
    }

    /** The search path of this process: configuration and environment as described in the class comment. */
    public static CudaLibraries fromEnvironment() {
        String configured = System.getProperty(PATH_PROPERTY, System.getenv(PATH_ENV));
        return new CudaLibraries(searchPath(configured, System.getenv("LD_LIBRARY_PATH")));
    }

    /** Configured entries, the CUDA toolkit's directories, LD_LIBRARY_PATH, then the driver's usual places. */
    static List<Path> searchPath(String configured, String ldLibraryPath) {
        Set<Path> dirs = new LinkedHashSet<>();
        split(configured, dirs);
        STANDARD_DIRS.forEach(d -> dirs.add(Path.of(d)));
        split(ldLibraryPath, dirs);
        DRIVER_DIRS.forEach(d -> dirs.add(Path.of(d)));
        return new ArrayList<>(dirs);
    }

    private static void split(String pathList, Set<Path> into) {
        if (pathList == null) {
            return;
        }
        for (String entry : pathList.split(":")) {
            if (!entry.isBlank()) {
                into.add(Path.of(entry.trim()));
            }
        }
    }

    public List<Path> searchPath() {
        return searchPath;
    }

    /**
     * The first match for library {@code name} (e.g. "cuda", "nvrtc", "cublas") along the search path, preferring
     * {@code preferredSoname} (e.g. "libcuda.so.1") in each directory. A configured file entry matches when its file
     * name starts with {@code libNAME.so}.
     */
    public Optional<Path> find(String name, String preferredSoname) {
        String base = "lib" + name + ".so";
        for (Path entry : searchPath) {
            if (Files.isRegularFile(entry)) {
                if (entry.getFileName().toString().startsWith(base)) {
                    return Optional.of(entry);
                }
                continue;
            }
            if (!Files.isDirectory(entry)) {
                continue;
            }
            if (preferredSoname != null && Files.exists(entry.resolve(preferredSoname))) {
                return Optional.of(entry.resolve(preferredSoname));
            }
            Optional<Path> versioned = highestVersion(entry, base);
            if (versioned.isPresent()) {
                return versioned;
            }
            if (Files.exists(entry.resolve(base))) {
                return Optional.of(entry.resolve(base));
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> highestVersion(Path dir, String base) {
        Pattern versioned = Pattern.compile(Pattern.quote(base) + "\\.(\\d+(?:\\.\\d+)*)");
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> versioned.matcher(f.getFileName().toString()).matches())
                    .max(Comparator.comparing(f -> version(versioned, f), CudaLibraries::compareVersions));
        } catch (IOException e) {
            return Optional.empty(); // an unreadable directory is as good as an empty one for a search
        }
    }

    private static int[] version(Pattern p, Path f) {
        Matcher m = p.matcher(f.getFileName().toString());
        m.matches();
        String[] parts = m.group(1).split("\\.");
        int[] v = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = Integer.parseInt(parts[i]);
        }
        return v;
    }

    private static int compareVersions(int[] a, int[] b) {
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int x = i < a.length ? a[i] : -1, y = i < b.length ? b[i] : -1;
            if (x != y) {
                return Integer.compare(x, y);
            }
        }
        return 0;
    }
}
