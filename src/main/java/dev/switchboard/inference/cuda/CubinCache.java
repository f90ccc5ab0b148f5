package dev.switchboard.inference.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Compiled kernels on disk, so NVRTC runs once per (source, options, device architecture, driver, NVRTC version):
 * files {@code <sha256>.cubin} in {@link #defaultDirectory()}. Entries appear whole or not at all (written to a
 * temporary file, then moved); an unusable directory only costs a recompile per start.
 */
public final class CubinCache {
    public static final String DIR_PROPERTY = "switchboard.cuda.cacheDir";
    private static final Logger LOG = Logger.getLogger(CubinCache.class.getName());

    private final Path dir;

    public CubinCache(Path dir) {
        this.dir = dir;
    }

    /** {@value #DIR_PROPERTY}, else {@code $XDG_CACHE_HOME/switchboard/cuda}, else {@code ~/.cache/switchboard/cuda}. */
    public static Path defaultDirectory() {
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("switchboard").resolve("cuda");
    }

    public Path directory() {
        return dir;
    }

    /** The cache key: SHA-256 over everything that changes the compiled code. */
    public static String key(String source, List<String> options, String arch, int driverVersion, String nvrtcVersion) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String part : List.of(source, String.join("\u0000", options), arch, Integer.toString(driverVersion),
                    nvrtcVersion)) {
                md.update(part.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0); // separator: ("ab","c") and ("a","bc") must differ
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    public Path file(String key) {
        return dir.resolve(key + ".cubin");
    }

    /** The cached CUBIN of {@code key}, if present and readable. */
    public Optional<byte[]> load(String key) {
        Path f = file(key);
        try {
            return Files.isRegularFile(f) ? Optional.of(Files.readAllBytes(f)) : Optional.empty();
        } catch (IOException e) {
            LOG.warning("cannot read cached kernels " + f + ": " + e.getMessage() + "; compiling again");
            return Optional.empty();
        }
    }

    /** Stores atomically; failures are logged, not thrown (the cache is an optimisation). */
    public void store(String key, byte[] cubin) {
        Path target = file(key);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, key, ".tmp");
            try {
                Files.write(tmp, cubin);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            LOG.warning("cannot cache compiled kernels in " + dir + ": " + e.getMessage());
        }
    }

    /** The cached CUBIN, or {@code compile}'s result, stored for next time. */
    public byte[] getOrCompile(String key, Supplier<byte[]> compile) {
        Optional<byte[]> cached = load(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        byte[] cubin = compile.get();
        store(key, cubin);
        return cubin;
    }
}
