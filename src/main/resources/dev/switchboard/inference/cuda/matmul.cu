// Weight kernels: the small-batch matrix-vector products that stream weights at memory bandwidth, the embedding
// lookup, and the load-time conversions (repacking, FP8 quantization, random initialization).

#define GEMV_WARPS 8
// Rows per warp of the kernels for NT >= 2 tokens (LaunchGeometry.gemvRowsPerWarp).
#define GEMV_TILED_ROWS(NT) ((NT) >= 4 ? 2 : 1)

// y[t * ldy + r] (+)= row r of W . x[t * ldx ..] for one token and every row r: one warp per row, each lane reading
// 16 bytes of the row per step so a warp pulls 512 contiguous bytes at a time; the token vector is small and stays
// in L1, so the weights are read from memory once.
template <class W>
__device__ __forceinline__ void gemv1(const void* __restrict__ w, const float* __restrict__ scales, int rows,
                                      int cols, long ld, const float* __restrict__ x, float* __restrict__ y,
                                      int accumulate) {
    int lane = threadIdx.x & 31;
    int row = blockIdx.x * GEMV_WARPS + (threadIdx.x >> 5);
    if (row >= rows) {
        return;
    }
    const int V = W::VEC;
    float acc = 0.0f;
    int full = cols / V * V;
#pragma unroll 4
    for (int c = lane * V; c < full; c += 32 * V) {
        float wv[V];
        W::load(w, scales, row, ld, c, wv);
        float sum = 0.0f;
#pragma unroll
        for (int i = 0; i < V; i += 4) {
            float4 xv = __ldg(reinterpret_cast<const float4*>(x + c + i));
            sum += wv[i] * xv.x + wv[i + 1] * xv.y + wv[i + 2] * xv.z + wv[i + 3] * xv.w;
        }
        acc += sum;
    }
    for (int c = full + lane; c < cols; c += 32) {
        acc += W::scalar(w, scales, row, ld, cols, c) * x[c];
    }
    float v = warp_sum(acc) * W::row_scale(scales, row);
    if (lane == 0) {
        y[row] = accumulate ? y[row] + v : v;
    }
}

// The same product for NT >= 2 tokens. Each warp reading the NT token vectors from L2 itself, as the one-token
// kernel does, made 8 tokens L2-bound (3x the time of one token on an H200). Here the block stages each tile of
// 32 x VEC columns of the NT vectors in shared memory once for its GEMV_WARPS warps, and each warp computes
// GEMV_TILED_ROWS(NT) rows, so one shared-memory read serves that many rows; more rows a warp would leave too few
// warps to keep enough weight loads in flight. The next tile's weights are loaded before the current tile is used,
// so the barriers do not stall the weight stream. A lane visits the same columns and adds in the same order as in
// gemv1, so a token gets the result it would get alone.
template <class W, int NT>
__device__ __forceinline__ void gemv_tiled(const void* __restrict__ w, const float* __restrict__ scales, int rows,
                                           int cols, long ld, const float* __restrict__ x, int ldx,
                                           float* __restrict__ y, int ldy, int accumulate) {
    const int V = W::VEC;
    const int R = GEMV_TILED_ROWS(NT);
    const int Q = 8 * V;  // float4s of one token in a tile of 32 * V columns
    __shared__ float4 xs[NT * Q];
    int lane = threadIdx.x & 31;
    int row0 = (blockIdx.x * GEMV_WARPS + (threadIdx.x >> 5)) * R;
    float acc[R][NT];
#pragma unroll
    for (int r = 0; r < R; r++) {
#pragma unroll
        for (int t = 0; t < NT; t++) {
            acc[r][t] = 0.0f;
        }
    }
    int full = cols / V * V;
    float wv[R][V];
    if (lane * V < full) {
#pragma unroll
        for (int r = 0; r < R; r++) {
            if (row0 + r < rows) {
                W::load(w, scales, row0 + r, ld, lane * V, wv[r]);
            }
        }
    }
    for (int c0 = 0; c0 < full; c0 += 32 * V) {
        int width4 = min(32 * V, full - c0) >> 2;
        for (int i = threadIdx.x; i < NT * Q; i += blockDim.x) {
            int t = i / Q, q = i - t * Q;
            if (q < width4) {
                // lane l's j-th float4 is stored at j * 32 + l, so a warp's reads below are 512 contiguous bytes
                int l = q / (V / 4), j = q - l * (V / 4);
                xs[t * Q + j * 32 + l] = __ldg(reinterpret_cast<const float4*>(x + (long) t * ldx + c0) + q);
            }
        }
        __syncthreads();
        int c = c0 + lane * V;
        float next[R][V];
        if (c + 32 * V < full) {
#pragma unroll
            for (int r = 0; r < R; r++) {
                if (row0 + r < rows) {
                    W::load(w, scales, row0 + r, ld, c + 32 * V, next[r]);
                }
            }
        }
        if (c < full) {
#pragma unroll
            for (int r = 0; r < R; r++) {
#pragma unroll
                for (int t = 0; t < NT; t++) {
                    float sum = 0.0f;
#pragma unroll
                    for (int i = 0; i < V; i += 4) {
                        float4 xv = xs[t * Q + (i >> 2) * 32 + lane];
                        sum += wv[r][i] * xv.x + wv[r][i + 1] * xv.y + wv[r][i + 2] * xv.z + wv[r][i + 3] * xv.w;
                    }
                    acc[r][t] += sum;
                }
            }
        }
#pragma unroll
        for (int r = 0; r < R; r++) {
#pragma unroll
            for (int i = 0; i < V; i++) {
                wv[r][i] = next[r][i];
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int r = 0; r < R; r++) {
        int row = row0 + r;
        if (row >= rows) {
            break;
        }
        for (int c = full + lane; c < cols; c += 32) {
            float wt = W::scalar(w, scales, row, ld, cols, c);
#pragma unroll
            for (int t = 0; t < NT; t++) {
                acc[r][t] += wt * x[(long) t * ldx + c];
            }
        }
        float rs = W::row_scale(scales, row);
#pragma unroll
        for (int t = 0; t < NT; t++) {
            float v = warp_sum(acc[r][t]) * rs;
            if (lane == 0) {
                float* out = y + (long) t * ldy + row;
                *out = accumulate ? *out + v : v;
            }
        }
    }
}

#define GEMV_KERNEL(NAME, W, NT)                                                                                     \
    extern "C" __global__ void __launch_bounds__(GEMV_WARPS * 32)                                                    \
    gemv_##NAME##_##NT(const void* w, const float* scales, int rows, int cols, long ld, const float* x, int ldx,    \
                       float* y, int ldy, int accumulate) {                                                          \
        gemv_tiled<W, NT>(w, scales, rows, cols, ld, x, ldx, y, ldy, accumulate);                                    \
    }

#define GEMV_ALL_NT(NAME, W)                                                                                         \
    extern "C" __global__ void __launch_bounds__(GEMV_WARPS * 32)                                                    \
    gemv_##NAME##_1(const void* w, const float* scales, int rows, int cols, long ld, const float* x, int ldx,       \
                    float* y, int ldy, int accumulate) {                                                             \
        gemv1<W>(w, scales, rows, cols, ld, x, y, accumulate);                                                       \
    }                                                                                                                \
    GEMV_KERNEL(NAME, W, 2) GEMV_KERNEL(NAME, W, 3) GEMV_KERNEL(NAME, W, 4) GEMV_KERNEL(NAME, W, 5)                 \
    GEMV_KERNEL(NAME, W, 6) GEMV_KERNEL(NAME, W, 7) GEMV_KERNEL(NAME, W, 8)

GEMV_ALL_NT(f32, WF32)
GEMV_ALL_NT(bf16, WBF16)
GEMV_ALL_NT(f16, WF16)
GEMV_ALL_NT(q8_0, WQ8)
GEMV_ALL_NT(fp8, WFP8)

// out[i * cols ..] = row tokens[i] of the embedding table; one block per entry.
template <class W>
__device__ __forceinline__ void embed(const void* w, const float* scales, long ld, int cols, const int* tokens,
                                      float* out) {
    int i = blockIdx.x;
    int row = tokens[i];
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        out[(long) i * cols + c] = W::scalar(w, scales, row, ld, cols, c) * W::row_scale(scales, row);
    }
}

#define EMBED_KERNEL(NAME, W)                                                                                        \
    extern "C" __global__ void embed_##NAME(const void* w, const float* scales, long ld, int cols,                  \
                                            const int* tokens, float* out) {                                        \
        embed<W>(w, scales, ld, cols, tokens, out);                                                                  \
    }

EMBED_KERNEL(f32, WF32)
EMBED_KERNEL(bf16, WBF16)
EMBED_KERNEL(f16, WF16)
EMBED_KERNEL(q8_0, WQ8)

// ---- load-time conversions; one block per row, rows padded with zeros up to the destination stride ----

template <class S>
__device__ __forceinline__ float read(const void* src, const float* ss, long sld, int cols, int row, int c) {
    return S::scalar(src, ss, row, sld, cols, c) * S::row_scale(ss, row);
}

template <> __device__ __forceinline__ float read<WQ8Raw>(const void* src, const float* ss, long sld, int cols,
                                                         int row, int c) {
    return WQ8Raw::scalar(src, ss, row, sld, cols, c);
}

#define CONVERT_KERNEL(SNAME, S, DNAME, DTYPE, STORE)                                                               \
    extern "C" __global__ void convert_##SNAME##_##DNAME(const void* src, const float* ss, long sld, int cols,      \
                                                         DTYPE* dst, long dld) {                                     \
        int row = blockIdx.x;                                                                                        \
        for (long c = threadIdx.x; c < dld; c += blockDim.x) {                                                      \
            float v = c < cols ? read<S>(src, ss, sld, cols, row, (int) c) : 0.0f;                                   \
            dst[row * dld + c] = STORE(v);                                                                           \
        }                                                                                                            \
    }

#define STORE_F32(v) (v)
CONVERT_KERNEL(f32, WF32, f32, float, STORE_F32)
CONVERT_KERNEL(f32, WF32, bf16, bf16_t, f_to_bf16)
CONVERT_KERNEL(f16, WF16, f16, f16_t, f_to_f16)
CONVERT_KERNEL(f16, WF16, bf16, bf16_t, f_to_bf16)
CONVERT_KERNEL(bf16, WBF16, bf16, bf16_t, f_to_bf16)
CONVERT_KERNEL(q8_0raw, WQ8Raw, bf16, bf16_t, f_to_bf16)
// device weights to bf16 for a cuBLAS product of many tokens
CONVERT_KERNEL(q8_0, WQ8, bf16, bf16_t, f_to_bf16)
CONVERT_KERNEL(fp8, WFP8, bf16, bf16_t, f_to_bf16)

// GGUF Q8_0 blocks into the split layout WQ8 reads: quants row-major, one float scale per 32; values unchanged.
extern "C" __global__ void repack_q8_0(const unsigned char* raw, int cols, signed char* qs, float* scales) {
    int row = blockIdx.x;
    int blocks = cols >> 5;
    const unsigned char* r = raw + (long) row * blocks * 34;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        qs[(long) row * cols + c] = (signed char) r[(c >> 5) * 34 + 2 + (c & 31)];
    }
    for (int b = threadIdx.x; b < blocks; b += blockDim.x) {
        scales[(long) row * blocks + b] = f16_to_f((unsigned short) (r[b * 34] | (r[b * 34 + 1] << 8)));
    }
}

// One row to FP8 e4m3 with a per-row scale: absmax / 448, so the row's largest weight maps to the largest code.
template <class S>
__device__ __forceinline__ void quant_fp8(const void* src, const float* ss, long sld, int cols, fp8_t* dst, float* ds,
                                          long dld) {
    int row = blockIdx.x;
    float m = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        m = fmaxf(m, fabsf(read<S>(src, ss, sld, cols, row, c)));
    }
    m = block_max(m);
    float scale = m > 0.0f ? m / 448.0f : 1.0f;
    float inv = 1.0f / scale;
    for (long c = threadIdx.x; c < dld; c += blockDim.x) {
        float v = c < cols ? read<S>(src, ss, sld, cols, row, (int) c) * inv : 0.0f;
        dst[row * dld + c] = (fp8_t) f_to_fp8(v);
    }
    if (threadIdx.x == 0) {
        ds[row] = scale;
    }
}

#define QUANT_FP8_KERNEL(SNAME, S)                                                                                   \
    extern "C" __global__ void quant_fp8_##SNAME(const void* src, const float* ss, long sld, int cols, fp8_t* dst,  \
                                                 float* ds, long dld) {                                              \
        quant_fp8<S>(src, ss, sld, cols, dst, ds, dld);                                                              \
    }

QUANT_FP8_KERNEL(f32, WF32)
QUANT_FP8_KERNEL(bf16, WBF16)
QUANT_FP8_KERNEL(f16, WF16)
QUANT_FP8_KERNEL(q8_0raw, WQ8Raw)

// A counter-based generator: the value of element i depends only on (seed, i), so any launch shape and any
// chunking produce the same weights, and nothing is copied from the host.
__device__ __forceinline__ float uniform01(unsigned long long seed, unsigned long long i) {
    unsigned long long z = seed * 0x9e3779b97f4a7c15ull + i * 0xbf58476d1ce4e5b9ull + 0x94d049bb133111ebull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (float) (z >> 40) * (1.0f / 16777216.0f);
}

// rows x cols uniform values in [lo, hi) with row stride ld (padding zeroed).
extern "C" __global__ void fill_uniform_bf16(bf16_t* dst, int rows, int cols, long ld, unsigned long long seed,
                                             float lo, float hi) {
    long total = (long) rows * ld;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < total; i += (long) gridDim.x * blockDim.x) {
        long c = i % ld;
        dst[i] = f_to_bf16(c < cols ? lo + (hi - lo) * uniform01(seed, (unsigned long long) i) : 0.0f);
    }
}

extern "C" __global__ void fill_uniform_f32(float* dst, int rows, int cols, long ld, unsigned long long seed,
                                            float lo, float hi) {
    long total = (long) rows * ld;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < total; i += (long) gridDim.x * blockDim.x) {
        long c = i % ld;
        dst[i] = c < cols ? lo + (hi - lo) * uniform01(seed, (unsigned long long) i) : 0.0f;
    }
}

// Activations to bf16 for the cuBLAS path (n values).
extern "C" __global__ void to_bf16(const float* in, bf16_t* out, long n) {
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x) {
        out[i] = f_to_bf16(in[i]);
    }
}
