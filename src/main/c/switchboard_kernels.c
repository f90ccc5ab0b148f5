/*
 * Switchboard's native CPU kernels: matrix-vector and matrix-matrix products of ggml-quantized weights (Q8_0, Q4_K,
 * Q6_K, read in place from the mapped GGUF file) with integer dot products (AVX2 vpmaddwd, AVX-512 VNNI vpdpwssd),
 * which the Java Vector API lacks. Loaded through the FFM API by dev.switchboard.inference.cpu.NativeKernels; the
 * pure-Java kernels stay the default wherever this library is absent.
 *
 * Activations are quantized to int16 (not int8 as in llama.cpp): the weights' own bytes are exact, and an int16
 * activation with a scale per 32 values is off by at most 1/65534 of the block's largest value, so the logits stay
 * within the tolerance the float kernels are tested to against the double-precision reference.
 *
 * Built without -march flags: the kernels carry their own target attributes and sb_cpu_level says at run time which
 * of them the CPU can run, so one library serves every x86-64 machine.
 *
 * Activation layout per token of `cols` values (cols a multiple of 32): cols/32 float scales, cols/32 int32 sums of
 * the block's quantized values (for Q4_K's mins), then cols int16 values; x ≈ scale · q.
 */
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <immintrin.h>

#define TYPE_Q8_0 8
#define TYPE_Q4_K 12
#define TYPE_Q6_K 14

/* Bytes of weight rows kept in L2 while every token of a batch passes over them. */
#define ROW_BLOCK_BYTES (64 * 1024)

int sb_version(void) {
    return 1;
}

/* 0: the kernels cannot run here; 1: AVX2, FMA and F16C; 2: also AVX-512 VNNI on 256-bit vectors. */
int sb_cpu_level(void) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma") || !__builtin_cpu_supports("f16c")) {
        return 0;
    }
    return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl") ? 2 : 1;
}

int64_t sb_activation_bytes(int n, int cols) {
    return (int64_t) n * (cols / 32 * 8 + cols * 2);
}

/* Scalar: a few thousand values per token, next to millions of weight products. */
void sb_quantize(const float *x, int n, int cols, uint8_t *q) {
    int64_t stride = sb_activation_bytes(1, cols);
    for (int t = 0; t < n; t++) {
        const float *xt = x + (int64_t) t * cols;
        uint8_t *qt = q + t * stride;
        float *scales = (float *) qt;
        int32_t *sums = (int32_t *) (qt + cols / 32 * 4);
        int16_t *values = (int16_t *) (qt + cols / 32 * 8);
        for (int b = 0; b < cols / 32; b++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) {
                amax = fmaxf(amax, fabsf(xt[b * 32 + i]));
            }
            float d = amax / 32767, id = d == 0 ? 0 : 1 / d;
            scales[b] = d;
            int sum = 0;
            for (int i = 0; i < 32; i++) {
                int v = (int) lrintf(xt[b * 32 + i] * id);
                values[b * 32 + i] = (int16_t) v;
                sum += v;
            }
            sums[b] = sum;
        }
    }
}

#define KERNELS(SUFFIX, TARGET, DOT16)                                                                               \
__attribute__((target(TARGET))) static inline float hsum_##SUFFIX(__m256 v) {                                       \
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));                                   \
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));                                                                          \
    s = _mm_add_ss(s, _mm_movehdup_ps(s));                                                                           \
    return _mm_cvtss_f32(s);                                                                                         \
}                                                                                                                    \
                                                                                                                     \
__attribute__((target(TARGET))) static inline float fp16_##SUFFIX(const uint8_t *p) {                               \
    uint16_t h;                                                                                                      \
    memcpy(&h, p, 2);                                                                                                \
    return _cvtsh_ss(h);                                                                                             \
}                                                                                                                    \
                                                                                                                     \
__attribute__((target(TARGET))) static inline __m256i x16_##SUFFIX(const int16_t *x) {                              \
    return _mm256_loadu_si256((const __m256i *) x);                                                                  \
}                                                                                                                    \
                                                                                                                     \
/* Q8_0 blocks of 34 bytes: f16 scale, 32 int8; two blocks per pass on two accumulators. */                         \
__attribute__((target(TARGET))) static float dot_q8_0_##SUFFIX(const uint8_t *w, const float *dx,                   \
        const int16_t *x, int cols) {                                                                                \
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();                                                   \
    int blocks = cols / 32, b = 0;                                                                                   \
    for (; b + 1 < blocks; b += 2) {                                                                                 \
        const uint8_t *w0 = w + b * 34, *w1 = w0 + 34;                                                               \
        const int16_t *x0 = x + b * 32, *x1 = x0 + 32;                                                               \
        __m256i p0 = DOT16(_mm256_setzero_si256(),                                                                   \
                _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *) (w0 + 2))), x16_##SUFFIX(x0));                \
        p0 = DOT16(p0, _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *) (w0 + 18))), x16_##SUFFIX(x0 + 16));   \
        __m256i p1 = DOT16(_mm256_setzero_si256(),                                                                   \
                _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *) (w1 + 2))), x16_##SUFFIX(x1));                \
        p1 = DOT16(p1, _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *) (w1 + 18))), x16_##SUFFIX(x1 + 16));   \
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(fp16_##SUFFIX(w0) * dx[b]), _mm256_cvtepi32_ps(p0), acc0);             \
        acc1 = _mm256_fmadd_ps(_mm256_set1_ps(fp16_##SUFFIX(w1) * dx[b + 1]), _mm256_cvtepi32_ps(p1), acc1);         \
    }                                                                                                                \
    for (; b < blocks; b++) {                                                                                        \
        const uint8_t *w0 = w + b * 34;                                                                              \
        const int16_t *x0 = x + b * 32;                                                                              \
        __m256i p0 = DOT16(_mm256_setzero_si256(),                                                                   \
                _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *) (w0 + 2))), x16_##SUFFIX(x0));                \
        p0 = DOT16(p0, _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *) (w0 + 18))), x16_##SUFFIX(x0 + 16));   \
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(fp16_##SUFFIX(w0) * dx[b]), _mm256_cvtepi32_ps(p0), acc0);             \
    }                                                                                                                \
    return hsum_##SUFFIX(_mm256_add_ps(acc0, acc1));                                                                 \
}                                                                                                                    \
                                                                                                                     \
/* Q4_K super-blocks of 144 bytes: f16 d, f16 dmin, 12 bytes of 6-bit scales and mins, 128 bytes of nibbles (each    \
   32 bytes: sub-block 2g in the low nibbles, 2g+1 in the high ones); value = d·scale·q − dmin·min. */              \
__attribute__((target(TARGET))) static float dot_q4_k_##SUFFIX(const uint8_t *w, const float *dx,                   \
        const int32_t *sx, const int16_t *x, int cols) {                                                             \
    const __m256i low4 = _mm256_set1_epi16(0x0F);                                                                    \
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();                                                   \
    float mins = 0;                                                                                                  \
    for (int b = 0; b < cols / 256; b++) {                                                                           \
        const uint8_t *blk = w + b * 144, *sc = blk + 4, *qs = blk + 16;                                             \
        float d = fp16_##SUFFIX(blk), dmin = fp16_##SUFFIX(blk + 2);                                                 \
        int scale[8], min[8];                                                                                        \
        for (int j = 0; j < 4; j++) {                                                                                \
            scale[j] = sc[j] & 63;                                                                                   \
            min[j] = sc[j + 4] & 63;                                                                                 \
            scale[j + 4] = (sc[j + 8] & 0xF) | ((sc[j] >> 6) << 4);                                                  \
            min[j + 4] = (sc[j + 8] >> 4) | ((sc[j + 4] >> 6) << 4);                                                 \
        }                                                                                                            \
        const float *d32 = dx + b * 8;                                                                               \
        const int32_t *s32 = sx + b * 8;                                                                             \
        const int16_t *xb = x + b * 256;                                                                             \
        float m = 0;                                                                                                 \
        for (int g = 0; g < 4; g++) {                                                                                \
            __m256i v0 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *) (qs + 32 * g)));                     \
            __m256i v1 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *) (qs + 32 * g + 16)));                \
            const int16_t *xl = xb + 64 * g, *xh = xl + 32;                                                          \
            __m256i plo = DOT16(_mm256_setzero_si256(), _mm256_and_si256(v0, low4), x16_##SUFFIX(xl));               \
            plo = DOT16(plo, _mm256_and_si256(v1, low4), x16_##SUFFIX(xl + 16));                                     \
            __m256i phi = DOT16(_mm256_setzero_si256(), _mm256_srli_epi16(v0, 4), x16_##SUFFIX(xh));                 \
            phi = DOT16(phi, _mm256_srli_epi16(v1, 4), x16_##SUFFIX(xh + 16));                                       \
            int j = 2 * g;                                                                                           \
            acc0 = _mm256_fmadd_ps(_mm256_set1_ps(d * scale[j] * d32[j]), _mm256_cvtepi32_ps(plo), acc0);            \
            acc1 = _mm256_fmadd_ps(_mm256_set1_ps(d * scale[j + 1] * d32[j + 1]), _mm256_cvtepi32_ps(phi), acc1);    \
            m += min[j] * d32[j] * (float) s32[j] + min[j + 1] * d32[j + 1] * (float) s32[j + 1];                    \
        }                                                                                                            \
        mins += dmin * m;                                                                                            \
    }                                                                                                                \
    return hsum_##SUFFIX(_mm256_add_ps(acc0, acc1)) - mins;                                                          \
}                                                                                                                    \
                                                                                                                     \
/* Q6_K super-blocks of 210 bytes: 128 bytes of low nibbles, 64 of high 2-bit pairs, 16 int8 scales (one per 16      \
   values), f16 d; value = d·scale·(q − 32). Each half of 128 values: value 32k + l (k < 4, l < 32) takes the        \
   nibble of byte l (k even) or l + 32 (k odd), low for k < 2, and bits 2k..2k+1 of high byte l. */                  \
__attribute__((target(TARGET))) static float dot_q6_k_##SUFFIX(const uint8_t *w, const float *dx,                   \
        const int16_t *x, int cols) {                                                                                \
    const __m256i low4 = _mm256_set1_epi8(0x0F), low2 = _mm256_set1_epi8(3), bias = _mm256_set1_epi16(32);            \
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();                                                   \
    for (int b = 0; b < cols / 256; b++) {                                                                           \
        const uint8_t *blk = w + b * 210;                                                                            \
        const int8_t *scales = (const int8_t *) (blk + 192);                                                         \
        float d = fp16_##SUFFIX(blk + 208);                                                                          \
        const float *d32 = dx + b * 8;                                                                               \
        const int16_t *xb = x + b * 256;                                                                             \
        for (int h = 0; h < 2; h++) {                                                                                \
            __m256i ql0 = _mm256_loadu_si256((const __m256i *) (blk + 64 * h));                                      \
            __m256i ql1 = _mm256_loadu_si256((const __m256i *) (blk + 64 * h + 32));                                 \
            __m256i qh = _mm256_loadu_si256((const __m256i *) (blk + 128 + 32 * h));                                 \
            __m256i v[4];                                                                                            \
            v[0] = _mm256_or_si256(_mm256_and_si256(ql0, low4),                                                      \
                                   _mm256_slli_epi16(_mm256_and_si256(qh, low2), 4));                                \
            v[1] = _mm256_or_si256(_mm256_and_si256(ql1, low4),                                                      \
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), low2), 4));          \
            v[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4),                                \
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), low2), 4));          \
            v[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4),                                \
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), low2), 4));          \
            for (int k = 0; k < 4; k++) {                                                                            \
                int blk32 = 4 * h + k, s = 8 * h + 2 * k;                                                            \
                const int16_t *xs = xb + 32 * blk32;                                                                 \
                __m256i lo = _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm256_castsi256_si128(v[k])), bias);             \
                __m256i hi = _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm256_extracti128_si256(v[k], 1)), bias);        \
                __m256 plo = _mm256_cvtepi32_ps(DOT16(_mm256_setzero_si256(), lo, x16_##SUFFIX(xs)));                \
                __m256 phi = _mm256_cvtepi32_ps(DOT16(_mm256_setzero_si256(), hi, x16_##SUFFIX(xs + 16)));           \
                float dd = d * d32[blk32];                                                                           \
                acc0 = _mm256_fmadd_ps(_mm256_set1_ps(dd * scales[s]), plo, acc0);                                   \
                acc1 = _mm256_fmadd_ps(_mm256_set1_ps(dd * scales[s + 1]), phi, acc1);                               \
            }                                                                                                        \
        }                                                                                                            \
    }                                                                                                                \
    return hsum_##SUFFIX(_mm256_add_ps(acc0, acc1));                                                                 \
}                                                                                                                    \
                                                                                                                     \
__attribute__((target(TARGET))) static inline float dot_##SUFFIX(int type, const uint8_t *w, const uint8_t *q,      \
        int cols) {                                                                                                  \
    const float *dx = (const float *) q;                                                                             \
    const int32_t *sx = (const int32_t *) (q + cols / 32 * 4);                                                       \
    const int16_t *x = (const int16_t *) (q + cols / 32 * 8);                                                        \
    switch (type) {                                                                                                  \
        case TYPE_Q8_0: return dot_q8_0_##SUFFIX(w, dx, x, cols);                                                    \
        case TYPE_Q4_K: return dot_q4_k_##SUFFIX(w, dx, sx, x, cols);                                                \
        default: return dot_q6_k_##SUFFIX(w, dx, x, cols);                                                           \
    }                                                                                                                \
}                                                                                                                    \
                                                                                                                     \
__attribute__((target(TARGET))) static void matmul_##SUFFIX(int type, const uint8_t *w, int64_t row_bytes, int cols, \
        const uint8_t *q, int n, float *out, int out_stride, int from, int to) {                                     \
    int64_t q_stride = sb_activation_bytes(1, cols);                                                                 \
    if (n == 1) {                                                                                                    \
        for (int r = from; r < to; r++) {                                                                            \
            out[r] = dot_##SUFFIX(type, w + r * row_bytes, q, cols);                                                 \
        }                                                                                                            \
        return;                                                                                                      \
    }                                                                                                                \
    int row_block = row_bytes >= ROW_BLOCK_BYTES ? 1 : (int) (ROW_BLOCK_BYTES / row_bytes);                          \
    for (int r0 = from; r0 < to; r0 += row_block) {                                                                  \
        int r1 = r0 + row_block < to ? r0 + row_block : to;                                                          \
        for (int t = 0; t < n; t++) {                                                                                \
            for (int r = r0; r < r1; r++) {                                                                          \
                out[(int64_t) t * out_stride + r] = dot_##SUFFIX(type, w + r * row_bytes, q + t * q_stride, cols);   \
            }                                                                                                        \
        }                                                                                                            \
    }                                                                                                                \
}

#define DOT16_AVX2(acc, a, b) _mm256_add_epi32((acc), _mm256_madd_epi16((a), (b)))
#define DOT16_VNNI(acc, a, b) _mm256_dpwssd_epi32((acc), (a), (b))

KERNELS(avx2, "avx2,fma,f16c", DOT16_AVX2)
KERNELS(vnni, "avx2,fma,f16c,avx512f,avx512vl,avx512vnni", DOT16_VNNI)

static int level = -1;

/*
 * out[t * out_stride + r] = row r of w · token t of the quantized activations q, for rows [from, to) and tokens
 * [0, n). type is the ggml type id (8 Q8_0, 12 Q4_K, 14 Q6_K). Returns -1 for another type or a CPU without AVX2.
 */
int sb_matmul(int type, const uint8_t *w, int64_t row_bytes, int cols, const uint8_t *q, int n, float *out,
              int out_stride, int from, int to) {
    if (type != TYPE_Q8_0 && type != TYPE_Q4_K && type != TYPE_Q6_K) {
        return -1;
    }
    if (level < 0) {
        level = sb_cpu_level();
    }
    if (level == 2) {
        matmul_vnni(type, w, row_bytes, cols, q, n, out, out_stride, from, to);
    } else if (level == 1) {
        matmul_avx2(type, w, row_bytes, cols, q, n, out, out_stride, from, to);
    } else {
        return -1;
    }
    return 0;
}
