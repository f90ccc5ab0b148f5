package dev.switchboard.inference.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The engine's CUDA C kernels, shipped as resources beside this class and compiled as one translation unit: the
 * files are concatenated in {@link #FILES} order (the first holds what the others share), so NVRTC needs no
 * include path.
 */
public final class KernelSource {
    public static final List<String> FILES = List.of("common.cuh", "matmul.cu", "layers.cu");

    private KernelSource() {
    }

    /** The concatenated source, each file introduced by a {@code #line} directive so errors name the file. */
    public static String text() {
        StringBuilder sb = new StringBuilder();
        for (String f : FILES) {
            try (InputStream in = KernelSource.class.getResourceAsStream(f)) {
                if (in == null) {
                    throw new IllegalStateException("kernel source " + f + " is missing from the class path next to "
                            + KernelSource.class.getName());
                }
                sb.append("#line 1 \"").append(f).append("\"\n")
                        .append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kernel source " + f, e);
            }
        }
        return sb.toString();
    }

    /** NVRTC options for a device of compute capability {@code major.minor}: a CUBIN for exactly that chip. */
    public static List<String> options(int major, int minor) {
        return List.of("--gpu-architecture=sm_" + major + minor, "--std=c++17", "-default-device");
    }
}
