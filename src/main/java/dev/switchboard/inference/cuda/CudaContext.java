package dev.switchboard.inference.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * One GPU, opened: the libraries, the primary context made current on the {@link CudaThread}, one stream, the
 * compiled kernel module, and cuBLAS when it is installed. Every method except {@link #open} and {@link #close}
 * must run on {@link #thread}.
 */
final class CudaContext implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CudaContext.class.getName());
    static final long CUBLAS_WORKSPACE = 32L << 20;

    final CudaThread thread;
    final CudaDriver cu;
    final int device;
    final String deviceName;
    final int ccMajor;
    final int ccMinor;
    final int driverVersion;
    final int multiprocessors;
    final int l2Bytes;
    final int sharedOptIn;
    final MemorySegment context;
    final MemorySegment stream;
    final MemorySegment module;
    final Kernels kernels;
    /** Null when libcublas is absent or disabled. */
    final Cublas cublas;
    private final long cublasWorkspace;

    private CudaContext(CudaThread thread, CudaDriver cu, int device, MemorySegment context, Nvrtc nvrtc,
                        NativeLibrary cublasLib, CubinCache cache) {
        this.thread = thread;
        this.cu = cu;
        this.device = device;
        this.context = context;
        this.deviceName = cu.deviceName(device);
        this.ccMajor = cu.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        this.ccMinor = cu.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        this.multiprocessors = cu.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device);
        this.l2Bytes = cu.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, device);
        this.sharedOptIn = cu.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, device);
        this.driverVersion = cu.driverVersion();
        this.stream = cu.createStream();
        String source = KernelSource.text();
        String arch = "sm_" + ccMajor + ccMinor;
        var options = KernelSource.options(ccMajor, ccMinor);
        String key = CubinCache.key(source, options, arch, driverVersion, nvrtc.version());
        long t0 = System.nanoTime();
        byte[] cubin = cache.getOrCompile(key, () -> {
            LOG.info("compiling CUDA kernels for " + arch + " with NVRTC (once; cached in " + cache.directory() + ")");
            return nvrtc.compileToCubin(source, "switchboard_kernels.cu", options);
        });
        LOG.fine(() -> String.format(Locale.ROOT, "kernels ready in %.1f s", (System.nanoTime() - t0) / 1e9));
        try (Arena a = Arena.ofConfined()) {
            this.module = cu.loadModule(a.allocateFrom(ValueLayout.JAVA_BYTE, cubin));
        }
        this.kernels = new Kernels(cu, module, stream);
        Cublas blas = null;
        long workspace = 0;
        if (cublasLib != null) {
            workspace = cu.malloc(CUBLAS_WORKSPACE);
            blas = new Cublas(cublasLib, stream, workspace, CUBLAS_WORKSPACE);
        }
        this.cublas = blas;
        this.cublasWorkspace = workspace;
    }

    /**
     * Finds the libraries, initialises the driver and opens device {@code ordinal} on a new CUDA thread.
     *
     * @throws CudaUnavailableException when a library or the device is missing (callers fall back to the CPU)
     */
    static CudaContext open(int ordinal, boolean useCublas, CudaLibraries libs, CubinCache cache) {
        Path libcuda = findDriver(libs);
        Path libnvrtc = findNvrtc(libs);
        Optional<Path> libcublas = useCublas ? libs.find("cublas", null) : Optional.empty();
        CudaThread thread = new CudaThread("cuda-" + ordinal);
        try {
            return thread.call(() -> {
                CudaDriver cu = startDriver(libcuda, ordinal);
                int device = cu.device(ordinal);
                MemorySegment ctx = cu.retainPrimaryContext(device);
                cu.setCurrent(ctx);
                Nvrtc nvrtc = new Nvrtc(new NativeLibrary(libnvrtc));
                NativeLibrary blas = null;
                if (libcublas.isPresent()) {
                    blas = new NativeLibrary(libcublas.get());
                } else if (useCublas) {
                    LOG.info("no cuBLAS found in " + libs.searchPath() + "; batched matrix products use the engine's kernels");
                }
                return new CudaContext(thread, cu, device, ctx, nvrtc, blas, cache);
            });
        } catch (RuntimeException e) {
            thread.close();
            throw e;
        }
    }

    private static Path findDriver(CudaLibraries libs) {
        return libs.find("cuda", "libcuda.so.1").orElseThrow(() -> new CudaUnavailableException(
                "no CUDA driver (libcuda.so.1) in " + libs.searchPath()));
    }

    private static Path findNvrtc(CudaLibraries libs) {
        return libs.find("nvrtc", null).orElseThrow(() -> new CudaUnavailableException(
                "no NVRTC (libnvrtc.so) in " + libs.searchPath() + "; set " + CudaLibraries.PATH_PROPERTY));
    }

    /** Loads and initialises the driver; a driver that cannot start, or too few devices, means no GPU. */
    private static CudaDriver startDriver(Path libcuda, int ordinal) {
        CudaDriver cu;
        int count;
        try {
            cu = new CudaDriver(new NativeLibrary(libcuda));
            cu.init();
            count = cu.deviceCount();
        } catch (CudaException | IllegalArgumentException e) {
            throw new CudaUnavailableException("the CUDA driver " + libcuda + " cannot start: " + e.getMessage(), e);
        }
        if (ordinal >= count) {
            throw new CudaUnavailableException("CUDA device " + ordinal + " requested, " + count + " present");
        }
        return cu;
    }

    /**
     * Checks, without opening a context or compiling anything, that the driver, NVRTC and a device are there.
     *
     * @throws CudaUnavailableException saying what is missing
     */
    static void checkAvailable(CudaLibraries libs) {
        Path libcuda = findDriver(libs);
        findNvrtc(libs);
        startDriver(libcuda, 0);
    }

    String describe() {
        long[] mem = cu.memInfo();
        return String.format(Locale.ROOT, "%s (sm_%d%d, %d SMs, %d MiB L2, %d KiB shared/block opt-in, %.1f GiB, "
                        + "driver %d.%d%s)", deviceName, ccMajor, ccMinor, multiprocessors, l2Bytes >> 20,
                sharedOptIn >> 10, mem[1] / (double) (1L << 30), driverVersion / 1000, driverVersion % 1000 / 10,
                cublas != null ? ", cuBLAS" : "");
    }

    @Override
    public void close() {
        thread.run(() -> {
            cu.synchronize();
            if (cublas != null) {
                cublas.close();
                cu.free(cublasWorkspace);
            }
            cu.unloadModule(module);
            cu.destroyStream(stream);
            cu.releasePrimaryContext(device);
        });
        thread.close();
    }
}
