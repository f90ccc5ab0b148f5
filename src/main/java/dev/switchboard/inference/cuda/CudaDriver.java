package dev.switchboard.inference.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CUDA driver API (libcuda.so.1) through FFM. Every call is checked: a failure throws {@link CudaException}
 * with the exported symbol and the driver's error name. Calls must come from the thread that made the context
 * current ({@link CudaThread}).
 *
 * <p>The context is the device's primary context ({@code cuDevicePrimaryCtxRetain}): its signature is stable across
 * CUDA versions (CUDA 13 changed {@code cuCtxCreate} into {@code cuCtxCreate_v4} taking a {@code CUctxCreateParams}
 * struct), and it is the context cuBLAS and other runtime-API libraries use too.
 */
final class CudaDriver {
    static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    static final int CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE = 38;
    static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    static final int CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
    static final int CU_STREAM_NON_BLOCKING = 1;
    static final int CU_STREAM_CAPTURE_MODE_RELAXED = 2;
    static final int CU_MEMHOSTALLOC_PORTABLE = 1;
    static final int CU_EVENT_DEFAULT = 0;

    /** Exported symbol → prototype as cuda.h declares it (the header's #define maps the name to the symbol). */
    static final Map<String, String> PROTOTYPES = new LinkedHashMap<>();

    static {
        p("cuInit", "CUresult cuInit(unsigned int Flags)");
        p("cuDriverGetVersion", "CUresult cuDriverGetVersion(int *driverVersion)");
        p("cuGetErrorName", "CUresult cuGetErrorName(CUresult error, const char **pStr)");
        p("cuGetErrorString", "CUresult cuGetErrorString(CUresult error, const char **pStr)");
        p("cuDeviceGetCount", "CUresult cuDeviceGetCount(int *count)");
        p("cuDeviceGet", "CUresult cuDeviceGet(CUdevice *device, int ordinal)");
        p("cuDeviceGetName", "CUresult cuDeviceGetName(char *name, int len, CUdevice dev)");
        p("cuDeviceGetAttribute", "CUresult cuDeviceGetAttribute(int *pi, CUdevice_attribute attrib, CUdevice dev)");
        p("cuDevicePrimaryCtxRetain", "CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev)");
        p("cuDevicePrimaryCtxRelease_v2", "CUresult cuDevicePrimaryCtxRelease(CUdevice dev)");
        p("cuCtxSetCurrent", "CUresult cuCtxSetCurrent(CUcontext ctx)");
        p("cuCtxSynchronize", "CUresult cuCtxSynchronize(void)");
        p("cuMemGetInfo_v2", "CUresult cuMemGetInfo(size_t *free, size_t *total)");
        p("cuMemAlloc_v2", "CUresult cuMemAlloc(CUdeviceptr *dptr, size_t bytesize)");
        p("cuMemFree_v2", "CUresult cuMemFree(CUdeviceptr dptr)");
        p("cuMemHostAlloc", "CUresult cuMemHostAlloc(void **pp, size_t bytesize, unsigned int Flags)");
        p("cuMemFreeHost", "CUresult cuMemFreeHost(void *p)");
        p("cuMemcpyHtoDAsync_v2", "CUresult cuMemcpyHtoDAsync(CUdeviceptr dstDevice, const void *srcHost, "
                + "size_t ByteCount, CUstream hStream)");
        p("cuMemcpyDtoHAsync_v2", "CUresult cuMemcpyDtoHAsync(void *dstHost, CUdeviceptr srcDevice, "
                + "size_t ByteCount, CUstream hStream)");
        p("cuMemcpyDtoDAsync_v2", "CUresult cuMemcpyDtoDAsync(CUdeviceptr dstDevice, CUdeviceptr srcDevice, "
                + "size_t ByteCount, CUstream hStream)");
        p("cuMemsetD8Async", "CUresult cuMemsetD8Async(CUdeviceptr dstDevice, unsigned char uc, size_t N, "
                + "CUstream hStream)");
        p("cuModuleLoadData", "CUresult cuModuleLoadData(CUmodule *module, const void *image)");
        p("cuModuleUnload", "CUresult cuModuleUnload(CUmodule hmod)");
        p("cuModuleGetFunction", "CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name)");
        p("cuLaunchKernel", "CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, "
                + "unsigned int gridDimZ, unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ, "
                + "unsigned int sharedMemBytes, CUstream hStream, void **kernelParams, void **extra)");
        p("cuStreamCreate", "CUresult cuStreamCreate(CUstream *phStream, unsigned int Flags)");
        p("cuStreamDestroy_v2", "CUresult cuStreamDestroy(CUstream hStream)");
        p("cuStreamSynchronize", "CUresult cuStreamSynchronize(CUstream hStream)");
        p("cuStreamBeginCapture_v2", "CUresult cuStreamBeginCapture(CUstream hStream, CUstreamCaptureMode mode)");
        p("cuStreamEndCapture", "CUresult cuStreamEndCapture(CUstream hStream, CUgraph *phGraph)");
        p("cuGraphInstantiateWithFlags", "CUresult cuGraphInstantiate(CUgraphExec *phGraphExec, CUgraph hGraph, "
                + "unsigned long long flags)");
        p("cuGraphLaunch", "CUresult cuGraphLaunch(CUgraphExec hGraphExec, CUstream hStream)");
        p("cuGraphExecDestroy", "CUresult cuGraphExecDestroy(CUgraphExec hGraphExec)");
        p("cuGraphDestroy", "CUresult cuGraphDestroy(CUgraph hGraph)");
        p("cuEventCreate", "CUresult cuEventCreate(CUevent *phEvent, unsigned int Flags)");
        p("cuEventRecord", "CUresult cuEventRecord(CUevent hEvent, CUstream hStream)");
        p("cuEventSynchronize", "CUresult cuEventSynchronize(CUevent hEvent)");
        p("cuEventElapsedTime_v2", "CUresult cuEventElapsedTime(float *pMilliseconds, CUevent hStart, CUevent hEnd)");
        p("cuEventDestroy_v2", "CUresult cuEventDestroy(CUevent hEvent)");
    }

    private static void p(String symbol, String prototype) {
        PROTOTYPES.put(symbol, prototype);
    }

    private final NativeFunctions h;
    /** Scratch for out-parameters; the driver is used from one thread only. */
    private final Arena scratchArena = Arena.ofAuto();
    private final MemorySegment out = scratchArena.allocate(64, 8);

    CudaDriver(NativeLibrary lib) {
        h = new NativeFunctions(lib, PROTOTYPES);
    }

    /** Throws unless {@code result} is CUDA_SUCCESS, naming the function and the driver's error name. */
    void check(String symbol, int result) {
        if (result != 0) {
            throw new CudaException(symbol, result, errorText("cuGetErrorName", result), errorText("cuGetErrorString", result));
        }
    }

    private String errorText(String symbol, int code) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ValueLayout.ADDRESS);
            int r = (int) h.handle(symbol).invokeExact(code, p);
            MemorySegment s = p.get(ValueLayout.ADDRESS, 0);
            return r != 0 || s.equals(MemorySegment.NULL) ? "CUresult " + code : s.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            return "CUresult " + code;
        }
    }

    private void checked(String symbol, Object... args) {
        check(symbol, h.call(symbol, args));
    }

    // ---- device and context ----

    void init() {
        checked("cuInit", 0);
    }

    int driverVersion() {
        checked("cuDriverGetVersion", out);
        return out.get(ValueLayout.JAVA_INT, 0);
    }

    int deviceCount() {
        checked("cuDeviceGetCount", out);
        return out.get(ValueLayout.JAVA_INT, 0);
    }

    int device(int ordinal) {
        checked("cuDeviceGet", out, ordinal);
        return out.get(ValueLayout.JAVA_INT, 0);
    }

    String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment name = a.allocate(256);
            checked("cuDeviceGetName", name, 256, device);
            return name.getString(0);
        }
    }

    int attribute(int attribute, int device) {
        checked("cuDeviceGetAttribute", out, attribute, device);
        return out.get(ValueLayout.JAVA_INT, 0);
    }

    MemorySegment retainPrimaryContext(int device) {
        checked("cuDevicePrimaryCtxRetain", out, device);
        return out.get(ValueLayout.ADDRESS, 0);
    }

    void releasePrimaryContext(int device) {
        checked("cuDevicePrimaryCtxRelease_v2", device);
    }

    void setCurrent(MemorySegment context) {
        checked("cuCtxSetCurrent", context);
    }

    void synchronize() {
        checked("cuCtxSynchronize");
    }

    /** {free, total} bytes of device memory. */
    long[] memInfo() {
        checked("cuMemGetInfo_v2", out, out.asSlice(8));
        return new long[]{out.get(ValueLayout.JAVA_LONG, 0), out.get(ValueLayout.JAVA_LONG, 8)};
    }

    // ---- memory ----

    long malloc(long bytes) {
        checked("cuMemAlloc_v2", out, Math.max(bytes, 1));
        return out.get(ValueLayout.JAVA_LONG, 0);
    }

    void free(long ptr) {
        if (ptr != 0) {
            checked("cuMemFree_v2", ptr);
        }
    }

    /** Page-locked host memory, so asynchronous copies run at full speed and without a staging copy. */
    MemorySegment hostAlloc(long bytes) {
        checked("cuMemHostAlloc", out, bytes, CU_MEMHOSTALLOC_PORTABLE);
        return out.get(ValueLayout.ADDRESS, 0).reinterpret(bytes);
    }

    void freeHost(MemorySegment p) {
        checked("cuMemFreeHost", p);
    }

    void copyHtoD(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        checked("cuMemcpyHtoDAsync_v2", dst, src, bytes, stream);
    }

    void copyDtoH(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        checked("cuMemcpyDtoHAsync_v2", dst, src, bytes, stream);
    }

    void copyDtoD(long dst, long src, long bytes, MemorySegment stream) {
        checked("cuMemcpyDtoDAsync_v2", dst, src, bytes, stream);
    }

    void memset(long dst, byte value, long bytes, MemorySegment stream) {
        checked("cuMemsetD8Async", dst, value, bytes, stream);
    }

    // ---- modules and launches ----

    MemorySegment loadModule(MemorySegment image) {
        checked("cuModuleLoadData", out, image);
        return out.get(ValueLayout.ADDRESS, 0);
    }

    void unloadModule(MemorySegment module) {
        checked("cuModuleUnload", module);
    }

    MemorySegment function(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocateFrom(name);
            int r = h.call("cuModuleGetFunction", out, module, n);
            if (r != 0) {
                throw new CudaException("cuModuleGetFunction(" + name + ")", r, errorText("cuGetErrorName", r),
                        errorText("cuGetErrorString", r));
            }
            return out.get(ValueLayout.ADDRESS, 0);
        }
    }

    /** Launches with {@code params}, an array of pointers to each argument's value. */
    void launch(MemorySegment f, int gx, int gy, int bx, int shared, MemorySegment stream, MemorySegment params) {
        try {
            int r = (int) h.handle("cuLaunchKernel").invokeExact(f, gx, gy, 1, bx, 1, 1, shared, stream, params,
                    MemorySegment.NULL);
            check("cuLaunchKernel", r);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cuLaunchKernel threw " + t);
        }
    }

    // ---- streams, events, graphs ----

    MemorySegment createStream() {
        checked("cuStreamCreate", out, CU_STREAM_NON_BLOCKING);
        return out.get(ValueLayout.ADDRESS, 0);
    }

    void destroyStream(MemorySegment stream) {
        checked("cuStreamDestroy_v2", stream);
    }

    void streamSynchronize(MemorySegment stream) {
        checked("cuStreamSynchronize", stream);
    }

    void beginCapture(MemorySegment stream) {
        checked("cuStreamBeginCapture_v2", stream, CU_STREAM_CAPTURE_MODE_RELAXED);
    }

    MemorySegment endCapture(MemorySegment stream) {
        checked("cuStreamEndCapture", stream, out);
        return out.get(ValueLayout.ADDRESS, 0);
    }

    MemorySegment instantiate(MemorySegment graph) {
        checked("cuGraphInstantiateWithFlags", out, graph, 0L);
        return out.get(ValueLayout.ADDRESS, 0);
    }

    void launchGraph(MemorySegment exec, MemorySegment stream) {
        try {
            check("cuGraphLaunch", (int) h.handle("cuGraphLaunch").invokeExact(exec, stream));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cuGraphLaunch threw " + t);
        }
    }

    void destroyGraphExec(MemorySegment exec) {
        checked("cuGraphExecDestroy", exec);
    }

    void destroyGraph(MemorySegment graph) {
        checked("cuGraphDestroy", graph);
    }

    MemorySegment createEvent() {
        checked("cuEventCreate", out, CU_EVENT_DEFAULT);
        return out.get(ValueLayout.ADDRESS, 0);
    }

    void record(MemorySegment event, MemorySegment stream) {
        checked("cuEventRecord", event, stream);
    }

    void eventSynchronize(MemorySegment event) {
        checked("cuEventSynchronize", event);
    }

    float elapsedMillis(MemorySegment start, MemorySegment end) {
        checked("cuEventElapsedTime_v2", out, start, end);
        return out.get(ValueLayout.JAVA_FLOAT, 0);
    }

    void destroyEvent(MemorySegment event) {
        checked("cuEventDestroy_v2", event);
    }
}
