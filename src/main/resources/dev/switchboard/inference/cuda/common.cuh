// Shared helpers of the engine's CUDA kernels. The sources are concatenated in the order KernelSource lists them
// and compiled as one unit by NVRTC at run time (and by nvcc in the build's test), so they include no headers:
// NVRTC then needs no CUDA include directory on the machine that runs it.
//
// Element types are plain integers on purpose: bf16, f16 and fp8 e4m3 are converted here with bit operations
// (and one PTX instruction for f16), which compile the same under NVRTC and nvcc on every architecture.

typedef unsigned short bf16_t;
typedef unsigned short f16_t;
typedef unsigned char fp8_t;

// Weights per row of a matrix are stored with a row stride (ld) that is a multiple of 16 elements, so every row
// starts 16-byte aligned for the vector loads; activation rows have strides that are multiples of 4 floats.

__device__ __forceinline__ float bf16_to_f(unsigned short h) {
    return __uint_as_float(((unsigned int) h) << 16);
}

// Round to nearest even, as the host-side conversion does; NaN stays a (quiet) NaN.
__device__ __forceinline__ unsigned short f_to_bf16(float f) {
    unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) {
        return (unsigned short) ((u >> 16) | 0x40u);
    }
    u += 0x7fffu + ((u >> 16) & 1u);
    return (unsigned short) (u >> 16);
}

__device__ __forceinline__ float f16_to_f(unsigned short h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}

__device__ __forceinline__ unsigned short f_to_f16(float f) {
    unsigned short h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
    return h;
}

// e4m3 (bias 7, no infinities) moved into the f32 bit pattern is the same number times 2^-120, subnormals too
// (the kernels are compiled without flushing them). Bit operations and one multiply: going through f16 cost a
// conversion instruction per weight, which made the FP8 GEMV compute-bound on an H200.
__device__ __forceinline__ float fp8_to_f(unsigned int x) {
    return __uint_as_float(((x & 0x80u) << 24) | ((x & 0x7fu) << 20)) * 0x1p120f;
}

// Nearest e4m3 to v (ties to even), saturating at +-448; v is finite.
__device__ __forceinline__ unsigned int f_to_fp8(float v) {
    unsigned int sign = v < 0.0f ? 0x80u : 0u;
    float a = fminf(fabsf(v), 448.0f);
    unsigned int code;
    if (a < 0.015625f) {                       // below 2^-6: subnormal steps of 2^-9 (8 means the first normal)
        code = (unsigned int) rintf(a * 512.0f);
    } else {
        int e;
        float m = frexpf(a, &e);               // a = m * 2^e, m in [0.5, 1)
        unsigned int mant = (unsigned int) rintf((m * 2.0f - 1.0f) * 8.0f);
        int biased = e - 1 + 7;
        if (mant == 8u) {
            mant = 0u;
            biased++;
        }
        code = ((unsigned int) biased << 3) | mant;
        if (code > 0x7eu) {
            code = 0x7eu;                      // 448, the largest finite value
        }
    }
    return sign | code;
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, o);
    }
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    }
    return v;
}

// Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
__device__ __forceinline__ float block_sum(float v) {
    __shared__ float partial[32];
    __shared__ float total;
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    v = warp_sum(v);
    if (lane == 0) {
        partial[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        float s = lane < (int) (blockDim.x >> 5) ? partial[lane] : 0.0f;
        s = warp_sum(s);
        if (lane == 0) {
            total = s;
        }
    }
    __syncthreads();
    return total;
}

// Same as block_sum, for the maximum.
__device__ __forceinline__ float block_max(float v) {
    __shared__ float partial[32];
    __shared__ float total;
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    v = warp_max(v);
    if (lane == 0) {
        partial[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        float s = lane < (int) (blockDim.x >> 5) ? partial[lane] : -3.402823466e38f;
        s = warp_max(s);
        if (lane == 0) {
            total = s;
        }
    }
    __syncthreads();
    return total;
}

// ---- weight element types: how a matrix row is read ----
// VEC: elements per 16-byte load. load(): VEC consecutive weights at column c (a multiple of VEC), scales applied
// except the per-row one. scalar(): one weight, likewise. row_scale(): the factor for a whole row (FP8's scale).
// Quantized types keep their scales in a separate float array: Q8_0 one per 32 columns, FP8 one per row.

struct WF32 {
    enum { VEC = 4 };
    static __device__ __forceinline__ void load(const void* w, const float* s, int row, long ld, int c, float* out) {
        float4 v = *reinterpret_cast<const float4*>(reinterpret_cast<const float*>(w) + row * ld + c);
        out[0] = v.x; out[1] = v.y; out[2] = v.z; out[3] = v.w;
    }
    static __device__ __forceinline__ float scalar(const void* w, const float* s, int row, long ld, int cols, int c) {
        return reinterpret_cast<const float*>(w)[row * ld + c];
    }
    static __device__ __forceinline__ float row_scale(const float* s, int row) { return 1.0f; }
};

struct WBF16 {
    enum { VEC = 8 };
    static __device__ __forceinline__ void load(const void* w, const float* s, int row, long ld, int c, float* out) {
        uint4 v = *reinterpret_cast<const uint4*>(reinterpret_cast<const bf16_t*>(w) + row * ld + c);
        unsigned int u[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
        for (int i = 0; i < 4; i++) {
            out[2 * i] = __uint_as_float(u[i] << 16);
            out[2 * i + 1] = __uint_as_float(u[i] & 0xffff0000u);
        }
    }
    static __device__ __forceinline__ float scalar(const void* w, const float* s, int row, long ld, int cols, int c) {
        return bf16_to_f(reinterpret_cast<const bf16_t*>(w)[row * ld + c]);
    }
    static __device__ __forceinline__ float row_scale(const float* s, int row) { return 1.0f; }
};

struct WF16 {
    enum { VEC = 8 };
    static __device__ __forceinline__ void load(const void* w, const float* s, int row, long ld, int c, float* out) {
        uint4 v = *reinterpret_cast<const uint4*>(reinterpret_cast<const f16_t*>(w) + row * ld + c);
        unsigned int u[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
        for (int i = 0; i < 4; i++) {
            out[2 * i] = f16_to_f((unsigned short) (u[i] & 0xffffu));
            out[2 * i + 1] = f16_to_f((unsigned short) (u[i] >> 16));
        }
    }
    static __device__ __forceinline__ float scalar(const void* w, const float* s, int row, long ld, int cols, int c) {
        return f16_to_f(reinterpret_cast<const f16_t*>(w)[row * ld + c]);
    }
    static __device__ __forceinline__ float row_scale(const float* s, int row) { return 1.0f; }
};

// Q8_0 repacked at load: int8 quants row-major (ld = cols, a multiple of 32) and one float scale per 32 of a row.
struct WQ8 {
    enum { VEC = 16 };
    static __device__ __forceinline__ void load(const void* w, const float* s, int row, long ld, int c, float* out) {
        int4 v = *reinterpret_cast<const int4*>(reinterpret_cast<const signed char*>(w) + row * ld + c);
        float scale = s[row * (ld >> 5) + (c >> 5)];
        int u[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
        for (int i = 0; i < 4; i++) {
#pragma unroll
            for (int b = 0; b < 4; b++) {
                out[4 * i + b] = (float) (signed char) ((u[i] >> (8 * b)) & 0xff) * scale;
            }
        }
    }
    static __device__ __forceinline__ float scalar(const void* w, const float* s, int row, long ld, int cols, int c) {
        return (float) reinterpret_cast<const signed char*>(w)[row * ld + c] * s[row * (ld >> 5) + (c >> 5)];
    }
    static __device__ __forceinline__ float row_scale(const float* s, int row) { return 1.0f; }
};

// FP8 e4m3 with one float scale per row (quantized on the device at load).
struct WFP8 {
    enum { VEC = 16 };
    static __device__ __forceinline__ void load(const void* w, const float* s, int row, long ld, int c, float* out) {
        uint4 v = *reinterpret_cast<const uint4*>(reinterpret_cast<const fp8_t*>(w) + row * ld + c);
        unsigned int u[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
        for (int i = 0; i < 4; i++) {
#pragma unroll
            for (int b = 0; b < 4; b++) {
                out[4 * i + b] = fp8_to_f((u[i] >> (8 * b)) & 0xffu);
            }
        }
    }
    static __device__ __forceinline__ float scalar(const void* w, const float* s, int row, long ld, int cols, int c) {
        return fp8_to_f(reinterpret_cast<const fp8_t*>(w)[row * ld + c]);
    }
    static __device__ __forceinline__ float row_scale(const float* s, int row) { return s[row]; }
};

// Q8_0 as GGUF stores it (34-byte blocks: f16 scale, 32 int8): only read while repacking at load.
struct WQ8Raw {
    static __device__ __forceinline__ float scalar(const void* w, const float* s, int row, long ld, int cols, int c) {
        const unsigned char* block = reinterpret_cast<const unsigned char*>(w) + ((long) row * (cols >> 5) + (c >> 5)) * 34;
        unsigned short d = (unsigned short) (block[0] | (block[1] << 8));
        return f16_to_f(d) * (float) (signed char) block[2 + (c & 31)];
    }
};
