package dev.switchboard.inference.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * cuBLAS (libcublas) for the matrix products of many tokens at once (prefill, large decode batches), where a
 * tensor-core GEMM beats streaming the weights once per eight tokens. Optional: without it those products run
 * on the engine's own kernels.
 */
final class Cublas implements AutoCloseable {
    static final int CUBLAS_OP_N = 0;
    static final int CUBLAS_OP_T = 1;
    static final int CUDA_R_32F = 0;
    static final int CUDA_R_16BF = 14;
    static final int CUBLAS_COMPUTE_32F = 68;
    static final int CUBLAS_GEMM_DEFAULT = -1;

    /** Exported symbol → prototype as cublas_api.h declares it. */
    static final Map<String, String> PROTOTYPES = new LinkedHashMap<>();

    static {
        PROTOTYPES.put("cublasCreate_v2", "cublasStatus_t cublasCreate_v2(cublasHandle_t *handle)");
        PROTOTYPES.put("cublasDestroy_v2", "cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)");
        PROTOTYPES.put("cublasSetStream_v2", "cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, "
                + "cudaStream_t streamId)");
        PROTOTYPES.put("cublasSetWorkspace_v2", "cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, "
                + "void *workspace, size_t workspaceSizeInBytes)");
        PROTOTYPES.put("cublasGetStatusName", "const char *cublasGetStatusName(cublasStatus_t status)");
        PROTOTYPES.put("cublasGemmEx", "cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, "
                + "cublasOperation_t transb, int m, int n, int k, const void *alpha, const void *A, "
                + "cudaDataType Atype, int lda, const void *B, cudaDataType Btype, int ldb, const void *beta, "
                + "void *C, cudaDataType Ctype, int ldc, cublasComputeType_t computeType, cublasGemmAlgo_t algo)");
    }

    private final NativeFunctions h;
    private final MemorySegment handle;
    private final MemorySegment one;
    private final MemorySegment zero;

    /** Creates a handle bound to {@code stream}, with a fixed workspace so calls can be captured into graphs. */
    Cublas(NativeLibrary lib, MemorySegment stream, long workspace, long workspaceBytes) {
        h = new NativeFunctions(lib, PROTOTYPES);
        Arena arena = Arena.ofAuto();
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        checked("cublasCreate_v2", out);
        handle = out.get(ValueLayout.ADDRESS, 0);
        checked("cublasSetStream_v2", handle, stream);
        checked("cublasSetWorkspace_v2", handle, MemorySegment.ofAddress(workspace), workspaceBytes);
        one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
        zero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
    }

    /**
     * {@code y[t * ldy + r] (+)= W[r] . x[t * ldx]} for {@code n} tokens: W row-major (rows × cols, stride ld) is a
     * column-major cols × rows matrix, so this is {@code C = op(A)ᵀ · B} with A = W transposed back.
     *
     * @param type CUDA_R_16BF or CUDA_R_32F, the type of both W and x; y is always float32
     */
    void gemm(int type, long w, int rows, int cols, long ld, long x, int ldx, long y, int ldy, int n,
              boolean accumulate) {
        checked("cublasGemmEx", handle, CUBLAS_OP_T, CUBLAS_OP_N, rows, n, cols, one, MemorySegment.ofAddress(w),
                type, Math.toIntExact(ld), MemorySegment.ofAddress(x), type, ldx, accumulate ? one : zero,
                MemorySegment.ofAddress(y), CUDA_R_32F, ldy, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    }

    @Override
    public void close() {
        checked("cublasDestroy_v2", handle);
    }

    private void checked(String symbol, Object... args) {
        int r = h.call(symbol, args);
        if (r != 0) {
            throw new CudaException(symbol, r, statusName(r), null);
        }
    }

    private String statusName(int r) {
        try {
            MemorySegment s = (MemorySegment) h.handle("cublasGetStatusName").invokeExact(r);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "cublasStatus_t " + r;
        }
    }
}
