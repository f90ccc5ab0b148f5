// A host-only stand-in for libcuda, libnvrtc and libcublas, for driving CudaBackend without a GPU: "device"
// memory is host memory (so copies really copy), kernels are not run but every launch is checked for a sane
// configuration and counted, and graphs record how many launches they captured. Counters are read with
// fake_counter(name). Built by FakeCudaTest with the system C compiler.
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

static long long c_alloc, c_free, c_live_bytes, c_host_alloc, c_host_free, c_h2d, c_h2d_bytes, c_d2h, c_d2h_bytes,
    c_d2d, c_launch, c_captured, c_graphs, c_graph_launch, c_graph_destroy, c_exec_destroy, c_gemm, c_compile,
    c_bad_launch, c_capturing;

long long fake_counter(const char *name) {
#define C(n) if (!strcmp(name, #n)) return c_##n;
    C(alloc) C(free) C(live_bytes) C(host_alloc) C(host_free) C(h2d) C(h2d_bytes) C(d2h) C(d2h_bytes) C(d2d)
    C(launch) C(captured) C(graphs) C(graph_launch) C(graph_destroy) C(exec_destroy) C(gemm) C(compile)
    C(bad_launch) C(capturing)
#undef C
    return -1;
}

static char last_kernel[128];
const char *fake_last_kernel(void) { return last_kernel; }

typedef unsigned long long u64;
typedef struct { size_t size; } header;

int cuInit(unsigned int f) { return 0; }
int cuDriverGetVersion(int *v) { *v = 13000; return 0; }
int cuGetErrorName(int e, const char **s) { *s = "CUDA_ERROR_FAKE"; return 0; }
int cuGetErrorString(int e, const char **s) { *s = "fake error"; return 0; }
int cuDeviceGetCount(int *c) { *c = 1; return 0; }
int cuDeviceGet(int *d, int o) { *d = o; return 0; }
int cuDeviceGetName(char *n, int len, int d) { strncpy(n, "Fake GPU", len); return 0; }
int cuDeviceGetAttribute(int *v, int a, int d) {
    *v = a == 75 ? 9 : a == 76 ? 0 : a == 16 ? 132 : 0;
    return 0;
}
int cuDevicePrimaryCtxRetain(void **c, int d) { *c = (void *) 0x1; return 0; }
int cuDevicePrimaryCtxRelease_v2(int d) { return 0; }
int cuCtxSetCurrent(void *c) { return 0; }
int cuCtxSynchronize(void) { return 0; }
int cuMemGetInfo_v2(size_t *f, size_t *t) { *f = 70ull << 30; *t = 80ull << 30; return 0; }

int cuMemAlloc_v2(u64 *p, size_t n) {
    if (c_capturing) return 900; // CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED-like: no allocation inside a capture
    header *h = malloc(sizeof(header) + n);
    if (!h) return 2;
    h->size = n;
    memset(h + 1, 0, n);
    c_alloc++;
    c_live_bytes += n;
    *p = (u64) (h + 1);
    return 0;
}
int cuMemFree_v2(u64 p) {
    header *h = ((header *) p) - 1;
    c_live_bytes -= h->size;
    c_free++;
    free(h);
    return 0;
}
int cuMemHostAlloc(void **p, size_t n, unsigned int f) { *p = calloc(1, n); c_host_alloc++; return 0; }
int cuMemFreeHost(void *p) { free(p); c_host_free++; return 0; }
int cuMemcpyHtoDAsync_v2(u64 d, const void *s, size_t n, void *st) { memcpy((void *) d, s, n); c_h2d++; c_h2d_bytes += n; return 0; }
int cuMemcpyDtoHAsync_v2(void *d, u64 s, size_t n, void *st) { memcpy(d, (void *) s, n); c_d2h++; c_d2h_bytes += n; return 0; }
int cuMemcpyDtoDAsync_v2(u64 d, u64 s, size_t n, void *st) { memcpy((void *) d, (void *) s, n); c_d2d++; return 0; }
int cuMemsetD8Async(u64 d, unsigned char v, size_t n, void *st) { memset((void *) d, v, n); return 0; }

int cuModuleLoadData(void **m, const void *image) { *m = (void *) 0x2; return 0; }
int cuModuleUnload(void *m) { return 0; }
int cuModuleGetFunction(void **f, void *m, const char *name) { *f = strdup(name); return 0; }
int cuLaunchKernel(void *f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,
                   unsigned int bz, unsigned int shared, void *stream, void **params, void **extra) {
    strncpy(last_kernel, (const char *) f, sizeof last_kernel - 1);
    if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || bx > 1024 || by != 1 || bz != 1 || gy > 65535
        || shared > 48 * 1024 || params == NULL || extra != NULL) {
        c_bad_launch++;
        return 1; // CUDA_ERROR_INVALID_VALUE
    }
    if (c_capturing) c_captured++; else c_launch++;
    return 0;
}

int cuStreamCreate(void **s, unsigned int f) { *s = (void *) 0x3; return 0; }
int cuStreamDestroy_v2(void *s) { return 0; }
int cuStreamSynchronize(void *s) { return c_capturing ? 900 : 0; }
int cuStreamBeginCapture_v2(void *s, int mode) { c_capturing = 1; c_captured = 0; return mode == 2 ? 0 : 1; }
int cuStreamEndCapture(void *s, void **g) {
    c_capturing = 0;
    long long *graph = malloc(sizeof(long long));
    *graph = c_captured;
    *g = graph;
    c_graphs++;
    return 0;
}
int cuGraphInstantiateWithFlags(void **e, void *g, u64 flags) {
    long long *exec = malloc(sizeof(long long));
    *exec = *(long long *) g;
    *e = exec;
    return 0;
}
int cuGraphLaunch(void *e, void *s) { c_graph_launch++; c_launch += *(long long *) e; return 0; }
int cuGraphExecDestroy(void *e) { free(e); c_exec_destroy++; return 0; }
int cuGraphDestroy(void *g) { free(g); c_graph_destroy++; return 0; }
int cuEventCreate(void **e, unsigned int f) { *e = malloc(1); return 0; }
int cuEventRecord(void *e, void *s) { return 0; }
int cuEventSynchronize(void *e) { return 0; }
int cuEventElapsedTime_v2(float *ms, void *a, void *b) { *ms = 1.0f; return 0; }
int cuEventDestroy_v2(void *e) { free(e); return 0; }

// ---- NVRTC ----
int nvrtcVersion(int *major, int *minor) { *major = 13; *minor = 0; return 0; }
const char *nvrtcGetErrorString(int r) { return "NVRTC_FAKE"; }
int nvrtcCreateProgram(void **p, const char *src, const char *name, int n, const char *const *h, const char *const *i) {
    *p = strdup(src);
    return 0;
}
int nvrtcCompileProgram(void *p, int n, const char *const *options) {
    c_compile++;
    for (int i = 0; i < n; i++) {
        if (!strcmp(options[i], "--gpu-architecture=sm_90")) return 0;
    }
    return 6; // NVRTC_ERROR_COMPILATION
}
int nvrtcGetCUBINSize(void *p, size_t *n) { *n = 16; return 0; }
int nvrtcGetCUBIN(void *p, char *c) { memcpy(c, "FAKECUBIN0123456", 16); return 0; }
int nvrtcGetProgramLogSize(void *p, size_t *n) { *n = 1; return 0; }
int nvrtcGetProgramLog(void *p, char *l) { l[0] = 0; return 0; }
int nvrtcDestroyProgram(void **p) { free(*p); return 0; }

// ---- cuBLAS ----
int cublasCreate_v2(void **h) { *h = (void *) 0x4; return 0; }
int cublasDestroy_v2(void *h) { return 0; }
int cublasSetStream_v2(void *h, void *s) { return 0; }
int cublasSetWorkspace_v2(void *h, void *w, size_t n) { return w && n ? 0 : 7; }
const char *cublasGetStatusName(int s) { return "CUBLAS_STATUS_FAKE"; }
int cublasGemmEx(void *h, int ta, int tb, int m, int n, int k, const void *alpha, const void *A, int at, int lda,
                 const void *B, int bt, int ldb, const void *beta, void *C, int ct, int ldc, int compute, int algo) {
    // W stored row-major (op T), x column-major (op N): lda >= k, ldb >= k, ldc >= m
    if (ta != 1 || tb != 0 || m <= 0 || n <= 0 || k <= 0 || lda < k || ldb < k || ldc < m || at != bt || ct != 0
        || compute != 68) {
        return 7; // CUBLAS_STATUS_INVALID_VALUE
    }
    if (c_capturing) c_captured++; else c_launch++;
    c_gemm++;
    return 0;
}
