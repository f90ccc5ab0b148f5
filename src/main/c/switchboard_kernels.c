/*
 * Switchboard's native CPU kernels: matrix-vector and matrix-matrix products of ggml-quantized weights (Q8_0, Q4_K
 * and Q6_K from a copy in groups of 16 rows made by sb_repack) with integer dot products (AVX2 vpmaddwd, AVX-512
 * VNNI vpdpwssd and vpdpbusd; AMX tiles for batches), which the Java Vector API lacks. Loaded through the FFM API by
 * dev.switchboard.inference.cpu.NativeKernels; the pure-Java kernels stay the default wherever this library is absent.
 * The in-place kernels, on the mapped GGUF file's blocks, serve matrices whose rows are not whole groups of 16.
 *
 * Activations are quantized to int16 (not int8 as in llama.cpp): the weights' own bytes are exact, and an int16
 * activation is off by at most 1/65534 of its group's largest value (64 values for the K-quants, 32 for Q8_0), so
 * the logits stay within the tolerance the float kernels are tested to against the double-precision reference;
 * int8 activations were measured 130-240 times outside it.
 *
 * Built without -march flags: the kernels carry their own target attributes and sb_cpu_level says at run time which
 * of them the CPU can run, so one library serves every x86-64 machine.
 *
 * Activation layout per token of `cols` values (cols a multiple of 32): cols/32 float scales, cols/32 int32 sums of
 * the block's quantized values (for Q4_K's mins), cols int16 values (x ≈ scale · q), then each value split in bytes,
 * q = 256·high + low: cols unsigned low bytes and cols signed high bytes, in the order dot1_q4_k_512 reads them;
 * then the cols int16 values once more, in the order the in-place Q6_K kernels read them (q6_k_order). Then the values
 * split in bytes once more in their own order (cols low, cols high bytes: the repacked Q6_K kernels' and the Q8_0 AMX
 * kernel's input), cols/16 int32, 32 times the sum of each 16 values, for batches of at least AMX_TOKENS
 * tokens 4·cols bytes of bf16 pairs (split_bf16, the bf16 AMX kernels' input), and cols/32 floats, each 32 values'
 * sum times their scale (the repacked Q4_K kernels' mins). All after the values are filled for the K-quants' groups
 * of 64 only, but the split bytes for Q8_0's AMX batches too, and the bf16 pairs only on a CPU with AMX.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <immintrin.h>
#include <unistd.h>
#include <sys/syscall.h>

/* AMX intrinsics came with GCC 11 and Clang 12; older compilers build the library without the AMX kernels
   (SB_NO_AMX does so on purpose). */
#if !defined(SB_NO_AMX) && ((defined(__clang__) && __clang_major__ >= 12)                                              \
        || (!defined(__clang__) && defined(__GNUC__) && __GNUC__ >= 11))
#define SB_AMX 1
#else
#define SB_AMX 0
#endif

#define TYPE_Q8_0 8
#define TYPE_Q4_K 12
#define TYPE_Q6_K 14

/* Bytes of weight rows kept in L2 while every token of a batch passes over them. */
#define ROW_BLOCK_BYTES (64 * 1024)

/* Not a ggml type id: Q8_0 rows repacked by sb_repack, in groups of 16. */
#define TYPE_Q8_0_R16 1008
#define R16_BLOCK_BYTES (16 * 34)

int sb_version(void) {
    return 15;
}

/*
 * Bytes ahead of the weights being read at which the decode kernels request lines (_mm_prefetch), 0 for none. On the
 * Intel Xeon (AVX-512, AMX) 2-vCPU VM of 2026-12-05 the Q4_K and Q6_K kernels did not overlap their arithmetic with
 * their misses: one thread read 10 and 8 GB/s from memory where it read 26 and 21 from L2 and a plain read of the
 * same pages 14-15, about what the two costs one after the other give. 2 KB ahead, one thread: Q4_K 72-74% -> 93-95%
 * of the plain read, Q6_K 54-55% -> 76-87%, Q8_0 unchanged (90-95%); 0.5, 1 and 4 KB less, hints T1 and T2 the same.
 * On the AMD Zen 5 VM of 2026-12-04 and -05, prefetch 0.5-8 KB ahead left Q4_K and Q6_K unchanged and made Q8_0 read
 * slower (46-51 against 51-53 GB/s, two threads): so by vendor until measured otherwise, and settable (sb_prefetch).
 */
static int prefetch_ahead = -1;

/* Sets the prefetch distance in bytes (>= 0), or with -1 only asks; returns the distance now in use. */
int sb_prefetch(int bytes) {
    if (bytes >= 0) {
        prefetch_ahead = bytes;
    } else if (prefetch_ahead < 0) {
        __builtin_cpu_init();
        prefetch_ahead = __builtin_cpu_is("intel") ? 2048 : 0;
    }
    return prefetch_ahead;
}

/* Linux's arch_prctl request for a state component, and AMX's tile data (XTILEDATA): a process must ask for it once
   before any thread uses the tiles. */
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

/* 0: the kernels cannot run here; 1: AVX2, FMA and F16C (256-bit kernels); 2: also AVX-512 F, BW, DQ, VL and VNNI
   (512-bit kernels); 3: also AMX-INT8 and AMX-BF16 tiles, granted by the kernel, and AVX-512 VBMI (batches). */
int sb_cpu_level(void) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma") || !__builtin_cpu_supports("f16c")) {
        return 0;
    }
    if (!__builtin_cpu_supports("avx512vnni") || !__builtin_cpu_supports("avx512bw")
            || !__builtin_cpu_supports("avx512dq") || !__builtin_cpu_supports("avx512vl")) {
        return 1;
    }
#if SB_AMX
    return __builtin_cpu_supports("amx-tile") && __builtin_cpu_supports("amx-int8")
            && __builtin_cpu_supports("amx-bf16") && __builtin_cpu_supports("avx512vbmi")
            && syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0 ? 3 : 2;
#else
    return 2;
#endif
}

/* A plain read of the n bytes at p (up to the last whole four vectors), summed as floats so that no load is dropped:
   the benches' read test, the ceiling the kernels' decode is held to. In C because within one run a Java loop fell
   from 0.95 to 0.6 times the speed of this one over the same pages; in the widest vectors the CPU has, since 128-bit
   loads read 9-23% slower than 512-bit ones in 5 of 8 alternating passes on the Zen 5 VM of 2026-12-05. */
__attribute__((target("avx512f"))) static float read_sum_512(const uint8_t *p, int64_t n) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (int64_t i = 0; i + 256 <= n; i += 256) {
        a0 = _mm512_add_ps(a0, _mm512_loadu_ps(p + i));
        a1 = _mm512_add_ps(a1, _mm512_loadu_ps(p + i + 64));
        a2 = _mm512_add_ps(a2, _mm512_loadu_ps(p + i + 128));
        a3 = _mm512_add_ps(a3, _mm512_loadu_ps(p + i + 192));
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
}

__attribute__((target("avx2"))) static float read_sum_256(const uint8_t *p, int64_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (int64_t i = 0; i + 128 <= n; i += 128) {
        a0 = _mm256_add_ps(a0, _mm256_loadu_ps((const float *) (p + i)));
        a1 = _mm256_add_ps(a1, _mm256_loadu_ps((const float *) (p + i + 32)));
        a2 = _mm256_add_ps(a2, _mm256_loadu_ps((const float *) (p + i + 64)));
        a3 = _mm256_add_ps(a3, _mm256_loadu_ps((const float *) (p + i + 96)));
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    return lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
}

float sb_read_sum(const uint8_t *p, int64_t n) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? read_sum_512(p, n) : read_sum_256(p, n);
}

/* Byte offsets of the parts of a token's activations (the layout above) after the scales and sums: the int16 values,
   32 times the sums of each 16, the bf16 pairs, the scaled sums of each 32; then the end. */
#define OFF_X(cols) ((int64_t) (cols) / 32 * 8)
#define OFF_S16(cols) (OFF_X(cols) + (int64_t) (cols) * 8)
#define OFF_XB(cols) (OFF_S16(cols) + (int64_t) (cols) / 4)
#define OFF_SY(cols) (OFF_XB(cols) + (int64_t) (cols) * 4)
#define OFF_END(cols) (OFF_SY(cols) + (int64_t) (cols) / 32 * 4)

int64_t sb_activation_bytes(int n, int cols) {
    return (int64_t) n * OFF_END(cols);
}

/* 32 int16 values, v0's 16 then v1's, as their low bytes (unsigned) at lo and high bytes (signed, the arithmetic
   shift) at hi: q = 256·high + low exactly. Packing works per 128-bit lane; the permute restores the order. */
__attribute__((target("avx2"))) static inline void split_32(__m256i v0, __m256i v1, uint8_t *lo, uint8_t *hi) {
    const __m256i low = _mm256_set1_epi16(0xFF);
    __m256i l = _mm256_packus_epi16(_mm256_and_si256(v0, low), _mm256_and_si256(v1, low));
    __m256i h = _mm256_packs_epi16(_mm256_srai_epi16(v0, 8), _mm256_srai_epi16(v1, 8));
    _mm256_storeu_si256((__m256i *) lo, _mm256_permute4x64_epi64(l, 0xD8));
    _mm256_storeu_si256((__m256i *) hi, _mm256_permute4x64_epi64(h, 0xD8));
}

/* Each int16 value as its low and high byte (split_32): the low bytes of a token, then its high bytes, each 64 of
   them holding the two sub-blocks (of 32) of one Q4_K vector, which share the activations' scale (one per 64
   values), with their pairs of values interleaved: values 2i and 2i + 1 of the first, then of the second. A scalar
   loop here was a third of a K-quant quantize. */
__attribute__((target("avx2"))) static void split_bytes(const int16_t *values, int cols, uint8_t *out) {
    /* whole super-blocks only: the K-quant kernels read no other */
    for (int g = 0; g < cols / 256 * 256; g += 64) {
        for (int h = 0; h < 2; h++) {
            /* pairs of values (dwords) 8h..8h+7 of each sub-block, interleaved */
            __m256i a = _mm256_loadu_si256((const __m256i *) (values + g + 16 * h));
            __m256i b = _mm256_loadu_si256((const __m256i *) (values + g + 32 + 16 * h));
            __m256i lo = _mm256_unpacklo_epi32(a, b), hi = _mm256_unpackhi_epi32(a, b);
            split_32(_mm256_permute2x128_si256(lo, hi, 0x20), _mm256_permute2x128_si256(lo, hi, 0x31),
                     out + g + 32 * h, out + cols + g + 32 * h);
        }
    }
}

/* The kernels' level in use (sb_cpu_level, or lower by sb_use_level); -1 until the first call asks. */
static int level = -1;

/* Whether this CPU runs the AMX kernels: then batches are quantized for them too, whatever level is in use now, so
   that a product never finds its input without the bytes it reads. */
static int cpu_amx(void) {
    static int amx = -1;
    if (amx < 0) {
        amx = sb_cpu_level() == 3;
    }
    return amx;
}

/* Tokens of an AMX tile: the AMX kernels take a batch 16 tokens at a time (the rest go to the vector kernels). */
#define AMX_TOKENS 16

/* Tokens whose activations go through a matrix's groups before the next ones do: more were read back from memory for
   each group. C check on 2026-12-05 (512 x 2048, one thread, AMX): 512 tokens at once ran Q6_K at 84-91 GMAC/s and
   Q4_K at 105, in blocks of 128 at 185 and 162; blocks of 64 and 128 did the same at 512 tokens. */
#define TOKEN_BLOCK 128

/* Each int16 value as its low byte (unsigned) and high byte (signed), q = 256·high + low, in the values' own order:
   cols low bytes, then cols high bytes. */
__attribute__((target("avx2"))) static void split_natural(const int16_t *values, int cols, uint8_t *out) {
    for (int i = 0; i < cols; i += 32) {
        split_32(_mm256_loadu_si256((const __m256i *) (values + i)),
                 _mm256_loadu_si256((const __m256i *) (values + i + 16)), out + i, out + cols + i);
    }
}

/* 32 times the sum of each 16 values (cols a multiple of 64), eight sums at a time: pairs by madd, then three rounds
   of horizontal adds; the lanes' halves are added last. The scalar loop was a quarter of a K-quant quantize. */
__attribute__((target("avx2"))) static void sums_16(const int16_t *values, int cols, int32_t *sums) {
    const __m256i ones = _mm256_set1_epi16(1);
    int g = 0;
    for (; g + 8 <= cols / 16; g += 8) {
        __m256i p[8];
        for (int k = 0; k < 8; k++) {
            p[k] = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *) (values + 16 * (g + k))), ones);
        }
        __m256i q0 = _mm256_hadd_epi32(_mm256_hadd_epi32(p[0], p[1]), _mm256_hadd_epi32(p[2], p[3]));
        __m256i q1 = _mm256_hadd_epi32(_mm256_hadd_epi32(p[4], p[5]), _mm256_hadd_epi32(p[6], p[7]));
        __m256i sum = _mm256_add_epi32(_mm256_permute2x128_si256(q0, q1, 0x20),
                                       _mm256_permute2x128_si256(q0, q1, 0x31));
        _mm256_storeu_si256((__m256i *) (sums + g), _mm256_slli_epi32(sum, 5));
    }
    for (; g < cols / 16; g++) {
        int32_t s = 0;
        for (int i = 0; i < 16; i++) s += values[16 * g + i];
        sums[g] = 32 * s;
    }
}

/* Each 64 values as their 32 even ones, then their 32 odd ones: the order in which the Q6_K kernels widen the
   weights' bytes with shifts instead of shuffles. */
__attribute__((target("avx2"))) static void q6_k_order(const int16_t *values, int cols, int16_t *out) {
    const __m256i evens = _mm256_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15,
                                           0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
    for (int g = 0; g < cols; g += 64) {
        for (int i = 0; i < 4; i++) {
            /* 16 values: per 128-bit lane 4 even then 4 odd; then the 64-bit quarters gathered */
            __m256i v = _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *) (values + g + 16 * i)), evens);
            v = _mm256_permute4x64_epi64(v, 0xD8);
            _mm_storeu_si128((__m128i *) (out + g + 8 * i), _mm256_castsi256_si128(v));
            _mm_storeu_si128((__m128i *) (out + g + 32 + 8 * i), _mm256_extracti128_si256(v, 1));
        }
    }
}

/* Each 16 values as bf16, exact: 256·high of the 16 (high the signed high byte), then their low bytes. The bf16 AMX
   kernels' input (Q4_K, Q6_K). */
__attribute__((target("avx2,avx512f,avx512bw"))) static void split_bf16(const int16_t *values, int cols,
        uint16_t *out) {
    for (int i = 0; i < cols; i += 16) {
        __m512i x = _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *) (values + i)));
        __m512 high = _mm512_cvtepi32_ps(_mm512_andnot_si512(_mm512_set1_epi32(0xFF), x));
        __m512 low = _mm512_cvtepi32_ps(_mm512_and_si512(x, _mm512_set1_epi32(0xFF)));
        _mm256_storeu_si256((__m256i *) (out + 2 * i),
                            _mm512_cvtepi32_epi16(_mm512_srli_epi32(_mm512_castps_si512(high), 16)));
        _mm256_storeu_si256((__m256i *) (out + 2 * i + 16),
                            _mm512_cvtepi32_epi16(_mm512_srli_epi32(_mm512_castps_si512(low), 16)));
    }
}

/*
 * On 8 values at a time (the library is used only where AVX2 is): the scalar loop, a call to fmaxf and lrintf per
 * value, took 27 us for 8,192 values, about 0.8 ms of a 1B decode step (~25 ms) by the call counts, while the other
 * thread waited. Same bytes as that loop (C check on 2026-12-05 over 960 inputs, rounding ties and all-zero groups
 * included), 11-17 times as fast. With group 64 one scale serves 64 values (stored for each of its 2 blocks of 32),
 * so that the K-quant kernels can sum a pair of sub-blocks in integers; group 32 gives each block its own scale, which
 * only Q8_0 can use (it scales every block in floats anyway). The error is at most half a step of 1/32767 of the
 * group's largest value. A group of 256, used until 2026-12-05, took the K-quants' logits past the reference tolerance
 * on a 20-token prompt (up to 1.08 times it; the Java kernels fed the same rounding: 1.01); with 64 the Java
 * kernels' worst was 0.71 (Q4_K) and 0.88 (Q6_K).
 */
__attribute__((target("avx2,fma,f16c"))) void sb_quantize(const float *x, int n, int cols, int group, uint8_t *q) {
    int64_t stride = sb_activation_bytes(1, cols);
    if (cols % group != 0) {
        group = 32;
    }
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int t = 0; t < n; t++) {
        const float *xt = x + (int64_t) t * cols;
        uint8_t *qt = q + t * stride;
        float *scales = (float *) qt;
        int32_t *sums = (int32_t *) (qt + cols / 32 * 4);
        int16_t *values = (int16_t *) (qt + OFF_X(cols));
        for (int g0 = 0; g0 < cols; g0 += group) {
            __m256 vmax = _mm256_setzero_ps();
            for (int i = g0; i < g0 + group; i += 8) {
                vmax = _mm256_max_ps(vmax, _mm256_andnot_ps(sign, _mm256_loadu_ps(xt + i)));
            }
            __m128 m = _mm_max_ps(_mm256_castps256_ps128(vmax), _mm256_extractf128_ps(vmax, 1));
            m = _mm_max_ps(m, _mm_movehl_ps(m, m));
            float amax = _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
            float d = amax / 32767, id = d == 0 ? 0 : 1 / d;
            __m256 vid = _mm256_set1_ps(id);
            for (int b = g0 / 32; b < (g0 + group) / 32; b++) {
                scales[b] = d;
                /* x·id rounded to nearest even, as lrintf in the default rounding mode */
                __m256i v[4];
                for (int i = 0; i < 4; i++) {
                    v[i] = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xt + b * 32 + 8 * i), vid));
                }
                __m256i s = _mm256_add_epi32(_mm256_add_epi32(v[0], v[1]), _mm256_add_epi32(v[2], v[3]));
                __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
                s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
                sums[b] = _mm_cvtsi128_si32(_mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1)));
                /* |values| <= 32767, so packing does not saturate; it works per 128-bit lane, the permute restores
                   the order */
                for (int h = 0; h < 2; h++) {
                    _mm256_storeu_si256((__m256i *) (values + b * 32 + 16 * h),
                            _mm256_permute4x64_epi64(_mm256_packs_epi32(v[2 * h], v[2 * h + 1]), 0xD8));
                }
            }
        }
        if (group != 32) {
            split_bytes(values, cols, (uint8_t *) (values + cols));
            q6_k_order(values, cols, values + 2 * cols);
            sums_16(values, cols, (int32_t *) (qt + OFF_S16(cols)));
            float *scaled = (float *) (qt + OFF_SY(cols));
            for (int b = 0; b < cols / 32; b++) scaled[b] = scales[b] * (float) sums[b];
        }
        if (group != 32 || (n >= AMX_TOKENS && cpu_amx())) {
            split_natural(values, cols, (uint8_t *) (values + 3 * cols));
        }
        if (group != 32 && n >= AMX_TOKENS && cpu_amx()) {
            split_bf16(values, cols, (uint16_t *) (qt + OFF_XB(cols)));
        }
    }
}

/* A Q4_K super-block's eight 6-bit scales and mins from its 12 bytes at sc (ggml's get_scale_min_k4). */
static void q4_k_scales_mins(const uint8_t *sc, uint8_t *scale, uint8_t *min) {
    for (int j = 0; j < 4; j++) {
        scale[j] = sc[j] & 63;
        min[j] = sc[j + 4] & 63;
        scale[j + 4] = (sc[j + 8] & 0xF) | ((sc[j] >> 6) << 4);
        min[j + 4] = (sc[j + 8] >> 4) | ((sc[j + 4] >> 6) << 4);
    }
}

/* Tokens per tile of the in-place matrix-matrix kernels: each weight block is unpacked once for this many tokens.
   AVX-512 has the registers for 8: Q6_K prefill 88-93 -> 95-98 GFLOP/s (one thread, alternating, 2026-12-05), after
   the per-64 activation scales had added a float step per 64 values and token. AVX2's 16 registers hold 4. */
#define TILE_avx2 4
#define TILE_512 8
/* A token's activations: scales, sums and values (see the layout above). */
#define DX(qt) ((const float *) (qt))
#define SX(qt, cols) ((const int32_t *) ((qt) + (cols) / 32 * 4))
#define X(qt, cols) ((const int16_t *) ((qt) + OFF_X(cols)))
/* The values' low bytes in their own order (the high ones follow, cols bytes on), and 32 times the sum of each 16
   values (the repacked Q6_K kernels' bias). */
#define XL(qt, cols) ((const uint8_t *) (X(qt, cols) + 3 * (cols)))
#define S16(qt, cols) ((const int32_t *) ((qt) + OFF_S16(cols)))
/* The values as bf16 pairs for the bf16 AMX kernels (split_bf16). */
#define XB(qt, cols) ((const uint8_t *) (qt) + OFF_XB(cols))
/* Each 32 values' sum times their scale, as floats: the repacked Q4_K kernels' mins. */
#define SY(qt, cols) ((const float *) ((qt) + OFF_SY(cols)))

#define KERNELS(SUFFIX, TARGET, DOT16)                                                                                 \
__attribute__((target(TARGET))) static inline float hsum_##SUFFIX(__m256 v) {                                          \
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));                                     \
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));                                                                            \
    s = _mm_add_ss(s, _mm_movehdup_ps(s));                                                                             \
    return _mm_cvtss_f32(s);                                                                                           \
}                                                                                                                      \
                                                                                                                       \
__attribute__((target(TARGET))) static inline float fp16_##SUFFIX(const uint8_t *p) {                                  \
    uint16_t h;                                                                                                        \
    memcpy(&h, p, 2);                                                                                                  \
    return _cvtsh_ss(h);                                                                                               \
}                                                                                                                      \
                                                                                                                       \
__attribute__((target(TARGET))) static inline __m256i x16_##SUFFIX(const int16_t *x) {                                 \
    return _mm256_loadu_si256((const __m256i *) x);                                                                    \
}                                                                                                                      \
                                                                                                                       \
/* The dot products below take nt tokens (1 or a tile) at once: each weight block is unpacked once for all of them. */ \
                                                                                                                       \
/* Q8_0 blocks of 34 bytes: f16 scale, 32 int8. */                                                                     \
__attribute__((target(TARGET), always_inline)) static inline void dot_q8_0_##SUFFIX(const uint8_t *w,                  \
        const uint8_t *q, int64_t q_stride, int cols, int nt, float *res) {                                            \
    __m256 acc[TILE_##SUFFIX];                                                                                         \
    for (int t = 0; t < nt; t++) acc[t] = _mm256_setzero_ps();                                                         \
    for (int b = 0; b < cols / 32; b++) {                                                                              \
        const uint8_t *w0 = w + b * 34;                                                                                \
        __m256i a0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *) (w0 + 2)));                                \
        __m256i a1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *) (w0 + 18)));                               \
        float dw = fp16_##SUFFIX(w0);                                                                                  \
        for (int t = 0; t < nt; t++) {                                                                                 \
            const uint8_t *qt = q + t * q_stride;                                                                      \
            const int16_t *x = X(qt, cols) + b * 32;                                                                   \
            __m256i p = DOT16(_mm256_setzero_si256(), a0, x16_##SUFFIX(x));                                            \
            p = DOT16(p, a1, x16_##SUFFIX(x + 16));                                                                    \
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dw * DX(qt)[b]), _mm256_cvtepi32_ps(p), acc[t]);                   \
        }                                                                                                              \
    }                                                                                                                  \
    for (int t = 0; t < nt; t++) res[t] = hsum_##SUFFIX(acc[t]);                                                       \
}                                                                                                                      \
                                                                                                                       \
/* Q4_K super-blocks of 144 bytes: f16 d, f16 dmin, 12 bytes of 6-bit scales and mins, 128 bytes of nibbles (each      \
   32 bytes: sub-block 2g in the low nibbles, 2g+1 in the high ones); value = d·scale·q − dmin·min. Nibble times       \
   scale fits int16 (≤ 945), so each 64 values sum in int32 against the activations' scale of their 64, and floats     \
   come in once per 64. */                                                                                             \
__attribute__((target(TARGET), always_inline)) static inline void dot_q4_k_##SUFFIX(const uint8_t *w,                  \
        const uint8_t *q, int64_t q_stride, int cols, int nt, float *res) {                                            \
    const __m256i low4 = _mm256_set1_epi16(0x0F);                                                                      \
    __m256 acc[TILE_##SUFFIX];                                                                                         \
    float mins[TILE_##SUFFIX];                                                                                         \
    for (int t = 0; t < nt; t++) { acc[t] = _mm256_setzero_ps(); mins[t] = 0; }                                        \
    for (int b = 0; b < cols / 256; b++) {                                                                             \
        const uint8_t *blk = w + b * 144, *sc = blk + 4, *qs = blk + 16;                                               \
        float d = fp16_##SUFFIX(blk), dmin = fp16_##SUFFIX(blk + 2);                                                   \
        uint8_t scale[8], min[8];                                                                                      \
        q4_k_scales_mins(sc, scale, min);                                                                              \
        /* independent chains: one dependent chain of vpdpwssd would wait on its latency */                            \
        __m256i ia[TILE_##SUFFIX][4];                                                                                  \
        for (int g = 0; g < 4; g++) {                                                                                  \
            for (int t = 0; t < nt; t++) for (int c = 0; c < 4; c++) ia[t][c] = _mm256_setzero_si256();                \
            __m256i v0 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *) (qs + 32 * g)));                       \
            __m256i v1 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *) (qs + 32 * g + 16)));                  \
            __m256i slo = _mm256_set1_epi16((short) scale[2 * g]), shi = _mm256_set1_epi16((short) scale[2 * g + 1]);  \
            __m256i lo0 = _mm256_mullo_epi16(_mm256_and_si256(v0, low4), slo);                                         \
            __m256i lo1 = _mm256_mullo_epi16(_mm256_and_si256(v1, low4), slo);                                         \
            __m256i hi0 = _mm256_mullo_epi16(_mm256_srli_epi16(v0, 4), shi);                                           \
            __m256i hi1 = _mm256_mullo_epi16(_mm256_srli_epi16(v1, 4), shi);                                           \
            for (int t = 0; t < nt; t++) {                                                                             \
                const int16_t *xl = X(q + t * q_stride, cols) + 256 * b + 64 * g, *xh = xl + 32;                       \
                ia[t][0] = DOT16(ia[t][0], lo0, x16_##SUFFIX(xl));                                                     \
                ia[t][nt == 1 ? 1 : 0] = DOT16(ia[t][nt == 1 ? 1 : 0], lo1, x16_##SUFFIX(xl + 16));                    \
                ia[t][nt == 1 ? 2 : 1] = DOT16(ia[t][nt == 1 ? 2 : 1], hi0, x16_##SUFFIX(xh));                         \
                ia[t][nt == 1 ? 3 : 1] = DOT16(ia[t][nt == 1 ? 3 : 1], hi1, x16_##SUFFIX(xh + 16));                    \
            }                                                                                                          \
            /* sub-blocks 2g and 2g + 1 share the activations' scale */                                                \
            for (int t = 0; t < nt; t++) {                                                                             \
                const uint8_t *qt = q + t * q_stride;                                                                  \
                float dx = DX(qt)[8 * b + 2 * g];                                                                      \
                const int32_t *sx = SX(qt, cols) + 8 * b + 2 * g;                                                      \
                int m = min[2 * g] * sx[0] + min[2 * g + 1] * sx[1];                                                   \
                __m256i sum = _mm256_add_epi32(_mm256_add_epi32(ia[t][0], ia[t][1]),                                   \
                                               _mm256_add_epi32(ia[t][2], ia[t][3]));                                  \
                acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d * dx), _mm256_cvtepi32_ps(sum), acc[t]);                     \
                mins[t] += dmin * dx * (float) m;                                                                      \
            }                                                                                                          \
        }                                                                                                              \
    }                                                                                                                  \
    for (int t = 0; t < nt; t++) res[t] = hsum_##SUFFIX(acc[t]) - mins[t];                                             \
}                                                                                                                      \
                                                                                                                       \
/* Q6_K super-blocks of 210 bytes: 128 bytes of low nibbles, 64 of high 2-bit pairs, 16 int8 scales (one per 16        \
   values), f16 d; value = d·scale·(q − 32). Each half of 128 values: value 32k + l (k < 4, l < 32) takes the          \
   nibble of byte l (k even) or l + 32 (k odd), low for k < 2, and bits 2k..2k+1 of high byte l. As in                 \
   dot_q6_k_512, the recentred bytes are widened by shifts against activations in q6_k_order, a lane holds 4 values    \
   of one scale; each 64 values sum in int32 and take the activations' scale of their 64. */                           \
__attribute__((target(TARGET), always_inline)) static inline void dot_q6_k_##SUFFIX(const uint8_t *w,                  \
        const uint8_t *q, int64_t q_stride, int cols, int nt, float *res) {                                            \
    const __m256i low4 = _mm256_set1_epi8(0x0F), low2 = _mm256_set1_epi8(3), bias = _mm256_set1_epi8(32);              \
    const __m256i words = _mm256_set1_epi32(0xFFFF);                                                                   \
    __m256i pick[4];                                                                                                   \
    for (int k = 0; k < 4; k++) {                                                                                      \
        pick[k] = _mm256_setr_epi32(2 * k, 2 * k, 2 * k, 2 * k, 2 * k + 1, 2 * k + 1, 2 * k + 1, 2 * k + 1);           \
    }                                                                                                                  \
    const int pf = prefetch_ahead;                                                                                     \
    __m256 acc[TILE_##SUFFIX];                                                                                         \
    for (int t = 0; t < nt; t++) acc[t] = _mm256_setzero_ps();                                                         \
    for (int b = 0; b < cols / 256; b++) {                                                                             \
        const uint8_t *blk = w + b * 210;                                                                              \
        if (pf) for (int l = 0; l < 4; l++) _mm_prefetch((const char *) blk + pf + 64 * l, _MM_HINT_T0);               \
        float d = fp16_##SUFFIX(blk + 208);                                                                            \
        for (int h = 0; h < 2; h++) {                                                                                  \
            __m256i sc = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *) (blk + 192 + 8 * h)));                 \
            __m256i ql0 = _mm256_loadu_si256((const __m256i *) (blk + 64 * h));                                        \
            __m256i ql1 = _mm256_loadu_si256((const __m256i *) (blk + 64 * h + 32));                                   \
            __m256i qh = _mm256_loadu_si256((const __m256i *) (blk + 128 + 32 * h));                                   \
            __m256i v[4];                                                                                              \
            v[0] = _mm256_or_si256(_mm256_and_si256(ql0, low4),                                                        \
                                   _mm256_slli_epi16(_mm256_and_si256(qh, low2), 4));                                  \
            v[1] = _mm256_or_si256(_mm256_and_si256(ql1, low4),                                                        \
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), low2), 4));            \
            v[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4),                                  \
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), low2), 4));            \
            v[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4),                                  \
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), low2), 4));            \
            __m256i ia[TILE_##SUFFIX];                                                                                 \
            for (int t = 0; t < nt; t++) ia[t] = _mm256_setzero_si256();                                               \
            for (int k = 0; k < 4; k++) {                                                                              \
                __m256i c = _mm256_sub_epi8(v[k], bias);                                                               \
                __m256i even = _mm256_srai_epi16(_mm256_slli_epi16(c, 8), 8), odd = _mm256_srai_epi16(c, 8);           \
                __m256i scale = _mm256_permutevar8x32_epi32(sc, pick[k]);                                              \
                if (nt > 1) {                                                                                          \
                    scale = _mm256_or_si256(_mm256_and_si256(scale, words), _mm256_slli_epi32(scale, 16));             \
                    even = _mm256_mullo_epi16(even, scale);                                                            \
                    odd = _mm256_mullo_epi16(odd, scale);                                                              \
                }                                                                                                      \
                int c32 = 4 * h + k;                                                                                   \
                for (int t = 0; t < nt; t++) {                                                                         \
                    const int16_t *x = X(q + t * q_stride, cols) + 2 * cols + 256 * b + 64 * (c32 >> 1)                \
                            + 16 * (c32 & 1);                                                                          \
                    __m256i p = _mm256_add_epi32(_mm256_madd_epi16(even, x16_##SUFFIX(x)),                             \
                                                 _mm256_madd_epi16(odd, x16_##SUFFIX(x + 32)));                        \
                    ia[t] = _mm256_add_epi32(ia[t], nt > 1 ? p : _mm256_mullo_epi32(p, scale));                        \
                }                                                                                                      \
                /* 64 values done: they share the activations' scale */                                                \
                for (int t = 0; k % 2 == 1 && t < nt; t++) {                                                           \
                    float dx = DX(q + t * q_stride)[8 * b + 2 * (c32 >> 1)];                                           \
                    acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d * dx), _mm256_cvtepi32_ps(ia[t]), acc[t]);               \
                    ia[t] = _mm256_setzero_si256();                                                                    \
                }                                                                                                      \
            }                                                                                                          \
        }                                                                                                              \
    }                                                                                                                  \
    for (int t = 0; t < nt; t++) res[t] = hsum_##SUFFIX(acc[t]);                                                       \
}                                                                                                                      \
                                                                                                                       \
/* One row against nt tokens, nt a constant after inlining, so the token loops unroll; then the rows. */
#define DRIVER(SUFFIX, TARGET)                                                                                         \
__attribute__((target(TARGET), always_inline)) static inline void dot_##SUFFIX(int type, const uint8_t *w,             \
        const uint8_t *q, int64_t q_stride, int cols, int nt, float *res) {                                            \
    switch (type) {                                                                                                    \
        case TYPE_Q8_0: dot_q8_0_##SUFFIX(w, q, q_stride, cols, nt, res); break;                                       \
        case TYPE_Q4_K: dot_q4_k_##SUFFIX(w, q, q_stride, cols, nt, res); break;                                       \
        default: dot_q6_k_##SUFFIX(w, q, q_stride, cols, nt, res); break;                                              \
    }                                                                                                                  \
}                                                                                                                      \
                                                                                                                       \
/* Rows [from, to) against one token into out[from, to): the type is chosen once, so each row loop inlines its         \
   kernel and sets its constants up once, not per row. */                                                              \
__attribute__((target(TARGET), noinline)) static void rows1_##SUFFIX(int type, const uint8_t *w, int64_t row_bytes,    \
        const uint8_t *q, int cols, float *out, int from, int to) {                                                    \
    switch (type) {                                                                                                    \
        case TYPE_Q8_0:                                                                                                \
            for (int r = from; r < to; r++) dot_q8_0_##SUFFIX(w + r * row_bytes, q, 0, cols, 1, out + r);              \
            break;                                                                                                     \
        case TYPE_Q4_K:                                                                                                \
            for (int r = from; r < to; r++) dot_q4_k_##SUFFIX(w + r * row_bytes, q, 0, cols, 1, out + r);              \
            break;                                                                                                     \
        default:                                                                                                       \
            for (int r = from; r < to; r++) dot_q6_k_##SUFFIX(w + r * row_bytes, q, 0, cols, 1, out + r);              \
            break;                                                                                                     \
    }                                                                                                                  \
}                                                                                                                      \
                                                                                                                       \
__attribute__((target(TARGET), noinline)) static void dot_tile_##SUFFIX(int type, const uint8_t *w,                    \
        const uint8_t *q, int64_t q_stride, int cols, float *res) {                                                    \
    dot_##SUFFIX(type, w, q, q_stride, cols, TILE_##SUFFIX, res);                                                      \
}                                                                                                                      \
                                                                                                                       \
__attribute__((target(TARGET))) static void matmul_##SUFFIX(int type, const uint8_t *w, int64_t row_bytes, int cols,   \
        const uint8_t *q, int n, float *out, int out_stride, int from, int to) {                                       \
    int64_t q_stride = sb_activation_bytes(1, cols);                                                                   \
    float res[TILE_##SUFFIX];                                                                                          \
    if (n == 1) {                                                                                                      \
        rows1_##SUFFIX(type, w, row_bytes, q, cols, out, from, to);                                                    \
        return;                                                                                                        \
    }                                                                                                                  \
    int row_block = row_bytes >= ROW_BLOCK_BYTES ? 1 : (int) (ROW_BLOCK_BYTES / row_bytes);                            \
    for (int r0 = from; r0 < to; r0 += row_block) {                                                                    \
        int r1 = r0 + row_block < to ? r0 + row_block : to;                                                            \
        int t = 0;                                                                                                     \
        for (; t + TILE_##SUFFIX <= n; t += TILE_##SUFFIX) {                                                           \
            for (int r = r0; r < r1; r++) {                                                                            \
                dot_tile_##SUFFIX(type, w + r * row_bytes, q + t * q_stride, q_stride, cols, res);                     \
                for (int i = 0; i < TILE_##SUFFIX; i++) out[(int64_t) (t + i) * out_stride + r] = res[i];              \
            }                                                                                                          \
        }                                                                                                              \
        for (; t < n; t++) {                                                                                           \
            rows1_##SUFFIX(type, w, row_bytes, q + t * q_stride, cols, out + (int64_t) t * out_stride, r0, r1);        \
        }                                                                                                              \
    }                                                                                                                  \
}

#define DOT16_AVX2(acc, a, b) _mm256_add_epi32((acc), _mm256_madd_epi16((a), (b)))

KERNELS(avx2, "avx2,fma,f16c", DOT16_AVX2)
DRIVER(avx2, "avx2,fma,f16c")

/*
 * AVX-512 with VNNI: the same products on 512-bit vectors, one vpdpwssd per 32 weights (the 256-bit form needed two),
 * which halves the instructions per weight where decode is bound by them, not by memory.
 */
#define T512 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512dq,avx512vl,avx512vnni")))
/* The 256-bit kernels written outside the KERNELS macro. */
#define AVX2 __attribute__((target("avx2,fma,f16c")))

T512 static inline float fp16_512(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

T512 static inline __m512i x16_512(const int16_t *x) {
    return _mm512_loadu_si512((const void *) x);
}

/* The float steps after a block's exact sums in the kernels with a row per lane, one helper per type so that the
   vector and the AMX kernels take the same steps in the same order and agree to the bit. A Q8_0 block: its 16 rows'
   sums times their scales dw and the token's dx. */
T512 static inline __m512 q8_0_block_512(__m512 acc, __m512i sum, __m512 dw, float dx) {
    return _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum), _mm512_mul_ps(dw, _mm512_set1_ps(dx)), acc);
}

/* The K-quants' steps (Q4_K, Q6_K): a sub-block's exact sum s of 16 rows, already a float or converted, times the rows'
   d·scale (dsc) into the float sum g of its 64 values; then g into the rows' accumulator times the token's activation
   scale dx of those 64 values. */
T512 static inline __m512 sub_sum_512(__m512 g, __m512 s, __m512 dsc) {
    return _mm512_fmadd_ps(s, dsc, g);
}

T512 static inline __m512 group_sum_512(__m512 acc, __m512 g, float dx) {
    return _mm512_fmadd_ps(g, _mm512_set1_ps(dx), acc);
}

/* The mins of a Q4_K super-block: the 16 rows' mins of its 8 sub-blocks as floats (mnf) times the token's sums of
   those sub-blocks times their scale (y, from SY), summed, then times dmin off the accumulator. */
T512 static inline __m512 q4_k_mins_512(__m512 acc, const __m512 *mnf, const float *y, __m512 dmin) {
    __m512 m = _mm512_setzero_ps();
    for (int s = 0; s < 8; s++) m = _mm512_fmadd_ps(mnf[s], _mm512_set1_ps(y[s]), m);
    return _mm512_fnmadd_ps(m, dmin, acc);
}

/* Q8_0: one product per block and token, scaled in floats by the weight's and the activation's block scales. */
T512 __attribute__((always_inline)) static inline void dot_q8_0_512(const uint8_t *w, const uint8_t *q,
        int64_t q_stride, int cols, int nt, float *res) {
    __m512 acc[TILE_512];
    for (int t = 0; t < nt; t++) acc[t] = _mm512_setzero_ps();
    for (int b = 0; b < cols / 32; b++) {
        const uint8_t *w0 = w + b * 34;
        __m512i a = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *) (w0 + 2)));
        float dw = fp16_512(w0);
        for (int t = 0; t < nt; t++) {
            const uint8_t *qt = q + t * q_stride;
            __m512i p = _mm512_dpwssd_epi32(_mm512_setzero_si512(), a, x16_512(X(qt, cols) + b * 32));
            acc[t] = _mm512_fmadd_ps(_mm512_set1_ps(dw * DX(qt)[b]), _mm512_cvtepi32_ps(p), acc[t]);
        }
    }
    for (int t = 0; t < nt; t++) res[t] = _mm512_reduce_add_ps(acc[t]);
}

/* Q4_K's eight 6-bit scales (returned) and mins of super-block blk, one per byte: its bytes 4-15 as three words hold
   scales 0-3 and mins 0-3 in their low 6 bits, 4-7 split over the rest. */
T512 static inline __m128i q4_k_scales_mins_512(const uint8_t *blk, __m128i *mins) {
    __m128i u = _mm_loadu_si128((const __m128i *) (blk + 4));
    __m128i u0 = _mm_shuffle_epi32(u, 0x00), u1 = _mm_shuffle_epi32(u, 0x55), u2 = _mm_shuffle_epi32(u, 0xAA);
    __m128i lo6 = _mm_set1_epi8(0x3F), lo4 = _mm_set1_epi8(0x0F), top2 = _mm_set1_epi8(0x30);
    *mins = _mm_unpacklo_epi32(_mm_and_si128(u1, lo6), _mm_or_si128(_mm_and_si128(_mm_srli_epi32(u2, 4), lo4),
            _mm_and_si128(_mm_srli_epi32(u1, 2), top2)));
    return _mm_unpacklo_epi32(_mm_and_si128(u0, lo6), _mm_or_si128(_mm_and_si128(u2, lo4),
            _mm_and_si128(_mm_srli_epi32(u0, 2), top2)));
}

/*
 * Q4_K against one token (decode): the nibbles stay bytes. A 64-byte load holds sub-blocks (0, 2) in its low nibbles
 * and (1, 3) in its high ones (4-7 likewise); vpermt2w interleaves sub-blocks 2g and 2g + 1 by pairs of values, the
 * order the activations' split bytes come in. vpmaddubsw multiplies nibbles with the high bytes and the low bytes with
 * nibbles (unsigned times signed, pairs of at most 2·15·255: no saturation); vpdpwssd multiplies the pairs by their
 * sub-block's scale into int32. It drops the widening and the scale multiply per nibble: one thread ran 1.13-1.18
 * times as fast on 2026-12-04 (21-22 GB/s from memory, 25 from cache). Each int32 lane of a pair of sub-blocks sums
 * the same products as in the tile kernel below (values 2i and 2i + 1 of both), exactly, and takes the activations'
 * scale of those 64 values the same way, so a token's result does not depend on whether it came alone or in a batch,
 * to the bit.
 */
T512 __attribute__((always_inline)) static inline float dot1_q4_k_512(const uint8_t *w, const uint8_t *q, int cols) {
    const __m512i low4 = _mm512_set1_epi8(0x0F);
    /* words 2i and 2i + 1 <- word i of the low nibbles' vector and of the high ones' (indices 32 on: the second
       source), from words 16·half on: half 0 holds sub-blocks 2g and 2g + 1 of the first 32 bytes, half 1 of the
       next 32 */
    __m512i pairs[2];
    for (int half = 0; half < 2; half++) {
        int16_t idx[32];
        for (int i = 0; i < 16; i++) {
            idx[2 * i] = (int16_t) (16 * half + i);
            idx[2 * i + 1] = (int16_t) (32 + 16 * half + i);
        }
        pairs[half] = _mm512_loadu_si512((const void *) idx);
    }
    const uint8_t *low = (const uint8_t *) (X(q, cols) + cols);
    const int8_t *high = (const int8_t *) (low + cols);
    __m512 acc = _mm512_setzero_ps(), accm = _mm512_setzero_ps();
    for (int b = 0; b < cols / 256; b++) {
        const uint8_t *blk = w + b * 144, *qs = blk + 16, *l = low + 256 * b;
        const int8_t *h = high + 256 * b;
        float d = fp16_512(blk), dmin = fp16_512(blk + 2);
        __m128i mins;
        __m512i sc = _mm512_castsi128_si512(_mm_cvtepu8_epi16(q4_k_scales_mins_512(blk, &mins)));
        for (int g = 0; g < 4; g++) {
            /* the nibbles of 64 bytes: sub-blocks 4(g/2), +2 low and 4(g/2) + 1, +3 high */
            __m512i v = _mm512_loadu_si512((const void *) (qs + 64 * (g / 2)));
            __m512i wg = _mm512_permutex2var_epi16(_mm512_and_si512(v, low4), pairs[g % 2],
                                                   _mm512_and_si512(_mm512_srli_epi16(v, 4), low4));
            /* even words sub-block 2g's scale, odd words 2g + 1's */
            __m512i sg = _mm512_permutexvar_epi16(_mm512_set1_epi32((2 * g + 1) << 16 | 2 * g), sc);
            /* high and low bytes; the high sum is at most 2·3840·63 per lane before its shift by 8 */
            __m512i ih = _mm512_dpwssd_epi32(_mm512_setzero_si512(),
                    _mm512_maddubs_epi16(wg, _mm512_loadu_si512((const void *) (h + 64 * g))), sg);
            __m512i il = _mm512_dpwssd_epi32(_mm512_setzero_si512(),
                    _mm512_maddubs_epi16(_mm512_loadu_si512((const void *) (l + 64 * g)), wg), sg);
            acc = _mm512_fmadd_ps(_mm512_set1_ps(d * DX(q)[8 * b + 2 * g]),
                                  _mm512_cvtepi32_ps(_mm512_add_epi32(_mm512_slli_epi32(ih, 8), il)), acc);
        }
        __m256i m = _mm256_mullo_epi32(_mm256_cvtepu8_epi32(mins),
                                       _mm256_loadu_si256((const __m256i *) (SX(q, cols) + 8 * b)));
        __m256 dx = _mm256_loadu_ps(DX(q) + 8 * b);
        accm = _mm512_fmadd_ps(_mm512_zextps256_ps512(_mm256_mul_ps(_mm256_set1_ps(dmin), dx)),
                               _mm512_cvtepi32_ps(_mm512_zextsi256_si512(m)), accm);
    }
    return _mm512_reduce_add_ps(_mm512_sub_ps(acc, accm));
}

/* Q4_K (layout above) against a tile of tokens: one 512-bit vector holds a sub-block of 32 nibbles widened to int16
   and times its scale, once for all the tile's tokens. The scales and mins are unpacked with vector instructions:
   scalar unpacking cost as much as the products. */
T512 __attribute__((always_inline)) static inline void dot_q4_k_512(const uint8_t *w, const uint8_t *q,
        int64_t q_stride, int cols, int nt, float *res) {
    if (nt == 1) {
        res[0] = dot1_q4_k_512(w, q, cols);
        return;
    }
    const __m512i low4 = _mm512_set1_epi16(0x0F);
    __m512i pick[8];
    for (int j = 0; j < 8; j++) pick[j] = _mm512_set1_epi16((short) j);
    /* the mins in their own accumulator: one chain of two multiply-adds per super-block would bound decode */
    __m512 acc[TILE_512], accm[TILE_512];
    for (int t = 0; t < nt; t++) acc[t] = accm[t] = _mm512_setzero_ps();
    for (int b = 0; b < cols / 256; b++) {
        const uint8_t *blk = w + b * 144, *qs = blk + 16;
        float d = fp16_512(blk), dmin = fp16_512(blk + 2);
        __m128i mins;
        __m512i sc = _mm512_castsi128_si512(_mm_cvtepu8_epi16(q4_k_scales_mins_512(blk, &mins)));
        __m256i mn = _mm256_cvtepu8_epi32(mins);
        for (int g = 0; g < 4; g++) {
            __m512i v = _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *) (qs + 32 * g)));
            __m512i lo = _mm512_mullo_epi16(_mm512_and_si512(v, low4), _mm512_permutexvar_epi16(pick[2 * g], sc));
            __m512i hi = _mm512_mullo_epi16(_mm512_srli_epi16(v, 4), _mm512_permutexvar_epi16(pick[2 * g + 1], sc));
            /* sub-blocks 2g and 2g + 1 share the activations' scale */
            for (int t = 0; t < nt; t++) {
                const int16_t *x = X(q + t * q_stride, cols) + 256 * b + 64 * g;
                __m512i p = _mm512_dpwssd_epi32(_mm512_dpwssd_epi32(_mm512_setzero_si512(), lo, x16_512(x)), hi,
                                                x16_512(x + 32));
                acc[t] = _mm512_fmadd_ps(_mm512_set1_ps(d * DX(q + t * q_stride)[8 * b + 2 * g]),
                                         _mm512_cvtepi32_ps(p), acc[t]);
            }
        }
        for (int t = 0; t < nt; t++) {
            const uint8_t *qt = q + t * q_stride;
            /* the mins against the activations' sums per 32, in the lower 8 lanes, each with its block's scale */
            __m256i m = _mm256_mullo_epi32(mn, _mm256_loadu_si256((const __m256i *) (SX(qt, cols) + 8 * b)));
            __m256 dx = _mm256_loadu_ps(DX(qt) + 8 * b);
            accm[t] = _mm512_fmadd_ps(_mm512_zextps256_ps512(_mm256_mul_ps(_mm256_set1_ps(dmin), dx)),
                                      _mm512_cvtepi32_ps(_mm512_zextsi256_si512(m)), accm[t]);
        }
    }
    for (int t = 0; t < nt; t++) res[t] = _mm512_reduce_add_ps(_mm512_sub_ps(acc[t], accm[t]));
}

/* Q6_K (layout above): each half of 128 values becomes two vectors of 64 bytes in value order, the 6-bit values
   recentred to -32..31. Their even and odd bytes are widened to int16 by shifts (the activations come in that order,
   q6_k_order), so that no shuffle touches the weights (the shuffles had bound this kernel: 1.16x as fast in L2 and
   1.07x from memory with one thread, 2026-12-05). A lane of the two products then holds 4 consecutive values, which
   share a scale: one token multiplies the lane's sum by it, a tile of tokens multiplies the weights once for all of
   them (|q·scale| <= 32·128 fits int16). Either way each lane holds the same exact integer, so a row's result does
   not depend on the tile. Each 64 values sum in int32 (per lane 4 products) and take the activations' scale of
   their 64 in floats. */
T512 __attribute__((always_inline)) static inline void dot_q6_k_512(const uint8_t *w, const uint8_t *q,
        int64_t q_stride, int cols, int nt, float *res) {
    const __m512i low4 = _mm512_set1_epi8(0x0F), bits45 = _mm512_set1_epi8(0x30), bias = _mm512_set1_epi8(32);
    /* the high-bit bytes hold values l and 32 + l in bits 0-1 and 2-3 (4-5 and 6-7 for the nibbles' high halves):
       the upper 256 bits take them shifted down by 2, so one mask serves both halves */
    const __m512i shift = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(2), 1);
    /* lane m of the products of values 64j.. takes scale 4j + m / 4 */
    __m512i pick[4];
    for (int j = 0; j < 4; j++) {
        pick[j] = _mm512_add_epi32(_mm512_set1_epi32(4 * j),
                                   _mm512_srli_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                                                      13, 14, 15), 2));
    }
    const int pf = prefetch_ahead;
    __m512 acc[TILE_512];
    for (int t = 0; t < nt; t++) acc[t] = _mm512_setzero_ps();
    for (int b = 0; b < cols / 256; b++) {
        const uint8_t *blk = w + b * 210;
        if (pf) for (int l = 0; l < 4; l++) _mm_prefetch((const char *) blk + pf + 64 * l, _MM_HINT_T0);
        __m512i sc = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *) (blk + 192)));
        float d = fp16_512(blk + 208);
        /* the super-block's products, each 64 values' times their activations' scale; then times d */
        __m512 sb[TILE_512];
        for (int t = 0; t < nt; t++) sb[t] = _mm512_setzero_ps();
        for (int h = 0; h < 2; h++) {
            __m512i ql = _mm512_loadu_si512((const void *) (blk + 64 * h));
            __m512i qh = _mm512_srlv_epi16(_mm512_broadcast_i64x4(
                    _mm256_loadu_si256((const __m256i *) (blk + 128 + 32 * h))), shift);
            __m512i v[2];
            v[0] = _mm512_sub_epi8(_mm512_or_si512(_mm512_and_si512(ql, low4),
                                                   _mm512_and_si512(_mm512_slli_epi16(qh, 4), bits45)), bias);
            v[1] = _mm512_sub_epi8(_mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), low4),
                                                   _mm512_and_si512(qh, bits45)), bias);
            for (int i = 0; i < 2; i++) {
                __m512i even = _mm512_srai_epi16(_mm512_slli_epi16(v[i], 8), 8), odd = _mm512_srai_epi16(v[i], 8);
                /* lanes as int32, or as int16 pairs for the weights */
                __m512i scale = _mm512_permutexvar_epi32(pick[2 * h + i], sc);
                if (nt > 1) {
                    scale = _mm512_or_si512(_mm512_and_si512(scale, _mm512_set1_epi32(0xFFFF)),
                                            _mm512_slli_epi32(scale, 16));
                    even = _mm512_mullo_epi16(even, scale);
                    odd = _mm512_mullo_epi16(odd, scale);
                }
                /* these 64 values share the activations' scale */
                for (int t = 0; t < nt; t++) {
                    const int16_t *x = X(q + t * q_stride, cols) + 2 * cols + 256 * b + 128 * h + 64 * i;
                    __m512i p = _mm512_dpwssd_epi32(_mm512_setzero_si512(), even, x16_512(x));
                    p = _mm512_dpwssd_epi32(p, odd, x16_512(x + 32));
                    if (nt == 1) p = _mm512_mullo_epi32(p, scale);
                    sb[t] = _mm512_fmadd_ps(_mm512_set1_ps(DX(q + t * q_stride)[8 * b + 2 * (2 * h + i)]),
                                            _mm512_cvtepi32_ps(p), sb[t]);
                }
            }
        }
        for (int t = 0; t < nt; t++) acc[t] = _mm512_fmadd_ps(_mm512_set1_ps(d), sb[t], acc[t]);
    }
    for (int t = 0; t < nt; t++) res[t] = _mm512_reduce_add_ps(acc[t]);
}

DRIVER(512, "avx2,fma,f16c,avx512f,avx512bw,avx512dq,avx512vl,avx512vnni")

/*
 * Q8_0 repacked in groups of 16 rows (sb_repack), so that each vector lane computes one row: per group and block
 * of 32 columns, the 16 rows' f16 scales (32 bytes), then for k < 16 the rows' values 2k and 2k + 1 (32 bytes, row by
 * row). A product is one vpdpwssd per k with the token's values 2k and 2k + 1 broadcast, and a lane holds its row's
 * whole integer block sum, so floats come in once per block for 16 rows, not once per block and row; the row-by-row
 * kernel spent most of its instructions there. 2.3-2.8 times as fast on 2026-12-04 (C check, one thread, weights in
 * cache, one token and tiles alike). Every row's result is the same float operations on the same exact block sums in
 * the same order whatever the tile, the range split or the level (AVX2 or AVX-512): batches and lone tokens agree to
 * the bit.
 */
/* Row r's part of a repacked Q8_0 block o, from its ggml block blk (repack_groups). */
static void repack_q8_0_row(const uint8_t *blk, int r, uint8_t *o) {
    memcpy(o + 2 * r, blk, 2);
    for (int k = 0; k < 16; k++) {
        memcpy(o + 32 + 32 * k + 2 * r, blk + 2 + 2 * k, 2);
    }
}

/* Tokens per tile of the repacked Q8_0 kernels. */
#define R16_TILE 8

/* The token's values 2k and 2k + 1 of block b as one int32, to broadcast. */
static inline int32_t x_pair(const uint8_t *qt, int cols, int b, int k) {
    int32_t v;
    memcpy(&v, X(qt, cols) + 32 * b + 2 * k, 4);
    return v;
}

/* One group of 16 rows against nt tokens; lanes [lo, hi) of each token's 16 results go to out + t * out_stride.
   The integer sums of a block go to np independent chains (one chain would wait on vpdpwssd's latency); integer
   addition is exact, so np does not change the results. */
T512 __attribute__((always_inline)) static inline void q8_0_r16_512(const uint8_t *w, int cols, const uint8_t *q,
        int64_t q_stride, int nt, float *out, int64_t out_stride, __mmask16 lanes) {
    const int np = nt == 1 ? 4 : 2, pf = prefetch_ahead;
    __m512 acc[R16_TILE];
    for (int t = 0; t < nt; t++) acc[t] = _mm512_setzero_ps();
    for (int b = 0; b < cols / 32; b++) {
        const uint8_t *blk = w + (int64_t) b * R16_BLOCK_BYTES;
        __m512i p[R16_TILE][4];
        for (int t = 0; t < nt; t++) for (int j = 0; j < np; j++) p[t][j] = _mm512_setzero_si512();
        _Pragma("GCC unroll 16") for (int k = 0; k < 16; k++) {
            __m512i wk = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *) (blk + 32 + 32 * k)));
            /* the block's 544 bytes as 9 lines 64 bytes apart, so that no line between them is missed */
            if (pf && k % 2 == 0) _mm_prefetch((const char *) blk + pf + 32 * k, _MM_HINT_T0);
            if (pf && k == 0) _mm_prefetch((const char *) blk + pf + 512, _MM_HINT_T0);
            for (int t = 0; t < nt; t++) {
                p[t][k % np] = _mm512_dpwssd_epi32(p[t][k % np], wk,
                                                   _mm512_set1_epi32(x_pair(q + t * q_stride, cols, b, k)));
            }
        }
        __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) blk));
        for (int t = 0; t < nt; t++) {
            __m512i sum = p[t][0];
            for (int j = 1; j < np; j++) sum = _mm512_add_epi32(sum, p[t][j]);
            acc[t] = q8_0_block_512(acc[t], sum, dw, DX(q + t * q_stride)[b]);
        }
    }
    for (int t = 0; t < nt; t++) _mm512_mask_storeu_ps(out + t * out_stride, lanes, acc[t]);
}

/* A kernel's entry for tiles of NT tokens: NT a constant in its body, so the token loops unroll. */
#define R16_512(KERNEL, NT)                                                                                            \
T512 __attribute__((noinline)) static void KERNEL##_##NT(const uint8_t *w, int cols, const uint8_t *q,                 \
        int64_t q_stride, float *out, int64_t out_stride, __mmask16 lanes) {                                           \
    KERNEL(w, cols, q, q_stride, NT, out, out_stride, lanes);                                                          \
}
#define R16_AVX2(KERNEL, NT)                                                                                           \
AVX2 __attribute__((noinline)) static void KERNEL##_##NT(const uint8_t *w, int cols,                                   \
        const uint8_t *q, int64_t q_stride, float *out, int64_t out_stride, int lo, int hi) {                          \
    KERNEL(w, cols, q, q_stride, NT, out, out_stride, lo, hi);                                                         \
}
R16_512(q8_0_r16_512, 8)
R16_512(q8_0_r16_512, 4)
R16_512(q8_0_r16_512, 1)

/* A tile configuration (palette 1) as LDTILECFG reads it. */
struct amx_config {
    uint8_t palette, start_row, reserved[14];
    uint16_t bytes_per_row[16];
    uint8_t rows[16];
};

#if SB_AMX
#define AMX __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512dq,avx512vl,avx512vnni,avx512vbmi,amx-tile,"   \
                                          "amx-int8,amx-bf16")))

/* Tiles of the Q8_0 AMX kernel: 0-1 and 2-3 the 16 x 16 int32 sums of the low and of the high bytes of two blocks in
   turn, 4 and 5 the 16 tokens' 32 low and 32 high bytes of a block, 6 and 7 the 16 rows' 32 values of a block in
   turn, four per int32 column. Static: GCC 12 does not see LDTILECFG read its operand and dropped the stores to a
   configuration on the stack (the instruction then faulted on zeros). */
static const struct amx_config AMX_Q8_0 = {
    .palette = 1,
    .bytes_per_row = {64, 64, 64, 64, 32, 32, 64, 64},
    .rows = {16, 16, 16, 16, AMX_TOKENS, AMX_TOKENS, 8, 8},
};

AMX static void amx_configure(const struct amx_config *c) {
    _tile_loadconfig(c);
}

AMX static void amx_release(void) {
    _tile_release();
}

/* A token's accumulators of a group at column k0: zero, or what the columns before left in its results. Floats go to
   memory and back unchanged, so the sums take the same steps as in one pass. */
AMX static inline __m512 amx_acc_start(const float *out, __mmask16 lanes, int k0) {
    return k0 == 0 ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(lanes, out);
}

/* A block's sums for 16 tokens from the stored tiles into the accumulators, as q8_0_r16_512 adds them. */
AMX __attribute__((always_inline)) static inline void amx_q8_0_add(const int32_t (*low)[16],
        const int32_t (*high)[16], const uint8_t *blk, const uint8_t *q, int64_t q_stride, int b, __m512 *acc) {
    __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) blk));
    for (int t = 0; t < AMX_TOKENS; t++) {
        __m512i sum = _mm512_add_epi32(_mm512_slli_epi32(_mm512_load_si512(high[t]), 8), _mm512_load_si512(low[t]));
        acc[t] = q8_0_block_512(acc[t], sum, dw, DX(q + t * q_stride)[b]);
    }
}

/* A group's repacked Q8_0 blocks as AMX weight tiles, 512 bytes a block: its 16 rows' values in groups of four
   (int32 column r of tile row i: row r's values 4i..4i+3), one vpermw per 4 values of the 16 rows. */
AMX static void amx_q8_0_weights(const uint8_t *w, int k0, int k1, uint8_t *tiles) {
    /* word 2r of a group of four takes row r's pair from the first 32 bytes, word 2r + 1 from the next 32 */
    const __m512i quads = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                           23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    for (int b = k0 / 32; b < k1 / 32; b++) {
        for (int i = 0; i < 8; i++) {
            _mm512_store_si512(tiles + 512 * b + 64 * i, _mm512_permutexvar_epi16(quads,
                    _mm512_loadu_si512((const void *) (w + (int64_t) b * R16_BLOCK_BYTES + 32 + 64 * i))));
        }
    }
}

/* Block b's products into tiles CL and CH (low and high bytes), its weights through tile BT, stored to set P of the
   buffers. The tile numbers are literals: the intrinsics take them as immediates. */
#define AMX_Q8_0_BLOCK(P, CL, CH, BT, b)                                                                               \
    do {                                                                                                               \
        _tile_loadd(4, lo + 32 * (b), q_stride);                                                                       \
        _tile_loadd(5, hi + 32 * (b), q_stride);                                                                       \
        _tile_loadd(BT, tiles + 512 * (b), 64);                                                                        \
        _tile_zero(CL);                                                                                                \
        _tile_zero(CH);                                                                                                \
        _tile_dpbusd(CL, 4, BT);                                                                                       \
        _tile_dpbssd(CH, 5, BT);                                                                                       \
        _tile_stored(CL, low[P], 64);                                                                                  \
        _tile_stored(CH, high[P], 64);                                                                                 \
    } while (0)

/*
 * One group of 16 repacked Q8_0 rows against AMX_TOKENS tokens on AMX (the tiles configured with AMX_Q8_0).
 * Exact as the vector kernels: a token's int16 value is 256·high + low with the low byte unsigned and the high one
 * signed, so the unsigned-by-signed product (TDPBUSD) of the low bytes and the signed one (TDPBSSD) of the high bytes
 * with the weights give each row's block sum as two exact int32 (|sum| < 32·255·128 and 32·128·128); 256·high + low
 * is then the very integer vpdpwssd sums, and the floats that follow are q8_0_r16_512's, in its order: every row and
 * token gets the same bits as there, whatever mix of kernels a batch goes through. The weights come as tiles
 * (amx_q8_0_weights), made once per group for all its tokens. Two blocks are in flight: a block's sums are read back
 * while the tiles compute the next one's, not right after their stores.
 */
AMX static void q8_0_r16_amx(const uint8_t *w, const uint8_t *tiles, int cols, int k0, int k1, const uint8_t *q,
        int64_t q_stride, float *out, int64_t out_stride, __mmask16 lanes) {
    _Alignas(64) int32_t low[2][16][16], high[2][16][16];
    const uint8_t *lo = XL(q, cols), *hi = lo + cols;
    int b0 = k0 / 32, blocks = k1 / 32;
    __m512 acc[AMX_TOKENS];
    for (int t = 0; t < AMX_TOKENS; t++) acc[t] = amx_acc_start(out + t * out_stride, lanes, k0);
    /* k0 a multiple of 256: b0 is even, as the sets below take it */
    AMX_Q8_0_BLOCK(0, 0, 1, 6, b0);
    for (int b = b0 + 1; b < blocks; b++) {
        if (b % 2) {
            AMX_Q8_0_BLOCK(1, 2, 3, 7, b);
            amx_q8_0_add(low[0], high[0], w + (int64_t) (b - 1) * R16_BLOCK_BYTES, q, q_stride, b - 1, acc);
        } else {
            AMX_Q8_0_BLOCK(0, 0, 1, 6, b);
            amx_q8_0_add(low[1], high[1], w + (int64_t) (b - 1) * R16_BLOCK_BYTES, q, q_stride, b - 1, acc);
        }
    }
    amx_q8_0_add(low[(blocks - 1) % 2], high[(blocks - 1) % 2], w + (int64_t) (blocks - 1) * R16_BLOCK_BYTES, q,
                 q_stride, blocks - 1, acc);
    for (int t = 0; t < AMX_TOKENS; t++) _mm512_mask_storeu_ps(out + t * out_stride, lanes, acc[t]);
}
#else
static void amx_configure(const struct amx_config *c) {
    (void) c;
}

static void amx_release(void) {
}
#endif

/* Rows [8h, 8h + 8) of a group's results for nt tokens, those in [lo, hi) only. */
AVX2 static inline void store_half_avx2(const __m256 *acc, int nt, int h, int lo,
        int hi, float *out, int64_t out_stride) {
    for (int t = 0; t < nt; t++) {
        float lanes[8];
        _mm256_storeu_ps(lanes, acc[t]);
        for (int r = 8 * h; r < 8 * h + 8; r++) {
            if (r >= lo && r < hi) out[t * out_stride + r] = lanes[r - 8 * h];
        }
    }
}

/* The same on AVX2: each group as two halves of 8 rows, 4 tokens at a time. */
AVX2 __attribute__((always_inline)) static inline void q8_0_r16_avx2(const uint8_t *w, int cols,
        const uint8_t *q, int64_t q_stride, int nt, float *out, int64_t out_stride, int lo, int hi) {
    const int np = nt == 1 ? 4 : 2, pf = prefetch_ahead;
    for (int h = 0; h < 2; h++) {
        __m256 acc[4];
        for (int t = 0; t < nt; t++) acc[t] = _mm256_setzero_ps();
        for (int b = 0; b < cols / 32; b++) {
            const uint8_t *blk = w + (int64_t) b * R16_BLOCK_BYTES;
            __m256i p[4][4];
            for (int t = 0; t < nt; t++) for (int j = 0; j < np; j++) p[t][j] = _mm256_setzero_si256();
            _Pragma("GCC unroll 16") for (int k = 0; k < 16; k++) {
                __m256i wk = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *) (blk + 32 + 32 * k + 16 * h)));
                /* the first half's pass brings the group in; the second finds it in cache */
                if (pf && h == 0 && k % 2 == 0) _mm_prefetch((const char *) blk + pf + 32 * k, _MM_HINT_T0);
                if (pf && h == 0 && k == 0) _mm_prefetch((const char *) blk + pf + 512, _MM_HINT_T0);
                for (int t = 0; t < nt; t++) {
                    p[t][k % np] = _mm256_add_epi32(p[t][k % np], _mm256_madd_epi16(wk,
                            _mm256_set1_epi32(x_pair(q + t * q_stride, cols, b, k))));
                }
            }
            __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (blk + 16 * h)));
            for (int t = 0; t < nt; t++) {
                __m256i sum = p[t][0];
                for (int j = 1; j < np; j++) sum = _mm256_add_epi32(sum, p[t][j]);
                acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum),
                                         _mm256_mul_ps(dw, _mm256_set1_ps(DX(q + t * q_stride)[b])), acc[t]);
            }
        }
        store_half_avx2(acc, nt, h, lo, hi, out, out_stride);
    }
}

R16_AVX2(q8_0_r16_avx2, 4)
R16_AVX2(q8_0_r16_avx2, 1)

/*
 * Q4_K repacked the same way (sb_repack, TYPE_Q4_K_R16), each vector lane one row: per group of 16 rows and
 * super-block of 256 columns, the rows' f16 d (32 bytes) and dmin (32), their 6-bit scales unpacked to bytes, 16 per
 * sub-block j < 8 (128), the mins likewise (128), then for each sub-block j and k < 4 one vector of 64 bytes: a
 * dword per row holding its values 32j + 8k + i, i < 8, as nibbles, the even ones in its low 16 bits and the odd
 * ones in its high 16 (value 2m and 2m + 1 at bits 4m and 16 + 4m). Shifting the dword by 4m and masking each half
 * to 4 bits gives the pair (2m, 2m + 1) as two int16, which one vpdpwssd multiplies by the token's pair, broadcast:
 * no byte shuffles and no per-row scale work inside a sub-block. The in-place kernel spent its instructions
 * interleaving each row's sub-blocks and scaling them, and could not keep up with memory on one thread. C check on
 * 2026-12-04, one thread: 2.0 times as fast for one token and 1.8-1.9 for 13 or 128 with the weights in cache,
 * 1.1-1.3 from memory (23-33 GB/s against 20-25); AVX2 1.4-1.8 in cache.
 *
 * Exact integer sums: a sub-block's 32 products are at most 32·15·32767 < 2^24, so its sum is exact as a float too;
 * it takes d·scale (exact in float) into the float sum of its pair, which takes the activations' scale of those 64
 * values (sub_sum_512, group_sum_512); the mins come off once per super-block, in floats (q4_k_mins_512). Every row
 * gets the same float operations in the same order whatever the tile, range split or level: batches and lone tokens
 * agree to the bit. (Until 2026-12-05 the scales were multiplied in integers and a pair's sum converted once; a float
 * per sub-block lets the AMX kernel's bf16 sums, floats already, take the same steps.)
 */
#define TYPE_Q4_K_R16 1012
#define Q4R_D 0
#define Q4R_DMIN 32
#define Q4R_SCALES 64
#define Q4R_MINS 192
#define Q4R_NIBBLES 320
#define Q4R_BLOCK_BYTES (Q4R_NIBBLES + 16 * 128)

/* Row r's part of a repacked Q4_K super-block o, from its ggml super-block blk (repack_groups). */
static void repack_q4_k_row(const uint8_t *blk, int r, uint8_t *o) {
    const uint8_t *qs = blk + 16;
    uint8_t scale[8], min[8], v[256];
    memcpy(o + Q4R_D + 2 * r, blk, 2);
    memcpy(o + Q4R_DMIN + 2 * r, blk + 2, 2);
    q4_k_scales_mins(blk + 4, scale, min);
    for (int j = 0; j < 8; j++) {
        o[Q4R_SCALES + 16 * j + r] = scale[j];
        o[Q4R_MINS + 16 * j + r] = min[j];
    }
    /* 64 values per 32 bytes: the low nibbles are sub-block 2g, the high ones 2g + 1 */
    for (int i = 0; i < 256; i++) {
        uint8_t byte = qs[32 * (i / 64) + i % 32];
        v[i] = i % 64 < 32 ? byte & 0xF : byte >> 4;
    }
    for (int jk = 0; jk < 32; jk++) {
        const uint8_t *e = v + 8 * jk;
        uint32_t word = 0;
        for (int m = 0; m < 4; m++) {
            word |= (uint32_t) e[2 * m] << (4 * m) | (uint32_t) e[2 * m + 1] << (16 + 4 * m);
        }
        memcpy(o + Q4R_NIBBLES + 64 * jk + 4 * r, &word, 4);
    }
}

/* The 16 rows' mins of each sub-block of the repacked super-block at blk, as floats. */
T512 static inline void q4_k_mins_f_512(const uint8_t *blk, __m512 *mnf) {
    for (int s = 0; s < 8; s++) {
        mnf[s] = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *) (blk + Q4R_MINS + 16 * s))));
    }
}

/* The 16 rows' d·scale of Q4_K sub-block j of the repacked super-block at blk (exact in float). */
T512 static inline __m512 q4_k_dsc_512(const uint8_t *blk, __m512 d, int j) {
    return _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(
            _mm_loadu_si128((const __m128i *) (blk + Q4R_SCALES + 16 * j)))));
}

/* Tokens per tile of the repacked Q4_K kernels: the largest that keeps a tile's sums in registers. */
#define Q4R_TILE 4

/* One group of 16 rows of repacked Q4_K against nt tokens, as q8_0_r16_512. */
T512 __attribute__((always_inline)) static inline void q4_k_r16_512(const uint8_t *w, int cols, const uint8_t *q,
        int64_t q_stride, int nt, float *out, int64_t out_stride, __mmask16 lanes) {
    const int np = nt == 1 ? 4 : 1, pf = prefetch_ahead;
    const __m512i mask = _mm512_set1_epi16(0x0F);
    __m512 acc[Q4R_TILE];
    for (int t = 0; t < nt; t++) acc[t] = _mm512_setzero_ps();
    for (int b = 0; b < cols / 256; b++) {
        const uint8_t *blk = w + (int64_t) b * Q4R_BLOCK_BYTES;
        __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (blk + Q4R_D)));
        __m512 dmin = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (blk + Q4R_DMIN)));
        for (int jj = 0; jj < 4; jj++) {
            __m512 g[Q4R_TILE];
            for (int t = 0; t < nt; t++) g[t] = _mm512_setzero_ps();
            for (int j = 2 * jj; j < 2 * jj + 2; j++) {
                __m512i s[Q4R_TILE][4];
                for (int t = 0; t < nt; t++) for (int c = 0; c < np; c++) s[t][c] = _mm512_setzero_si512();
                _Pragma("GCC unroll 4") for (int k = 0; k < 4; k++) {
                    __m512i v = _mm512_loadu_si512((const void *) (blk + Q4R_NIBBLES + 64 * (4 * j + k)));
                    /* each line of the block: its nibbles' 32 with them, its head's 5 with the first sub-blocks */
                    if (pf) {
                        _mm_prefetch((const char *) blk + pf + Q4R_NIBBLES + 64 * (4 * j + k), _MM_HINT_T0);
                        if (k == 0 && j < 5) _mm_prefetch((const char *) blk + pf + 64 * j, _MM_HINT_T0);
                    }
                    _Pragma("GCC unroll 4") for (int m = 0; m < 4; m++) {
                        __m512i wm = _mm512_and_si512(m == 0 ? v : _mm512_srli_epi32(v, 4 * m), mask);
                        for (int t = 0; t < nt; t++) {
                            int c = m % np;
                            s[t][c] = _mm512_dpwssd_epi32(s[t][c], wm, _mm512_set1_epi32(
                                    x_pair(q + t * q_stride, cols, 8 * b + j, 4 * k + m)));
                        }
                    }
                }
                __m512 dsc = q4_k_dsc_512(blk, d, j);
                for (int t = 0; t < nt; t++) {
                    __m512i sum = s[t][0];
                    for (int c = 1; c < np; c++) sum = _mm512_add_epi32(sum, s[t][c]);
                    g[t] = sub_sum_512(g[t], _mm512_cvtepi32_ps(sum), dsc);
                }
            }
            /* the activations' scale of this pair of sub-blocks (one per 64 values) */
            for (int t = 0; t < nt; t++) acc[t] = group_sum_512(acc[t], g[t], DX(q + t * q_stride)[8 * b + 2 * jj]);
        }
        __m512 mnf[8];
        q4_k_mins_f_512(blk, mnf);
        for (int t = 0; t < nt; t++) acc[t] = q4_k_mins_512(acc[t], mnf, SY(q + t * q_stride, cols) + 8 * b, dmin);
    }
    for (int t = 0; t < nt; t++) _mm512_mask_storeu_ps(out + t * out_stride, lanes, acc[t]);
}

R16_512(q4_k_r16_512, 4)
R16_512(q4_k_r16_512, 1)

#if SB_AMX
/* Tiles of the bf16 AMX kernels (Q4_K, Q6_K), each step 64 values: 0-3 the 16 rows' bf16 values of each 16 of them,
   4 and 5 a tile of tokens' bf16 pairs of 16 values in turn, 6 and 7 their 16 x 16 float sums. */
static const struct amx_config AMX_BF16 = {
    .palette = 1,
    .bytes_per_row = {64, 64, 64, 64, 64, 64, 64, 64},
    .rows = {16, 16, 16, 16, AMX_TOKENS, AMX_TOKENS, AMX_TOKENS, AMX_TOKENS},
};

/* bf16 codes of the integers 0..31, a word each: the Q4_K weight tiles' table (vpermw). */
AMX static inline __m512i bf16_codes_512(void) {
    _Alignas(64) uint16_t codes[32];
    for (int v = 0; v < 32; v++) {
        float f = (float) v;
        uint32_t bits;
        memcpy(&bits, &f, 4);
        codes[v] = (uint16_t) (bits >> 16);
    }
    return _mm512_load_si512((const void *) codes);
}

/*
 * Values 16·half..16·half + 15 of sub-block j of a group's repacked Q4_K super-block blk as an AMX bf16 weight tile of
 * 16 rows of 64 bytes, laid out as amx_q6_k_tile's: tile row p < 8 holds each row's values 2p and 2p + 1 of the 16 in
 * its int32 column, tile row 8 + p the same again. The repacked dword k of a sub-block holds its values 8k + 2m at
 * bits 4m and 8k + 2m + 1 at bits 16 + 4m: a shift and a mask give such a pair as two words, vpermw their codes.
 */
AMX static inline void amx_q4_k_tile(const uint8_t *blk, int j, int half, __m512i codes, uint8_t *tile) {
    const __m512i nibble = _mm512_set1_epi32(0x000F000F);
    for (int kk = 0; kk < 2; kk++) {
        __m512i v = _mm512_loadu_si512((const void *) (blk + Q4R_NIBBLES + 64 * (4 * j + 2 * half + kk)));
        for (int m = 0; m < 4; m++) {
            __m512i row = _mm512_permutexvar_epi16(_mm512_and_si512(m ? _mm512_srli_epi32(v, 4 * m) : v, nibble),
                                                   codes);
            _mm512_store_si512(tile + 64 * (4 * kk + m), row);
            _mm512_store_si512(tile + 64 * (12 + m + 4 * kk - 4), row);
        }
    }
}

/*
 * One group of 16 repacked Q4_K rows against ntiles tiles of AMX_TOKENS tokens (at most TOKEN_BLOCK tokens) on AMX
 * (tiles configured with AMX_BF16), in bf16 as q6_k_r16_amx: a sub-block's 32 products of a token's 256·high + low
 * with the nibbles, two TDPBF16PS into one tile, have partial sums of at most 32·(32768·15 + 255·15) < 2^24: exact,
 * the very float of the integer q4_k_r16_512 sums. The floats that follow are that kernel's, in its order, the mins'
 * integer sum included: the same bits as there. A pair's four weight tiles are made once and stay in tile registers
 * for all the tokens, whose accumulators wait in L1. C check on 2026-12-05 (512 x 2048, 128 tokens, one thread): the
 * int8 products of the bytes of both the tokens' values and the scaled weights, four per pair and each needing a
 * shift and an add after it, ran at 155-171 GMAC/s; this at 193-205.
 */
AMX static void q4_k_r16_amx(const uint8_t *w, const uint8_t *unused, int cols, int k0, int k1, const uint8_t *q,
        int64_t q_stride, int ntiles, float *out, int64_t out_stride, __mmask16 lanes) {
    (void) unused;
    _Alignas(64) uint8_t wt[4][16 * 64];
    _Alignas(64) float c[2][AMX_TOKENS][16], acc[TOKEN_BLOCK][16];
    const __m512i codes = bf16_codes_512();
    const uint8_t *xb = XB(q, cols);
    for (int t = 0; t < AMX_TOKENS * ntiles; t++) {
        _mm512_store_ps(acc[t], amx_acc_start(out + t * out_stride, lanes, k0));
    }
    for (int b = k0 / 256; b < k1 / 256; b++) {
        const uint8_t *blk = w + (int64_t) b * Q4R_BLOCK_BYTES;
        __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (blk + Q4R_D)));
        __m512 dmin = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (blk + Q4R_DMIN)));
        for (int jj = 0; jj < 4; jj++) {
            __m512 dsc0 = q4_k_dsc_512(blk, d, 2 * jj), dsc1 = q4_k_dsc_512(blk, d, 2 * jj + 1);
            for (int u = 0; u < 4; u++) amx_q4_k_tile(blk, 2 * jj + u / 2, u % 2, codes, wt[u]);
            _tile_loadd(0, wt[0], 64);
            _tile_loadd(1, wt[1], 64);
            _tile_loadd(2, wt[2], 64);
            _tile_loadd(3, wt[3], 64);
            for (int i = 0; i < ntiles; i++) {
                const uint8_t *x = xb + (int64_t) AMX_TOKENS * i * q_stride + 64 * (16 * b + 4 * jj);
                _tile_loadd(4, x, q_stride);
                _tile_loadd(5, x + 64, q_stride);
                _tile_zero(6);
                _tile_dpbf16ps(6, 4, 0);
                _tile_dpbf16ps(6, 5, 1);
                _tile_loadd(4, x + 128, q_stride);
                _tile_loadd(5, x + 192, q_stride);
                _tile_zero(7);
                _tile_dpbf16ps(7, 4, 2);
                _tile_dpbf16ps(7, 5, 3);
                _tile_stored(6, c[0], 64);
                _tile_stored(7, c[1], 64);
                for (int t = 0; t < AMX_TOKENS; t++) {
                    int tt = AMX_TOKENS * i + t;
                    __m512 g = sub_sum_512(_mm512_setzero_ps(), _mm512_load_ps(c[0][t]), dsc0);
                    g = sub_sum_512(g, _mm512_load_ps(c[1][t]), dsc1);
                    _mm512_store_ps(acc[tt], group_sum_512(_mm512_load_ps(acc[tt]), g,
                                                           DX(q + tt * q_stride)[8 * b + 2 * jj]));
                }
            }
        }
        __m512 mnf[8];
        q4_k_mins_f_512(blk, mnf);
        for (int tt = 0; tt < AMX_TOKENS * ntiles; tt++) {
            _mm512_store_ps(acc[tt], q4_k_mins_512(_mm512_load_ps(acc[tt]), mnf, SY(q + tt * q_stride, cols) + 8 * b,
                                                   dmin));
        }
    }
    for (int t = 0; t < AMX_TOKENS * ntiles; t++) {
        _mm512_mask_storeu_ps(out + (int64_t) t * out_stride, lanes, _mm512_load_ps(acc[t]));
    }
}
#endif

/* The same on AVX2: each group as two halves of 8 rows. */
AVX2 __attribute__((always_inline)) static inline void q4_k_r16_avx2(const uint8_t *w, int cols,
        const uint8_t *q, int64_t q_stride, int nt, float *out, int64_t out_stride, int lo, int hi) {
    const int np = nt == 1 ? 4 : 1, pf = prefetch_ahead;
    const __m256i mask = _mm256_set1_epi16(0x0F);
    for (int h = 0; h < 2; h++) {
        __m256 acc[Q4R_TILE];
        for (int t = 0; t < nt; t++) acc[t] = _mm256_setzero_ps();
        for (int b = 0; b < cols / 256; b++) {
            const uint8_t *blk = w + (int64_t) b * Q4R_BLOCK_BYTES;
            __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (blk + Q4R_D + 16 * h)));
            __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (blk + Q4R_DMIN + 16 * h)));
            for (int jj = 0; jj < 4; jj++) {
                __m256 g[Q4R_TILE];
                for (int t = 0; t < nt; t++) g[t] = _mm256_setzero_ps();
                for (int j = 2 * jj; j < 2 * jj + 2; j++) {
                    __m256i s[Q4R_TILE][4];
                    for (int t = 0; t < nt; t++) for (int c = 0; c < np; c++) s[t][c] = _mm256_setzero_si256();
                    _Pragma("GCC unroll 4") for (int k = 0; k < 4; k++) {
                        __m256i v = _mm256_loadu_si256((const __m256i *) (blk + Q4R_NIBBLES + 64 * (4 * j + k)
                                                                          + 32 * h));
                        if (pf && h == 0) { /* as the AVX-512 kernel, in the first half's pass */
                            _mm_prefetch((const char *) blk + pf + Q4R_NIBBLES + 64 * (4 * j + k), _MM_HINT_T0);
                            if (k == 0 && j < 5) _mm_prefetch((const char *) blk + pf + 64 * j, _MM_HINT_T0);
                        }
                        _Pragma("GCC unroll 4") for (int m = 0; m < 4; m++) {
                            __m256i wm = _mm256_and_si256(m == 0 ? v : _mm256_srli_epi32(v, 4 * m), mask);
                            for (int t = 0; t < nt; t++) {
                                int c = m % np;
                                s[t][c] = _mm256_add_epi32(s[t][c], _mm256_madd_epi16(wm, _mm256_set1_epi32(
                                        x_pair(q + t * q_stride, cols, 8 * b + j, 4 * k + m))));
                            }
                        }
                    }
                    __m256 dsc = _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(
                            (const __m128i *) (blk + Q4R_SCALES + 16 * j + 8 * h)))));
                    for (int t = 0; t < nt; t++) {
                        __m256i sum = s[t][0];
                        for (int c = 1; c < np; c++) sum = _mm256_add_epi32(sum, s[t][c]);
                        g[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum), dsc, g[t]);
                    }
                }
                for (int t = 0; t < nt; t++) {
                    acc[t] = _mm256_fmadd_ps(g[t], _mm256_set1_ps(DX(q + t * q_stride)[8 * b + 2 * jj]), acc[t]);
                }
            }
            /* the mins as q4_k_mins_512 */
            __m256 mnf[8];
            for (int j = 0; j < 8; j++) {
                mnf[j] = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(
                        (const __m128i *) (blk + Q4R_MINS + 16 * j + 8 * h))));
            }
            for (int t = 0; t < nt; t++) {
                const float *y = SY(q + t * q_stride, cols) + 8 * b;
                __m256 m = _mm256_setzero_ps();
                for (int j = 0; j < 8; j++) m = _mm256_fmadd_ps(mnf[j], _mm256_set1_ps(y[j]), m);
                acc[t] = _mm256_fnmadd_ps(m, dmin, acc[t]);
            }
        }
        store_half_avx2(acc, nt, h, lo, hi, out, out_stride);
    }
}

R16_AVX2(q4_k_r16_avx2, 4)
R16_AVX2(q4_k_r16_avx2, 1)

/*
 * Q6_K repacked the same way (sb_repack, TYPE_Q6_K_R16), each vector lane one row: per group of 16 rows and
 * super-block of 256 columns, the rows' f16 d (32 bytes) and int8 scales, 16 per sub-block j < 16 (256), then for
 * each sub-block of 16 values 192 bytes: a vector of the low nibbles of its values 0-7, one of those of 8-15 (a dword
 * per row, value 4h + k of the eight at bits 8k + 4h) and one of the high 2 bits of all 16 (a dword per row, value
 * 4s + k at bits 8k + 2s). A shift and a mask of each, one vpternlogd to join them, give four consecutive 6-bit
 * values of each row (0..63) as the bytes of its dword; vpdpbusd multiplies them with the token's four low bytes
 * (unsigned) and four high bytes (signed), broadcast. A token's int16 value is 256·high + low, so a sub-block's
 * Σx·(q − 32) is 256·Σhigh·q + Σlow·q − 32·Σx, 32·Σx from the activations (S16). The in-place kernel unpacked each
 * row's super-block on its own and summed its lanes in floats, which bound prefill, and it could not take AMX: its
 * lanes did not hold a row's sums.
 *
 * Exact integers, floats per sub-block: |Σx·(q − 32)| <= 16·32·32767 < 2^25, but 64 values with their scales could
 * pass 2^31 (4·16·32·128·32767), so each sub-block's sum becomes a float on its own: times d·scale (exact in float)
 * into the float sum of its 64 values, which then takes the activations' scale of those 64 (sub_sum_512,
 * group_sum_512). Every row gets the same float operations in the same order whatever the tile, range split or
 * level: batches and lone tokens agree to the bit.
 */
#define TYPE_Q6_K_R16 1014
#define Q6R_D 0
#define Q6R_SCALES 32
#define Q6R_VALUES 288
#define Q6R_BLOCK_BYTES (Q6R_VALUES + 16 * 192)

/* Row r's part of a repacked Q6_K super-block o, from its ggml super-block blk (repack_groups). */
static void repack_q6_k_row(const uint8_t *blk, int r, uint8_t *o) {
    uint8_t v[256];
    /* ggml's order: in each half of 128, value 32k + l from the nibble of byte l (k even) or l + 32 (k odd), low for
       k < 2, and bits 2k..2k+1 of high byte l */
    for (int h = 0; h < 2; h++) {
        const uint8_t *ql = blk + 64 * h, *qh = blk + 128 + 32 * h;
        for (int k = 0; k < 4; k++) {
            for (int l = 0; l < 32; l++) {
                uint8_t nib = ql[l + 32 * (k & 1)];
                v[128 * h + 32 * k + l] = (uint8_t) ((k < 2 ? nib & 0xF : nib >> 4)
                                                     | ((qh[l] >> (2 * k)) & 3) << 4);
            }
        }
    }
    memcpy(o + Q6R_D + 2 * r, blk + 208, 2);
    for (int j = 0; j < 16; j++) {
        o[Q6R_SCALES + 16 * j + r] = blk[192 + j];
        const uint8_t *e = v + 16 * j;
        uint32_t n0 = 0, n1 = 0, high = 0;
        for (int i = 0; i < 8; i++) {
            n0 |= (uint32_t) (e[i] & 0xF) << (8 * (i % 4) + 4 * (i / 4));
            n1 |= (uint32_t) (e[8 + i] & 0xF) << (8 * (i % 4) + 4 * (i / 4));
        }
        for (int i = 0; i < 16; i++) {
            high |= (uint32_t) (e[i] >> 4) << (8 * (i % 4) + 2 * (i / 4));
        }
        uint8_t *sb = o + Q6R_VALUES + 192 * j + 4 * r;
        memcpy(sb, &n0, 4);
        memcpy(sb + 64, &n1, 4);
        memcpy(sb + 128, &high, 4);
    }
}

/* Tokens per tile of the repacked Q6_K kernels. */
#define Q6R_TILE 8

/* The token's four bytes of values i..i+3 from the low (or high) bytes at x, to broadcast. */
static inline int32_t x_quad(const uint8_t *x, int i) {
    int32_t v;
    memcpy(&v, x + i, 4);
    return v;
}

/* The 16 rows' d·scale of sub-block j of the super-block at blk. */
T512 static inline __m512 q6_k_dsc_512(const uint8_t *blk, __m512 d, int j) {
    return _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(
            _mm_loadu_si128((const __m128i *) (blk + Q6R_SCALES + 16 * j)))));
}

/* Values 4s..4s+3 of a sub-block as bytes, a dword per row, from its low nibbles' vector nb (values 0-7 or 8-15)
   and its high bits' vector h. */
T512 static inline __m512i q6_k_quad_512(__m512i nb, __m512i h, int s) {
    const __m512i low4 = _mm512_set1_epi8(0x0F), bits45 = _mm512_set1_epi8(0x30);
    if (s % 2) nb = _mm512_srli_epi32(nb, 4);
    /* the pair of high bits to bits 4-5 of each byte */
    __m512i hb = s == 0 ? _mm512_slli_epi32(h, 4) : s == 1 ? _mm512_slli_epi32(h, 2)
               : s == 2 ? h : _mm512_srli_epi32(h, 2);
    /* 0xF8: a | (b & c) */
    return _mm512_ternarylogic_epi32(_mm512_and_si512(nb, low4), hb, bits45, 0xF8);
}

/* One group of 16 rows of repacked Q6_K against nt tokens, as q8_0_r16_512. */
T512 __attribute__((always_inline)) static inline void q6_k_r16_512(const uint8_t *w, int cols, const uint8_t *q,
        int64_t q_stride, int nt, float *out, int64_t out_stride, __mmask16 lanes) {
    const int pf = prefetch_ahead;
    __m512 acc[Q6R_TILE];
    for (int t = 0; t < nt; t++) acc[t] = _mm512_setzero_ps();
    for (int b = 0; b < cols / 256; b++) {
        const uint8_t *blk = w + (int64_t) b * Q6R_BLOCK_BYTES;
        __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (blk + Q6R_D)));
        for (int jj = 0; jj < 4; jj++) {
            __m512 g[Q6R_TILE];
            for (int t = 0; t < nt; t++) g[t] = _mm512_setzero_ps();
            for (int j = 4 * jj; j < 4 * jj + 4; j++) {
                const uint8_t *sb = blk + Q6R_VALUES + 192 * j;
                /* each line of the block: its values' 3 with them, its head's 5 with the first sub-blocks */
                if (pf) {
                    for (int l = 0; l < 3; l++) _mm_prefetch((const char *) sb + pf + 64 * l, _MM_HINT_T0);
                    if (j < 5) _mm_prefetch((const char *) blk + pf + 64 * j, _MM_HINT_T0);
                }
                __m512i n0 = _mm512_loadu_si512((const void *) sb);
                __m512i n1 = _mm512_loadu_si512((const void *) (sb + 64));
                __m512i h = _mm512_loadu_si512((const void *) (sb + 128));
                __m512i lo[Q6R_TILE], hi[Q6R_TILE];
                for (int t = 0; t < nt; t++) lo[t] = hi[t] = _mm512_setzero_si512();
                _Pragma("GCC unroll 4") for (int s = 0; s < 4; s++) {
                    __m512i v = q6_k_quad_512(s < 2 ? n0 : n1, h, s);
                    for (int t = 0; t < nt; t++) {
                        const uint8_t *xl = XL(q + t * q_stride, cols) + 256 * b + 16 * j + 4 * s;
                        lo[t] = _mm512_dpbusd_epi32(lo[t], _mm512_set1_epi32(x_quad(xl, 0)), v);
                        hi[t] = _mm512_dpbusd_epi32(hi[t], v, _mm512_set1_epi32(x_quad(xl, cols)));
                    }
                }
                __m512 dsc = q6_k_dsc_512(blk, d, j);
                for (int t = 0; t < nt; t++) {
                    __m512i s = _mm512_sub_epi32(_mm512_add_epi32(_mm512_slli_epi32(hi[t], 8), lo[t]),
                                                 _mm512_set1_epi32(S16(q + t * q_stride, cols)[16 * b + j]));
                    g[t] = sub_sum_512(g[t], _mm512_cvtepi32_ps(s), dsc);
                }
            }
            for (int t = 0; t < nt; t++) acc[t] = group_sum_512(acc[t], g[t], DX(q + t * q_stride)[8 * b + 2 * jj]);
        }
    }
    for (int t = 0; t < nt; t++) _mm512_mask_storeu_ps(out + t * out_stride, lanes, acc[t]);
}

R16_512(q6_k_r16_512, 8)
R16_512(q6_k_r16_512, 4)
R16_512(q6_k_r16_512, 1)

#if SB_AMX
/*
 * Sub-block j of a group's super-block blk as an AMX bf16 weight tile of 16 rows of 64 bytes: tile row p < 8 holds
 * each row's values 2p and 2p + 1 less 32 as bf16 (exact: |q − 32| <= 32) in its int32 column, and tile row 8 + p the
 * same again, against the tokens' 256·high of values 2p, 2p + 1 and then their low bytes (split_bf16). vpermi2b looks
 * each 6-bit value up in the low and high bytes of the bf16 codes (codes, high codes from index bit 6).
 */
AMX static inline void amx_q6_k_tile(const uint8_t *blk, int j, __m512i codes, __m512i high_codes,
        const __m512i *pick, uint8_t *tile) {
    const __m512i odd = _mm512_set1_epi16((short) 0x4000);
    const uint8_t *sb = blk + Q6R_VALUES + 192 * j;
    __m512i n0 = _mm512_loadu_si512((const void *) sb), n1 = _mm512_loadu_si512((const void *) (sb + 64));
    __m512i h = _mm512_loadu_si512((const void *) (sb + 128));
    for (int s = 0; s < 4; s++) {
        __m512i v = q6_k_quad_512(s < 2 ? n0 : n1, h, s);
        for (int p = 0; p < 2; p++) {
            __m512i row = _mm512_permutex2var_epi8(codes, _mm512_or_si512(_mm512_shuffle_epi8(v, pick[p]), odd),
                                                   high_codes);
            _mm512_store_si512(tile + 64 * (2 * s + p), row);
            _mm512_store_si512(tile + 64 * (8 + 2 * s + p), row);
        }
    }
}

/* Sub-block J of the 64 values for token tile i: tokens' pairs into tile A, products with weight tile J into C. */
#define AMX_Q6_K_SUB(A, C, J)                                                                                          \
    do {                                                                                                               \
        _tile_loadd(A, xb + (int64_t) AMX_TOKENS * i * q_stride + 64 * (4 * k + (J)), q_stride);                       \
        _tile_zero(C);                                                                                                 \
        _tile_dpbf16ps(C, A, J);                                                                                       \
    } while (0)

/* A token tile's sums of sub-block J from tile C into the float sums g of their 64 values. */
#define AMX_Q6_K_ADD(C, J)                                                                                             \
    do {                                                                                                               \
        _tile_stored(C, c, 64);                                                                                        \
        for (int t = 0; t < AMX_TOKENS; t++) g[t] = sub_sum_512(g[t], _mm512_load_ps(c[t]), dsc[J]);                   \
    } while (0)

/*
 * One group of 16 repacked Q6_K rows against ntiles tiles of AMX_TOKENS tokens (at most TOKEN_BLOCK tokens) on AMX
 * (tiles configured with AMX_BF16), in bf16: each token's value is 256·high + low, both exact in bf16, and the
 * weights' q − 32 too, so TDPBF16PS sums a sub-block's products in float with every partial sum an integer of at most
 * 16·32768·32 = 2^24: exact, the very integer q6_k_r16_512 sums, and already the float its conversion gives. The
 * floats that follow are that kernel's, in its order: the same bits as there. Each 64 values' weight tiles are made
 * once and stay in tile registers for all the tokens, whose accumulators wait in L1. C check on 2026-12-05 (512 x
 * 2048, 128 tokens, one thread): the int8 products of the low and high bytes, each tile of tokens making its own
 * weight tiles, ran at 122 GMAC/s (the vector kernel 93-104): their sums took a combine, a conversion and a stored
 * tile more per sub-block. This: 160-197.
 */
AMX static void q6_k_r16_amx(const uint8_t *w, const uint8_t *unused, int cols, int k0, int k1, const uint8_t *q,
        int64_t q_stride, int ntiles, float *out, int64_t out_stride, __mmask16 lanes) {
    (void) unused;
    _Alignas(64) uint8_t wt[4][16 * 64];
    _Alignas(64) float c[AMX_TOKENS][16], acc[TOKEN_BLOCK][16];
    _Alignas(64) uint8_t code_bytes[2][64];
    for (int v = 0; v < 64; v++) {
        float f = (float) (v - 32);
        uint32_t bits;
        memcpy(&bits, &f, 4);
        code_bytes[0][v] = (uint8_t) (bits >> 16);
        code_bytes[1][v] = (uint8_t) (bits >> 24);
    }
    const __m512i codes = _mm512_load_si512((const void *) code_bytes[0]);
    const __m512i high_codes = _mm512_load_si512((const void *) code_bytes[1]);
    /* per dword: byte 2p twice, then byte 2p + 1 twice */
    __m512i pick[2];
    for (int p = 0; p < 2; p++) {
        uint8_t idx[64];
        for (int i = 0; i < 64; i++) idx[i] = (uint8_t) ((i & 12) + 2 * p + ((i & 3) >> 1));
        pick[p] = _mm512_loadu_si512((const void *) idx);
    }
    const uint8_t *xb = XB(q, cols);
    for (int t = 0; t < AMX_TOKENS * ntiles; t++) {
        _mm512_store_ps(acc[t], amx_acc_start(out + t * out_stride, lanes, k0));
    }
    for (int k = k0 / 64; k < k1 / 64; k++) {
        const uint8_t *blk = w + (int64_t) (k / 4) * Q6R_BLOCK_BYTES;
        __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (blk + Q6R_D)));
        __m512 dsc[4];
        for (int j = 0; j < 4; j++) {
            dsc[j] = q6_k_dsc_512(blk, d, 4 * (k % 4) + j);
            amx_q6_k_tile(blk, 4 * (k % 4) + j, codes, high_codes, pick, wt[j]);
        }
        _tile_loadd(0, wt[0], 64);
        _tile_loadd(1, wt[1], 64);
        _tile_loadd(2, wt[2], 64);
        _tile_loadd(3, wt[3], 64);
        for (int i = 0; i < ntiles; i++) {
            __m512 g[AMX_TOKENS];
            for (int t = 0; t < AMX_TOKENS; t++) g[t] = _mm512_setzero_ps();
            /* a sub-block's products are made while the previous one's go into floats */
            AMX_Q6_K_SUB(4, 6, 0);
            AMX_Q6_K_SUB(5, 7, 1);
            AMX_Q6_K_ADD(6, 0);
            AMX_Q6_K_SUB(4, 6, 2);
            AMX_Q6_K_ADD(7, 1);
            AMX_Q6_K_SUB(5, 7, 3);
            AMX_Q6_K_ADD(6, 2);
            AMX_Q6_K_ADD(7, 3);
            for (int t = 0; t < AMX_TOKENS; t++) {
                int tt = AMX_TOKENS * i + t;
                _mm512_store_ps(acc[tt], group_sum_512(_mm512_load_ps(acc[tt]), g[t], DX(q + tt * q_stride)[2 * k]));
            }
        }
    }
    for (int t = 0; t < AMX_TOKENS * ntiles; t++) {
        _mm512_mask_storeu_ps(out + (int64_t) t * out_stride, lanes, _mm512_load_ps(acc[t]));
    }
}
#endif

/* The same on AVX2: each group as two halves of 8 rows; vpdpbusd is vpmaddubsw and vpmaddwd, the high bytes' pairs
   times 256 and the low ones' times 1 into one int32 sum per lane (pairs at most 2·255·63 and 2·63·128: no
   saturation), the same integer. */
AVX2 __attribute__((always_inline)) static inline void q6_k_r16_avx2(const uint8_t *w, int cols,
        const uint8_t *q, int64_t q_stride, int nt, float *out, int64_t out_stride, int lo, int hi) {
    const int pf = prefetch_ahead;
    const __m256i low4 = _mm256_set1_epi8(0x0F), bits45 = _mm256_set1_epi8(0x30);
    const __m256i one = _mm256_set1_epi16(1), w256 = _mm256_set1_epi16(256);
    for (int half = 0; half < 2; half++) {
        __m256 acc[4];
        for (int t = 0; t < nt; t++) acc[t] = _mm256_setzero_ps();
        for (int b = 0; b < cols / 256; b++) {
            const uint8_t *blk = w + (int64_t) b * Q6R_BLOCK_BYTES;
            __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (blk + Q6R_D + 16 * half)));
            for (int jj = 0; jj < 4; jj++) {
                __m256 g[4];
                for (int t = 0; t < nt; t++) g[t] = _mm256_setzero_ps();
                for (int j = 4 * jj; j < 4 * jj + 4; j++) {
                    const uint8_t *sb = blk + Q6R_VALUES + 192 * j;
                    if (pf && half == 0) { /* as the AVX-512 kernel, in the first half's pass */
                        for (int l = 0; l < 3; l++) _mm_prefetch((const char *) sb + pf + 64 * l, _MM_HINT_T0);
                        if (j < 5) _mm_prefetch((const char *) blk + pf + 64 * j, _MM_HINT_T0);
                    }
                    __m256i n[2], h = _mm256_loadu_si256((const __m256i *) (sb + 128 + 32 * half));
                    n[0] = _mm256_loadu_si256((const __m256i *) (sb + 32 * half));
                    n[1] = _mm256_loadu_si256((const __m256i *) (sb + 64 + 32 * half));
                    __m256i sum[4];
                    for (int t = 0; t < nt; t++) sum[t] = _mm256_setzero_si256();
                    _Pragma("GCC unroll 4") for (int s = 0; s < 4; s++) {
                        __m256i nb = s % 2 ? _mm256_srli_epi32(n[s / 2], 4) : n[s / 2];
                        __m256i hb = s == 0 ? _mm256_slli_epi32(h, 4) : s == 1 ? _mm256_slli_epi32(h, 2)
                                   : s == 2 ? h : _mm256_srli_epi32(h, 2);
                        __m256i v = _mm256_or_si256(_mm256_and_si256(nb, low4), _mm256_and_si256(hb, bits45));
                        for (int t = 0; t < nt; t++) {
                            const uint8_t *xl = XL(q + t * q_stride, cols) + 256 * b + 16 * j + 4 * s;
                            __m256i pl = _mm256_maddubs_epi16(_mm256_set1_epi32(x_quad(xl, 0)), v);
                            __m256i ph = _mm256_maddubs_epi16(v, _mm256_set1_epi32(x_quad(xl, cols)));
                            sum[t] = _mm256_add_epi32(sum[t], _mm256_add_epi32(_mm256_madd_epi16(ph, w256),
                                                                               _mm256_madd_epi16(pl, one)));
                        }
                    }
                    __m256 dsc = _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(
                            _mm_loadl_epi64((const __m128i *) (blk + Q6R_SCALES + 16 * j + 8 * half)))));
                    for (int t = 0; t < nt; t++) {
                        __m256i s = _mm256_sub_epi32(sum[t],
                                                     _mm256_set1_epi32(S16(q + t * q_stride, cols)[16 * b + j]));
                        g[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), dsc, g[t]);
                    }
                }
                for (int t = 0; t < nt; t++) {
                    acc[t] = _mm256_fmadd_ps(g[t], _mm256_set1_ps(DX(q + t * q_stride)[8 * b + 2 * jj]), acc[t]);
                }
            }
        }
        store_half_avx2(acc, nt, half, lo, hi, out, out_stride);
    }
}

R16_AVX2(q6_k_r16_avx2, 4)
R16_AVX2(q6_k_r16_avx2, 1)

/*
 * Attention of the g query heads that share one KV head, over n positions of a KV cache (f32, bf16 or q8, below):
 * the key and value of position p at keys + off[p] and values + off[p] (hs values each, hs a multiple of 32, widened
 * to floats as they are loaded). Query head j is q + j·hs, its output out + j·hs; scores holds g·n floats of scratch.
 * Each key and value is loaded once for up to 4 heads, and the call replaces one Java dot or axpy call per head and
 * position, whose overhead and horizontal sums cost more than their multiply-adds. The AVX-512 kernels do in 512-bit
 * vectors exactly the float operations of the AVX2 ones, in the same order: both levels give the same bits.
 */
/* Positions ahead whose key (or value) is requested while this one is computed: one thread otherwise waited on the
   cache misses of each position's few lines, which lie a slot apart (2 KB in Llama 3.2 1B). C check on 2026-12-05
   (16 layers of 8 KV heads, 4 query heads each, 1,224 positions, one thread): 1.34 times as fast with 8 ahead, 1.09
   more with 16; a head's positions stored contiguously gained nothing on top. The target attribute matters: GCC
   drops an _mm_prefetch inlined from a function without one. */
#define ATTEND_AHEAD 16

AVX2 __attribute__((always_inline)) static inline void prefetch_head(const uint8_t *p, int bytes) {
    for (int i = 0; i < bytes; i += 64) _mm_prefetch((const char *) p + i, _MM_HINT_T0);
}

/*
 * The cache's element types (the Java KvType): float32; bfloat16, a float's upper 16 bits, widened back by a shift;
 * q8, blocks of 32 int8 after their f16 scale, each value int8 x scale (exact in a float: 8 + 11 significant bits).
 * The type is a constant in each kernel built from these (attend_f32_*, ...), so no test is left in the loops.
 */
#define KV_F32 0
#define KV_BF16 1
#define KV_Q8 2
/* Bytes of a head's first e values, e a multiple of 32: whole q8 blocks, or e elements. */
#define KV_BYTES(type, e) ((type) == KV_Q8 ? (e) / 32 * 34 : (e) * ((type) == KV_BF16 ? 2 : 4))

/* 8 values of a cached head from element e (a multiple of 8). */
AVX2 __attribute__((always_inline)) static inline __m256 kv_load8(const uint8_t *head, int e, int type) {
    if (type == KV_BF16) {
        __m128i h = _mm_loadu_si128((const __m128i *) (head + 2 * e));
        return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    }
    if (type == KV_Q8) {
        const uint8_t *block = head + e / 32 * 34;
        __m128i b = _mm_loadl_epi64((const __m128i *) (block + 2 + e % 32));
        return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b)), _mm256_set1_ps(fp16_avx2(block)));
    }
    return _mm256_loadu_ps((const float *) head + e);
}

/* 16 values of a cached head from element e (a multiple of 16). */
T512 __attribute__((always_inline)) static inline __m512 kv_load16(const uint8_t *head, int e, int type) {
    if (type == KV_BF16) {
        __m256i h = _mm256_loadu_si256((const __m256i *) (head + 2 * e));
        return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    }
    if (type == KV_Q8) {
        const uint8_t *block = head + e / 32 * 34;
        __m128i b = _mm_loadu_si128((const __m128i *) (block + 2 + e % 32));
        return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(b)), _mm512_set1_ps(fp16_512(block)));
    }
    return _mm512_loadu_ps((const float *) head + e);
}

/* Position p's scaled dot products with the g heads, into scores[j·n + p]: per head two accumulators of 8 lanes (the
   values 16c..16c+7 and 16c+8..16c+15), added, then summed across (hsum_avx2). */
AVX2 __attribute__((always_inline)) static inline void score_position(const float *q, int g, int hs,
        const uint8_t *keys, const int64_t *off, int n, float scale, float *scores, int p, int type) {
    const uint8_t *k = keys + off[p];
    if (p + ATTEND_AHEAD < n) prefetch_head(keys + off[p + ATTEND_AHEAD], KV_BYTES(type, hs));
    __m256 acc[4][2];
    for (int j = 0; j < g; j++) acc[j][0] = acc[j][1] = _mm256_setzero_ps();
    for (int c = 0; c < hs; c += 16) {
        __m256 k0 = kv_load8(k, c, type), k1 = kv_load8(k, c + 8, type);
        for (int j = 0; j < g; j++) {
            acc[j][0] = _mm256_fmadd_ps(_mm256_loadu_ps(q + j * hs + c), k0, acc[j][0]);
            acc[j][1] = _mm256_fmadd_ps(_mm256_loadu_ps(q + j * hs + c + 8), k1, acc[j][1]);
        }
    }
    for (int j = 0; j < g; j++) scores[j * n + p] = hsum_avx2(_mm256_add_ps(acc[j][0], acc[j][1])) * scale;
}

AVX2 __attribute__((always_inline)) static inline void attend_scores(const float *q, int g, int hs,
        const uint8_t *keys, const int64_t *off, int n, float scale, float *scores, int type) {
    for (int p = 0; p < n; p++) score_position(q, g, hs, keys, off, n, scale, scores, p, type);
}

/*
 * The 16 sums of v[0..16), as hsum_avx2 sums each v[i]'s two 8-lane halves added (the same additions in the same
 * pairs): halves, then 128-bit quarters, then pairs of lanes, then lanes, four vectors into two at each step.
 * Lane 4L + j of the result is the sum of v[4j + L].
 */
T512 static inline __m512 sum_16_512(const __m512 *v) {
    __m512 z[8], w[4], u[2];
    for (int i = 0; i < 8; i++) {
        z[i] = _mm512_add_ps(_mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], 0x44),
                             _mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], 0xEE));
    }
    for (int i = 0; i < 4; i++) {
        w[i] = _mm512_add_ps(_mm512_shuffle_f32x4(z[2 * i], z[2 * i + 1], 0x88),
                             _mm512_shuffle_f32x4(z[2 * i], z[2 * i + 1], 0xDD));
    }
    for (int i = 0; i < 2; i++) {
        __m512d a = _mm512_castps_pd(w[2 * i]), b = _mm512_castps_pd(w[2 * i + 1]);
        u[i] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(a, b)), _mm512_castpd_ps(_mm512_unpackhi_pd(a, b)));
    }
    return _mm512_add_ps(_mm512_shuffle_ps(u[0], u[1], _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm512_shuffle_ps(u[0], u[1], _MM_SHUFFLE(3, 1, 3, 1)));
}

/* attend_scores four positions at a time: a 512-bit accumulator per head and position holds both of the AVX2
   kernel's, and sum_16_512 sums the 16 of them at once, where a horizontal sum each cost more than the products. */
T512 __attribute__((always_inline)) static inline void attend_scores_512(const float *q, int g, int hs,
        const uint8_t *keys, const int64_t *off, int n, float scale, float *scores, int type) {
    const __m512i heads_first = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    int p = 0;
    for (; p + 4 <= n; p += 4) {
        const uint8_t *k[4];
        for (int i = 0; i < 4; i++) {
            k[i] = keys + off[p + i];
            if (p + i + ATTEND_AHEAD < n) prefetch_head(keys + off[p + i + ATTEND_AHEAD], KV_BYTES(type, hs));
        }
        __m512 acc[16]; /* head j, position p + i: acc[4j + i] */
        for (int a = 0; a < 16; a++) acc[a] = _mm512_setzero_ps();
        for (int c = 0; c < hs; c += 16) {
            for (int i = 0; i < 4; i++) {
                __m512 kv = kv_load16(k[i], c, type);
                for (int j = 0; j < g; j++) {
                    acc[4 * j + i] = _mm512_fmadd_ps(_mm512_loadu_ps(q + j * hs + c), kv, acc[4 * j + i]);
                }
            }
        }
        /* lane 4i + j, then (permuted) lane 4j + i: head j's four positions side by side */
        __m512 r = _mm512_permutexvar_ps(heads_first, _mm512_mul_ps(sum_16_512(acc), _mm512_set1_ps(scale)));
        _Alignas(64) float h[16];
        _mm512_store_ps(h, r);
        for (int j = 0; j < g; j++) memcpy(scores + j * n + p, h + 4 * j, 16);
    }
    for (; p < n; p++) score_position(q, g, hs, keys, off, n, scale, scores, p, type);
}

AVX2 __attribute__((always_inline)) static inline void attend_values(const float *w, int g, int hs,
        const uint8_t *values, const int64_t *off, int n, float *out, int type) {
    for (int d = 0; d < hs; d += 32) {
        __m256 acc[4][4];
        for (int j = 0; j < g; j++) for (int c = 0; c < 4; c++) acc[j][c] = _mm256_setzero_ps();
        for (int p = 0; p < n; p++) {
            const uint8_t *v = values + off[p];
            if (p + ATTEND_AHEAD < n) {
                prefetch_head(values + off[p + ATTEND_AHEAD] + KV_BYTES(type, d), KV_BYTES(type, 32));
            }
            __m256 v0 = kv_load8(v, d, type), v1 = kv_load8(v, d + 8, type);
            __m256 v2 = kv_load8(v, d + 16, type), v3 = kv_load8(v, d + 24, type);
            for (int j = 0; j < g; j++) {
                __m256 wj = _mm256_set1_ps(w[j * n + p]);
                acc[j][0] = _mm256_fmadd_ps(wj, v0, acc[j][0]);
                acc[j][1] = _mm256_fmadd_ps(wj, v1, acc[j][1]);
                acc[j][2] = _mm256_fmadd_ps(wj, v2, acc[j][2]);
                acc[j][3] = _mm256_fmadd_ps(wj, v3, acc[j][3]);
            }
        }
        for (int j = 0; j < g; j++) for (int c = 0; c < 4; c++) _mm256_storeu_ps(out + j * hs + d + 8 * c, acc[j][c]);
    }
}

/* e^x for x <= 0, 8 at a time: Cephes' single-precision polynomial on the remainder after powers of 2 (within 2 ulp
   of expf), 0 below -88. A call to expf per score cost as much as the scores' dot products. */
AVX2 static inline __m256 exp_avx2(__m256 x) {
    x = _mm256_max_ps(x, _mm256_set1_ps(-88.0f));
    __m256 n = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)));
    x = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    x = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), x);
    __m256 y = _mm256_set1_ps(1.9875691500e-4f);
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_fmadd_ps(y, _mm256_mul_ps(x, x), _mm256_add_ps(x, _mm256_set1_ps(1)));
    /* 2^n from its exponent bits; n = -127 (x near -88) gives 0 */
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(e));
}

/* s[0..n) <- softmax(s), as the Java path: less the largest score, exponentiated, divided by their sum. The last
   n % 8 scores go through a vector padded with -inf, whose exponentials are 0. */
AVX2 static void softmax_avx2(float *s, int n) {
    int full = n / 8 * 8;
    float tail[8];
    for (int i = 0; i < 8; i++) tail[i] = full + i < n ? s[full + i] : -INFINITY;
    __m256 vmax = _mm256_loadu_ps(tail);
    for (int p = 0; p < full; p += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(s + p));
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(vmax), _mm256_extractf128_ps(vmax, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    __m256 max = _mm256_broadcastss_ps(m), sum = _mm256_setzero_ps();
    for (int p = 0; p < full; p += 8) {
        __m256 e = exp_avx2(_mm256_sub_ps(_mm256_loadu_ps(s + p), max));
        _mm256_storeu_ps(s + p, e);
        sum = _mm256_add_ps(sum, e);
    }
    __m256 et = exp_avx2(_mm256_sub_ps(_mm256_loadu_ps(tail), max));
    sum = _mm256_add_ps(sum, et);
    __m256 inv = _mm256_set1_ps(1 / hsum_avx2(sum));
    for (int p = 0; p < full; p += 8) _mm256_storeu_ps(s + p, _mm256_mul_ps(_mm256_loadu_ps(s + p), inv));
    _mm256_storeu_ps(tail, _mm256_mul_ps(et, inv));
    for (int i = 0; full + i < n; i++) s[full + i] = tail[i];
}

/* Up to 4 heads at a time, their count a constant in each call so that the accumulators stay in registers. */
#define ATTEND_HEADS(CALL) switch (gg) { case 1: CALL(1); break; case 2: CALL(2); break; case 3: CALL(3); break;       \
                                         default: CALL(4); break; }

/* One pass of up to 4 heads at a time over the keys, the softmax per head, one such pass over the values. */
#define ATTEND_BODY(SCORES_FN, VALUES_FN)                                                                              \
    for (int j0 = 0; j0 < g; j0 += 4) {                                                                                \
        int gg = g - j0 < 4 ? g - j0 : 4;                                                                              \
        ATTEND_HEADS(SCORES_FN)                                                                                        \
    }                                                                                                                  \
    for (int j = 0; j < g; j++) softmax_avx2(scores + j * n, n);                                                       \
    for (int j0 = 0; j0 < g; j0 += 4) {                                                                                \
        int gg = g - j0 < 4 ? g - j0 : 4;                                                                              \
        ATTEND_HEADS(VALUES_FN)                                                                                        \
    }
#define SCORES_AVX2(G) attend_scores(q + j0 * hs, G, hs, keys, off, n, scale, scores + j0 * n, TYPE)
#define VALUES_AVX2(G) attend_values(scores + j0 * n, G, hs, values, off, n, out + j0 * hs, TYPE)
#define SCORES_512(G) attend_scores_512(q + j0 * hs, G, hs, keys, off, n, scale, scores + j0 * n, TYPE)
#define ATTEND_KERNEL(NAME, TARGET, SCORES_FN, TYPE_VALUE)                                                             \
    TARGET static void NAME(const float *q, int g, int hs, const uint8_t *keys, const uint8_t *values,                 \
                            const int64_t *off, int n, float scale, float *scores, float *out) {                       \
        const int TYPE = TYPE_VALUE;                                                                                   \
        ATTEND_BODY(SCORES_FN, VALUES_AVX2)                                                                            \
    }
ATTEND_KERNEL(attend_f32_avx2, AVX2, SCORES_AVX2, KV_F32)
ATTEND_KERNEL(attend_f32_512, T512, SCORES_512, KV_F32)
ATTEND_KERNEL(attend_bf16_avx2, AVX2, SCORES_AVX2, KV_BF16)
ATTEND_KERNEL(attend_bf16_512, T512, SCORES_512, KV_BF16)
ATTEND_KERNEL(attend_q8_avx2, AVX2, SCORES_AVX2, KV_Q8)
ATTEND_KERNEL(attend_q8_512, T512, SCORES_512, KV_Q8)

/*
 * The entry point takes its arrays with offsets into them, not pointers to the parts: Java makes a new object for
 * each slice of a segment, and there is one call per token, layer and KV head. type: the cache's, KV_F32, KV_BF16 or
 * KV_Q8.
 */
void sb_attend(const float *q, int q_off, int g, int hs, const uint8_t *keys, const uint8_t *values, int type,
               int64_t kv_off, const int64_t *off, int from, int n, float scale, float *scores, float *out,
               int out_off) {
    if (level < 0) {
        level = sb_cpu_level();
    }
    void (*kernel)(const float *, int, int, const uint8_t *, const uint8_t *, const int64_t *, int, float, float *,
                   float *) = level >= 2 ? (type == KV_Q8 ? attend_q8_512 : type == KV_BF16 ? attend_bf16_512
                                                                                           : attend_f32_512)
                                         : (type == KV_Q8 ? attend_q8_avx2 : type == KV_BF16 ? attend_bf16_avx2
                                                                                           : attend_f32_avx2);
    kernel(q + q_off, g, hs, keys + kv_off, values + kv_off, off + from, n, scale, scores, out + out_off);
}


/* A repacked type's kernels: AVX-512 for tiles of 8 (or none), 4 and 1 tokens, AVX2 for 4 and 1. */
typedef void (*r16_512_fn)(const uint8_t *w, int cols, const uint8_t *q, int64_t q_stride, float *out,
                           int64_t out_stride, __mmask16 lanes);
typedef void (*r16_avx2_fn)(const uint8_t *w, int cols, const uint8_t *q, int64_t q_stride, float *out,
                            int64_t out_stride, int lo, int hi);
#if SB_AMX
#define AMX_ENTRY(config, bytes_per_col, weights, kernel, bytes_per_value) config, bytes_per_col, weights, kernel,     \
                                                                                  bytes_per_value
/* The Q8_0 AMX kernel, one tile of tokens at a time, over ntiles of them. */
AMX static void q8_0_r16_amx_tiles(const uint8_t *w, const uint8_t *tiles, int cols, int k0, int k1,
        const uint8_t *q, int64_t q_stride, int ntiles, float *out, int64_t out_stride, __mmask16 lanes) {
    for (int i = 0; i < ntiles; i++) {
        q8_0_r16_amx(w, tiles, cols, k0, k1, q + (int64_t) AMX_TOKENS * i * q_stride, q_stride,
                     out + (int64_t) AMX_TOKENS * i * out_stride, out_stride, lanes);
    }
}
#else
#define AMX_ENTRY(config, bytes_per_col, weights, kernel, bytes_per_value) NULL, 0, NULL, NULL, 0
#endif
/* Columns [k0, k1) of a group against ntiles tiles of AMX_TOKENS tokens, added to what the columns before k0 left in
   out (amx_acc_start); tiles: what the type's amx_weights made of those columns, if it has one. */
typedef void (*amx_fn)(const uint8_t *w, const uint8_t *tiles, int cols, int k0, int k1, const uint8_t *q,
                       int64_t q_stride, int ntiles, float *out, int64_t out_stride, __mmask16 lanes);
static const struct r16_kernels {
    int type, ggml_type;
    r16_512_fn k512[3];
    r16_avx2_fn avx2[2];
    /* AMX: the tile configuration, a group's weight tiles made once for all its tokens (bytes per column of the
       matrix, and the function that makes them; none where the kernel makes its own), the kernel */
    const struct amx_config *amx_config;
    int amx_bytes_per_col;
    void (*amx_weights)(const uint8_t *w, int k0, int k1, uint8_t *tiles);
    amx_fn amx;
    /* bytes of each token's activations per column that the AMX kernel reads */
    int amx_bytes_per_value;
} R16_KERNELS[] = {
    {TYPE_Q8_0_R16, TYPE_Q8_0, {q8_0_r16_512_8, q8_0_r16_512_4, q8_0_r16_512_1}, {q8_0_r16_avx2_4, q8_0_r16_avx2_1},
     AMX_ENTRY(&AMX_Q8_0, 512 / 32, amx_q8_0_weights, q8_0_r16_amx_tiles, 2)},
    {TYPE_Q4_K_R16, TYPE_Q4_K, {NULL, q4_k_r16_512_4, q4_k_r16_512_1}, {q4_k_r16_avx2_4, q4_k_r16_avx2_1},
     AMX_ENTRY(&AMX_BF16, 0, NULL, q4_k_r16_amx, 4)},
    {TYPE_Q6_K_R16, TYPE_Q6_K, {q6_k_r16_512_8, q6_k_r16_512_4, q6_k_r16_512_1}, {q6_k_r16_avx2_4, q6_k_r16_avx2_1},
     AMX_ENTRY(&AMX_BF16, 0, NULL, q6_k_r16_amx, 4)},
};

int64_t sb_repacked_bytes(int type, int rows, int cols);

/* Bytes of a block's activations that the AMX kernels read per pass over a matrix's groups: more columns at once are
   split into passes over fewer (the accumulators carried in the results). C check on 2026-12-05 (256 x 8192, 128
   tokens, one thread): whole rows in one pass read the bf16 pairs back from memory for each group, Q4_K at 92 GMAC/s
   and Q6_K at 85, no faster than AVX-512; in passes of 2048 columns at 150-167 and 150. */
#define AMX_PASS_BYTES (1 << 20)

/* Rows [from, to) of a repacked type against n <= TOKEN_BLOCK tokens: each group of 16 rows for every token while it
   is in cache. With amx set, the tokens go AMX_TOKENS at a time through AMX (tiles: its scratch for the group's weight
   tiles), in passes over columns of at most AMX_PASS_BYTES of activations, the rest through the vector kernels. */
static void r16_block(int avx512, int amx, const struct r16_kernels *k, const uint8_t *w, int cols, const uint8_t *q,
                      int n, float *out, int out_stride, int from, int to, uint8_t *tiles) {
    int64_t q_stride = sb_activation_bytes(1, cols), group_bytes = sb_repacked_bytes(k->ggml_type, 16, cols);
    int t0 = 0;
    if (amx && n >= AMX_TOKENS) {
        int ntiles = n / AMX_TOKENS;
        int64_t pass = (int64_t) AMX_PASS_BYTES / ((int64_t) AMX_TOKENS * ntiles * k->amx_bytes_per_value) / 256 * 256;
        if (pass < 256) pass = 256;
        for (int k0 = 0; k0 < cols; k0 += (int) pass) {
            int k1 = cols - k0 < pass ? cols : k0 + (int) pass;
            for (int g = from / 16; 16 * g < to; g++) {
                const uint8_t *wg = w + g * group_bytes;
                int lo = 16 * g < from ? from - 16 * g : 0, hi = 16 * g + 16 > to ? to - 16 * g : 16;
                __mmask16 lanes = (__mmask16) (((1u << hi) - 1) & ~((1u << lo) - 1));
                if (k->amx_weights != NULL) k->amx_weights(wg, k0, k1, tiles);
                k->amx(wg, tiles, cols, k0, k1, q, q_stride, ntiles, out + 16 * g, out_stride, lanes);
            }
        }
        t0 = ntiles * AMX_TOKENS;
    }
    for (int g = from / 16; 16 * g < to; g++) {
        const uint8_t *wg = w + g * group_bytes;
        int lo = 16 * g < from ? from - 16 * g : 0, hi = 16 * g + 16 > to ? to - 16 * g : 16;
        float *og = out + 16 * g;
        int t = t0;
#define AT(t) q + (t) * q_stride, q_stride, og + (int64_t) (t) * out_stride, out_stride
        if (avx512) {
            __mmask16 lanes = (__mmask16) (((1u << hi) - 1) & ~((1u << lo) - 1));
            if (k->k512[0] != NULL) {
                for (; t + 8 <= n; t += 8) k->k512[0](wg, cols, AT(t), lanes);
            }
            for (; t + 4 <= n; t += 4) k->k512[1](wg, cols, AT(t), lanes);
            for (; t < n; t++) k->k512[2](wg, cols, AT(t), lanes);
        } else {
            for (; t + 4 <= n; t += 4) k->avx2[0](wg, cols, AT(t), lo, hi);
            for (; t < n; t++) k->avx2[1](wg, cols, AT(t), lo, hi);
        }
#undef AT
    }
}

/* Rows [from, to) of a repacked type against n tokens, TOKEN_BLOCK tokens at a time. At level 3 batches go through
   AMX where the type has an AMX kernel. */
static void matmul_r16(int lvl, const struct r16_kernels *k, const uint8_t *w, int cols, const uint8_t *q, int n,
                       float *out, int out_stride, int from, int to) {
    int amx = lvl == 3 && k->amx != NULL && n >= AMX_TOKENS;
    /* this thread's weight tiles of one group: grown as the widest matrix asks, kept for the thread's life */
    static __thread uint8_t *tiles;
    static __thread int64_t tiles_bytes;
    if (amx && k->amx_weights != NULL) {
        if (tiles_bytes < (int64_t) k->amx_bytes_per_col * cols) {
            free(tiles);
            tiles_bytes = (int64_t) k->amx_bytes_per_col * cols;
            tiles = aligned_alloc(64, tiles_bytes);
            if (tiles == NULL) {
                tiles_bytes = 0;
                amx = 0;
            }
        }
    }
    if (amx) {
        amx_configure(k->amx_config);
    }
    int64_t q_stride = sb_activation_bytes(1, cols);
    for (int t = 0; t < n; t += TOKEN_BLOCK) {
        r16_block(lvl >= 2, amx, k, w, cols, q + t * q_stride, n - t < TOKEN_BLOCK ? n - t : TOKEN_BLOCK,
                  out + (int64_t) t * out_stride, out_stride, from, to, tiles);
    }
    if (amx) {
        amx_release();
    }
}

/* Uses the kernels of at most `max_level` (and of what the CPU runs): tests run the AVX2 kernels on an AVX-512
   machine this way. Returns the level now in use. */
int sb_use_level(int max_level) {
    int cpu = sb_cpu_level();
    level = max_level < cpu ? max_level : cpu;
    return level;
}

/* The types sb_repack copies: the ggml type, the copy's type id, a ggml block's values and bytes, a repacked block's
   bytes (16 rows' blocks), and what writes one row's part of a repacked block from that row's ggml block. */
static const struct repacking {
    int ggml_type, type, block_values, ggml_block_bytes, block_bytes;
    void (*row)(const uint8_t *blk, int r, uint8_t *o);
} REPACKINGS[] = {
    {TYPE_Q8_0, TYPE_Q8_0_R16, 32, 34, R16_BLOCK_BYTES, repack_q8_0_row},
    {TYPE_Q4_K, TYPE_Q4_K_R16, 256, 144, Q4R_BLOCK_BYTES, repack_q4_k_row},
    {TYPE_Q6_K, TYPE_Q6_K_R16, 256, 210, Q6R_BLOCK_BYTES, repack_q6_k_row},
};

static const struct repacking *repacking(int ggml_type) {
    for (size_t i = 0; i < sizeof REPACKINGS / sizeof REPACKINGS[0]; i++) {
        if (REPACKINGS[i].ggml_type == ggml_type) return &REPACKINGS[i];
    }
    return NULL;
}

/* Bytes of the copy sb_repack makes of `rows` rows (whole groups of 16) of `cols` values of ggml type `type`;
   0 for a type it does not repack. */
int64_t sb_repacked_bytes(int type, int rows, int cols) {
    const struct repacking *k = repacking(type);
    return k ? (int64_t) rows / 16 * (cols / k->block_values) * k->block_bytes : 0;
}

/* Copies `rows` rows (whole groups of 16) of ggml type `type` into the layout its one-row-per-lane kernels read,
   group after group, each group's blocks in column order; returns that layout's type id (TYPE_*_R16), or -1 for a
   type without one. */
int sb_repack(int type, const uint8_t *w, int64_t row_bytes, int rows, int cols, uint8_t *out) {
    const struct repacking *k = repacking(type);
    if (!k) {
        return -1;
    }
    int blocks = cols / k->block_values;
    for (int g = 0; g < rows / 16; g++) {
        for (int b = 0; b < blocks; b++) {
            uint8_t *o = out + ((int64_t) g * blocks + b) * k->block_bytes;
            for (int r = 0; r < 16; r++) {
                k->row(w + (int64_t) (16 * g + r) * row_bytes + (int64_t) b * k->ggml_block_bytes, r, o);
            }
        }
    }
    return k->type;
}

/*
 * out[t * out_stride + r] = row r of w · token t of the quantized activations q, for rows [from, to) and tokens
 * [0, n). type is the ggml type id (8 Q8_0, 12 Q4_K, 14 Q6_K), or the type sb_repack returned for its copy
 * (row_bytes unused; rows from and to need not be multiples of 16: a group's other rows are computed, not written).
 * Returns -1 for another type or a CPU without AVX2.
 */
int sb_matmul(int type, const uint8_t *w, int64_t row_bytes, int cols, const uint8_t *q, int n, float *out,
              int out_stride, int from, int to) {
    if (level < 0) {
        level = sb_cpu_level();
    }
    if (prefetch_ahead < 0) {
        sb_prefetch(-1);
    }
    for (size_t i = 0; i < sizeof R16_KERNELS / sizeof R16_KERNELS[0]; i++) {
        if (type == R16_KERNELS[i].type) {
            if (level == 0) {
                return -1;
            }
            matmul_r16(level, &R16_KERNELS[i], w, cols, q, n, out, out_stride, from, to);
            return 0;
        }
    }
    if (type != TYPE_Q8_0 && type != TYPE_Q4_K && type != TYPE_Q6_K) {
        return -1;
    }
    if (level >= 2) {
        matmul_512(type, w, row_bytes, cols, q, n, out, out_stride, from, to);
    } else if (level == 1) {
        matmul_avx2(type, w, row_bytes, cols, q, n, out, out_stride, from, to);
    } else {
        return -1;
    }
    return 0;
}
