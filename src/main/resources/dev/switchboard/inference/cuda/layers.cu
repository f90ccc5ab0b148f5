// The transformer's other stages: RMSNorm, RoPE with the KV-cache write, paged attention, SwiGLU, argmax.
//
// Batch metadata (one int array copied to the device once per step): per entry its token, position, and the
// offset of its sequence's block table in `blocks`. Position p of an entry lives in physical block
// blocks[table_start + p / block_size] at slot p % block_size; a KV-cache layer holds
// (num_blocks + 1) * block_size slots of kv_dim values (the extra block takes the writes of graph padding entries).

// out[i] = x[rows ? rows[i] : i] * rsqrt(mean(x^2) + eps) * w; one block per output row.
extern "C" __global__ void rmsnorm(const float* x, float* out, const float* w, int dim, float eps, const int* rows) {
    int i = blockIdx.x;
    const float* in = x + (long) (rows ? rows[i] : i) * dim;
    float ss = 0.0f;
    for (int c = threadIdx.x; c < dim; c += blockDim.x) {
        ss += in[c] * in[c];
    }
    ss = block_sum(ss);
    float scale = rsqrtf(ss / dim + eps);
    for (int c = threadIdx.x; c < dim; c += blockDim.x) {
        out[(long) i * dim + c] = in[c] * scale * w[c];
    }
}

template <typename KV> __device__ __forceinline__ float kv_load(const KV* p);
template <> __device__ __forceinline__ float kv_load<float>(const float* p) { return *p; }
template <> __device__ __forceinline__ float kv_load<bf16_t>(const bf16_t* p) { return bf16_to_f(*p); }
__device__ __forceinline__ void kv_store(float* p, float v) { *p = v; }
__device__ __forceinline__ void kv_store(bf16_t* p, float v) { *p = f_to_bf16(v); }

__device__ __forceinline__ long kv_slot(const int* blocks, int table_start, int pos, int block_size) {
    return (long) blocks[table_start + pos / block_size] * block_size + pos % block_size;
}

// Rotates the adjacent pairs (2j, 2j+1) of every Q and K head of entry i in place (llama.cpp "normal" RoPE, angle
// position * freqs[j], in double so long contexts keep their precision), then stores K and V into the cache.
// qkv rows are [q (heads*hs) | k (kv_heads*hs) | v (kv_heads*hs)]; one block per entry.
template <typename KV>
__device__ __forceinline__ void rope_store(float* qkv, int qkv_stride, const int* meta, int n, const int* blocks,
                                           const double* freqs, int heads, int kv_heads, int hs, int block_size,
                                           KV* k_cache, KV* v_cache) {
    int i = blockIdx.x;
    int pos = meta[n + i];
    int half = hs / 2;
    int kv_dim = kv_heads * hs;
    long slot = kv_slot(blocks, meta[2 * n + i], pos, block_size);
    float* row = qkv + (long) i * qkv_stride;
    for (int idx = threadIdx.x; idx < (heads + kv_heads) * half; idx += blockDim.x) {
        int h = idx / half, j = idx % half;
        float* p = row + h * hs + 2 * j;   // K heads follow the Q heads directly
        double s, c;
        sincos((double) pos * freqs[j], &s, &c);
        float cs = (float) c, sn = (float) s;
        float a0 = p[0], a1 = p[1];
        float r0 = a0 * cs - a1 * sn, r1 = a0 * sn + a1 * cs;
        p[0] = r0;
        p[1] = r1;
        if (h >= heads) {
            KV* k = k_cache + slot * kv_dim + (h - heads) * hs + 2 * j;
            kv_store(k, r0);
            kv_store(k + 1, r1);
        }
    }
    const float* v = row + (heads + kv_heads) * hs;
    for (int c = threadIdx.x; c < kv_dim; c += blockDim.x) {
        kv_store(v_cache + slot * kv_dim + c, v[c]);
    }
}

#define ATTN_WARPS 4

// Causal attention of one query head of one entry over positions 0..pos of its sequence, read through the block
// table. Each warp takes every ATTN_WARPS-th position with an online softmax; lane l holds head dimensions
// l, l+32, ... (NJ of them); the warps' partial results are merged at the end. Grid (heads, entries).
// Dynamic shared memory: (ATTN_WARPS * (hs + 2)) floats.
template <typename KV, int NJ>
__device__ __forceinline__ void attention(const float* qkv, int qkv_stride, const int* meta, int n, const int* blocks,
                                          const KV* k_cache, const KV* v_cache, float* out, int heads, int kv_heads,
                                          int hs, int block_size, float scale) {
    extern __shared__ float smem[];
    int head = blockIdx.x, i = blockIdx.y;
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    int pos = meta[n + i], table_start = meta[2 * n + i];
    int kv_dim = kv_heads * hs;
    int kvh = head / (heads / kv_heads);
    const float* q = qkv + (long) i * qkv_stride + head * hs;
    float qr[NJ], acc[NJ];
#pragma unroll
    for (int j = 0; j < NJ; j++) {
        int d = lane + 32 * j;
        qr[j] = d < hs ? q[d] * scale : 0.0f;
        acc[j] = 0.0f;
    }
    float m = -3.402823466e38f, l = 0.0f;
    for (int p = warp; p <= pos; p += ATTN_WARPS) {
        long base = kv_slot(blocks, table_start, p, block_size) * kv_dim + kvh * hs;
        float s = 0.0f;
#pragma unroll
        for (int j = 0; j < NJ; j++) {
            int d = lane + 32 * j;
            if (d < hs) {
                s += qr[j] * kv_load(k_cache + base + d);
            }
        }
        s = warp_sum(s);
        float m_new = fmaxf(m, s);
        float corr = expf(m - m_new);
        float e = expf(s - m_new);
        l = l * corr + e;
#pragma unroll
        for (int j = 0; j < NJ; j++) {
            int d = lane + 32 * j;
            acc[j] = acc[j] * corr + (d < hs ? e * kv_load(v_cache + base + d) : 0.0f);
        }
        m = m_new;
    }
    float* wm = smem;                       // [ATTN_WARPS] maxima
    float* wl = smem + ATTN_WARPS;          // [ATTN_WARPS] sums
    float* wacc = smem + 2 * ATTN_WARPS;    // [ATTN_WARPS][hs]
    if (lane == 0) {
        wm[warp] = m;
        wl[warp] = l;
    }
#pragma unroll
    for (int j = 0; j < NJ; j++) {
        int d = lane + 32 * j;
        if (d < hs) {
            wacc[warp * hs + d] = acc[j];
        }
    }
    __syncthreads();
    for (int d = threadIdx.x; d < hs; d += blockDim.x) {
        float mx = wm[0];
        for (int w = 1; w < ATTN_WARPS; w++) {
            mx = fmaxf(mx, wm[w]);
        }
        float num = 0.0f, den = 0.0f;
        for (int w = 0; w < ATTN_WARPS; w++) {
            float f = expf(wm[w] - mx);     // a warp that saw no position has l = 0 and contributes nothing
            num += wacc[w * hs + d] * f;
            den += wl[w] * f;
        }
        out[(long) i * heads * hs + head * hs + d] = num / den;
    }
}

#define KV_KERNELS(NAME, KV)                                                                                         \
    extern "C" __global__ void rope_store_##NAME(float* qkv, int qkv_stride, const int* meta, int n,                \
                                                 const int* blocks, const double* freqs, int heads, int kv_heads,    \
                                                 int hs, int block_size, KV* k_cache, KV* v_cache) {                 \
        rope_store<KV>(qkv, qkv_stride, meta, n, blocks, freqs, heads, kv_heads, hs, block_size, k_cache, v_cache); \
    }                                                                                                                \
    ATTN_KERNEL(NAME, KV, 1) ATTN_KERNEL(NAME, KV, 2) ATTN_KERNEL(NAME, KV, 4) ATTN_KERNEL(NAME, KV, 8)

#define ATTN_KERNEL(NAME, KV, NJ)                                                                                    \
    extern "C" __global__ void __launch_bounds__(ATTN_WARPS * 32)                                                    \
    attention_##NAME##_##NJ(const float* qkv, int qkv_stride, const int* meta, int n, const int* blocks,            \
                            const KV* k_cache, const KV* v_cache, float* out, int heads, int kv_heads, int hs,      \
                            int block_size, float scale) {                                                           \
        attention<KV, NJ>(qkv, qkv_stride, meta, n, blocks, k_cache, v_cache, out, heads, kv_heads, hs, block_size,  \
                          scale);                                                                                    \
    }

KV_KERNELS(f32, float)
KV_KERNELS(bf16, bf16_t)

// out[i * ffn + j] = silu(gate) * up, with gu rows [gate (ffn) | up (ffn)].
extern "C" __global__ void swiglu(const float* gu, float* out, int ffn, int n) {
    long total = (long) n * ffn;
    for (long k = blockIdx.x * (long) blockDim.x + threadIdx.x; k < total; k += (long) gridDim.x * blockDim.x) {
        long i = k / ffn, j = k % ffn;
        float g = gu[i * 2 * ffn + j];
        out[k] = g / (1.0f + expf(-g)) * gu[i * 2 * ffn + ffn + j];
    }
}

// Reduces each thread's (value, index) candidate to the block's best — the largest value, the lowest index among
// equals — which thread 0 holds afterwards. best_v/best_i: shared scratch of one slot per warp.
__device__ __forceinline__ void block_argmax(float& bv, int& bi, float* best_v, int* best_i) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        float ov = __shfl_xor_sync(0xffffffffu, bv, o);
        int oi = __shfl_xor_sync(0xffffffffu, bi, o);
        if (ov > bv || (ov == bv && oi < bi)) {
            bv = ov;
            bi = oi;
        }
    }
    if ((threadIdx.x & 31) == 0) {
        best_v[threadIdx.x >> 5] = bv;
        best_i[threadIdx.x >> 5] = bi;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        for (int w = 1; w < (int) (blockDim.x >> 5); w++) {
            if (best_v[w] > bv || (best_v[w] == bv && best_i[w] < bi)) {
                bv = best_v[w];
                bi = best_i[w];
            }
        }
    }
}

// out[r] = the index of the largest logit of row r (the lowest index among equal maxima); one block per row.
extern "C" __global__ void argmax(const float* logits, int vocab, int* out) {
    __shared__ float best_v[32];
    __shared__ int best_i[32];
    const float* row = logits + (long) blockIdx.x * vocab;
    float bv = -3.402823466e38f;
    int bi = 0x7fffffff;
    for (int c = threadIdx.x; c < vocab; c += blockDim.x) {
        float v = row[c];
        if (v > bv) {                       // c increases per thread, so the first maximum is kept
            bv = v;
            bi = c;
        }
    }
    block_argmax(bv, bi, best_v, best_i);
    if (threadIdx.x == 0) {
        out[blockIdx.x] = bi;
    }
}

#define SAMPLE_MAX_K 64

// One token per row drawn from the top_k logits at temperature t (softmax over the k), or the argmax when t <= 0 or
// top_k == 1. The k best are found by k passes, each taking the next in (value descending, index ascending) order, so
// ties keep the CPU's order. The uniform draw depends only on (seed, counter, row). One block per row.
extern "C" __global__ void sample_topk(const float* logits, int vocab, int* out, float temperature, int top_k,
                                       unsigned long long seed, unsigned long long counter) {
    __shared__ float sel_v[SAMPLE_MAX_K];
    __shared__ int sel_i[SAMPLE_MAX_K];
    __shared__ float best_v[32];
    __shared__ int best_i[32];
    const float* row = logits + (long) blockIdx.x * vocab;
    int k = temperature > 0.0f ? min(max(top_k, 1), SAMPLE_MAX_K) : 1;
    float prev_v = 3.402823466e38f;
    int prev_i = -1;
    for (int r = 0; r < k; r++) {
        float bv = -3.402823466e38f;
        int bi = 0x7fffffff;
        for (int c = threadIdx.x; c < vocab; c += blockDim.x) {
            float v = row[c];
            bool after = v < prev_v || (v == prev_v && c > prev_i);   // strictly later in the order than the last pick
            if (after && (v > bv || (v == bv && c < bi))) {
                bv = v;
                bi = c;
            }
        }
        block_argmax(bv, bi, best_v, best_i);
        if (threadIdx.x == 0) {
            sel_v[r] = bv;
            sel_i[r] = bi;
        }
        __syncthreads();
        prev_v = sel_v[r];
        prev_i = sel_i[r];
    }
    if (threadIdx.x == 0) {
        int pick = sel_i[0];
        if (k > 1) {
            float total = 0.0f;
            for (int r = 0; r < k; r++) {
                total += expf((sel_v[r] - sel_v[0]) / temperature);
            }
            float u = uniform01(seed, counter * 65536ull + blockIdx.x) * total;
            for (int r = 0; r < k; r++) {
                u -= expf((sel_v[r] - sel_v[0]) / temperature);
                pick = sel_i[r];
                if (u < 0.0f) {
                    break;
                }
            }
        }
        out[blockIdx.x] = pick;
    }
}
