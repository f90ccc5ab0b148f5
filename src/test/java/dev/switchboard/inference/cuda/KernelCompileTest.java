package dev.switchboard.inference.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles every kernel source for Hopper with nvcc (one invocation, PTX only, so a syntax or type error fails the
 * build in seconds) and checks the compiled entry points against what the Java side launches: every kernel name
 * the backend can form exists, and each one's parameters have the sizes {@link Kernels#SIGNATURES} marshals.
 * Skipped, loudly, where nvcc is not installed.
 */
class KernelCompileTest {
    private static Map<String, List<String>> entries;

    @BeforeAll
    static void compile(@TempDir Path dir) throws IOException, InterruptedException {
        String nvcc = findNvcc();
        Assumptions.assumeTrue(nvcc != null, "SKIPPED: nvcc is not on the PATH nor in /usr/local/cuda/bin; the CUDA "
                + "kernels were not compiled by this build");
        Path src = dir.resolve("kernels.cu");
        Files.writeString(src, KernelSource.text());
        Path ptx = dir.resolve("kernels.ptx");
        Process p = new ProcessBuilder(nvcc, "-arch=sm_90", "-std=c++17", "--ptx", "-o", ptx.toString(), src.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "nvcc finished");
        assertEquals(0, p.exitValue(), "nvcc failed:\n" + log);
        assertTrue(!log.contains("warning"), "nvcc warnings:\n" + log);
        entries = parseEntries(Files.readString(ptx));
    }

    private static String findNvcc() {
        String path = System.getenv("PATH");
        List<Path> dirs = new ArrayList<>();
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                dirs.add(Path.of(d));
            }
        }
        dirs.add(Path.of("/usr/local/cuda/bin"));
        for (Path d : dirs) {
            if (Files.isExecutable(d.resolve("nvcc"))) {
                return d.resolve("nvcc").toString();
            }
        }
        return null;
    }

    /** Entry name → PTX parameter types (.u64, .u32, .f32, ...), in order. */
    private static Map<String, List<String>> parseEntries(String ptx) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\\.entry (\\w+)\\s*\\(([^)]*)\\)").matcher(ptx);
        Pattern param = Pattern.compile("\\.param (\\.\\w+) ");
        while (m.find()) {
            List<String> types = new ArrayList<>();
            Matcher pm = param.matcher(m.group(2));
            while (pm.find()) {
                types.add(pm.group(1));
            }
            out.put(m.group(1), types);
        }
        return out;
    }

    /** Every kernel name the backend, the uploader and the bench can launch. */
    static Set<String> launchedKernels() {
        Set<String> names = new TreeSet<>();
        for (DeviceMatrix.Type t : DeviceMatrix.Type.values()) {
            for (int nt = 1; nt <= LaunchGeometry.GEMV_MAX_TOKENS; nt++) {
                names.add("gemv_" + t.kernel + "_" + nt);
            }
        }
        for (String t : List.of("f32", "bf16", "f16", "q8_0")) {
            names.add("embed_" + t);
        }
        names.addAll(Kernels.CONVERSIONS);
        for (String t : List.of("f32", "bf16", "f16", "q8_0raw")) {
            names.add("quant_fp8_" + t);
        }
        names.addAll(List.of("repack_q8_0", "fill_uniform_bf16", "fill_uniform_f32", "to_bf16", "rmsnorm", "swiglu",
                "argmax", "sample_topk"));
        for (String kv : List.of("f32", "bf16")) {
            names.add("rope_store_" + kv);
            for (int lanes : new int[]{1, 2, 4, 8}) {
                names.add("attention_" + kv + "_" + lanes);
            }
        }
        return names;
    }

    @Test
    void everyKernelTheBackendLaunchesIsCompiled() {
        Set<String> missing = new TreeSet<>(launchedKernels());
        missing.removeAll(entries.keySet());
        assertEquals(Set.of(), missing, "kernels the Java side launches but the sources do not define");
    }

    @Test
    void everyCompiledKernelTakesTheParametersItsLauncherMarshals() {
        for (Map.Entry<String, List<String>> e : entries.entrySet()) {
            String sig = Kernels.signature(e.getKey());
            List<String> ptx = e.getValue();
            assertEquals(sig.length(), ptx.size(), e.getKey() + " parameter count");
            for (int i = 0; i < sig.length(); i++) {
                String expected = switch (sig.charAt(i)) {
                    case 'p', 'l' -> ".u64";
                    case 'i' -> ".u32";
                    case 'f' -> ".f32";
                    case 'd' -> ".f64";
                    default -> throw new IllegalStateException();
                };
                String actual = ptx.get(i).replace(".s", ".u").replace(".b", ".u");
                assertEquals(expected, actual, e.getKey() + " parameter " + i);
            }
        }
    }

    @Test
    void theInstantiatedAttentionLanesCoverEverySupportedHeadSize() {
        for (int hs = 2; hs <= LaunchGeometry.MAX_HEAD_SIZE; hs += 2) {
            String name = "attention_bf16_" + LaunchGeometry.attentionLanes(hs);
            assertTrue(entries.containsKey(name), name + " for head size " + hs);
        }
    }
}
