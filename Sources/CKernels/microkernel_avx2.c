/* AVX2 + FMA microkernel (6 x 16 tile: 12 ymm accumulators) and F16C/AVX2 weight widening.
 * Compiled for those instructions by function attribute only; callers check swk_isa_supported. */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "internal.h"

#define AVX2 __attribute__((target("avx2,fma,f16c")))
#define AVX2_NR 16

/* The epilogue on 8 values of row r (vector order of operations equals swk_epilogue_scalar). */
AVX2 static inline __m256 epilogue8(__m256 v, const swk_epilogue *ep, int r, long column) {
    if (ep->pre_bias) v = _mm256_add_ps(v, _mm256_broadcast_ss(ep->pre_bias + r));
    if (ep->scale) v = _mm256_mul_ps(v, _mm256_broadcast_ss(ep->scale + r));
    if (ep->post_bias) v = _mm256_add_ps(v, _mm256_broadcast_ss(ep->post_bias + r));
    if (ep->residual) v = _mm256_add_ps(v, _mm256_loadu_ps(ep->residual + r * ep->ldr + column));
    if (ep->relu) v = _mm256_max_ps(v, _mm256_setzero_ps());
    return v;
}

AVX2 static void kernel_avx2(int kc, const float *a, const float *b, float *c, long ldc, int mr, int nr,
                             int accumulate, const swk_epilogue *ep) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    for (int k = 0; k < kc; k++) {
        const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        __m256 ar;
        ar = _mm256_broadcast_ss(a + 0); c00 = _mm256_fmadd_ps(ar, b0, c00); c01 = _mm256_fmadd_ps(ar, b1, c01);
        ar = _mm256_broadcast_ss(a + 1); c10 = _mm256_fmadd_ps(ar, b0, c10); c11 = _mm256_fmadd_ps(ar, b1, c11);
        ar = _mm256_broadcast_ss(a + 2); c20 = _mm256_fmadd_ps(ar, b0, c20); c21 = _mm256_fmadd_ps(ar, b1, c21);
        ar = _mm256_broadcast_ss(a + 3); c30 = _mm256_fmadd_ps(ar, b0, c30); c31 = _mm256_fmadd_ps(ar, b1, c31);
        ar = _mm256_broadcast_ss(a + 4); c40 = _mm256_fmadd_ps(ar, b0, c40); c41 = _mm256_fmadd_ps(ar, b1, c41);
        ar = _mm256_broadcast_ss(a + 5); c50 = _mm256_fmadd_ps(ar, b0, c50); c51 = _mm256_fmadd_ps(ar, b1, c51);
        a += SWK_MR;
        b += AVX2_NR;
    }
    const __m256 acc[SWK_MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    if (mr == SWK_MR && nr == AVX2_NR) {
        for (int r = 0; r < SWK_MR; r++) {
            float *row = c + r * ldc;
            __m256 v0 = acc[r][0], v1 = acc[r][1];
            if (accumulate) {
                v0 = _mm256_add_ps(v0, _mm256_loadu_ps(row));
                v1 = _mm256_add_ps(v1, _mm256_loadu_ps(row + 8));
            }
            if (ep) {
                v0 = epilogue8(v0, ep, r, 0);
                v1 = epilogue8(v1, ep, r, 8);
            }
            _mm256_storeu_ps(row, v0);
            _mm256_storeu_ps(row + 8, v1);
        }
        return;
    }
    float tile[SWK_MR][AVX2_NR];
    for (int r = 0; r < SWK_MR; r++) {
        _mm256_storeu_ps(tile[r], acc[r][0]);
        _mm256_storeu_ps(tile[r] + 8, acc[r][1]);
    }
    for (int r = 0; r < mr; r++) {
        float *row = c + r * ldc;
        for (int j = 0; j < nr; j++) {
            float v = tile[r][j];
            if (accumulate) v = v + row[j];
            if (ep) v = swk_epilogue_scalar(v, ep, r, j);
            row[j] = v;
        }
    }
}

AVX2 static void widen_avx2(const void *src, float *dst, size_t n, swk_weight_type type) {
    size_t i = 0;
    if (type == SWK_WEIGHTS_I8) {
        const int8_t *s = src;
        for (; i + 8 <= n; i += 8) {
            __m128i bytes = _mm_loadl_epi64((const __m128i *)(s + i));
            _mm256_storeu_ps(dst + i, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes)));
        }
        for (; i < n; i++) dst[i] = (float)s[i];
    } else {
        const uint16_t *s = src;
        for (; i + 8 <= n; i += 8) {
            _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(s + i))));
        }
        for (; i < n; i++) dst[i] = swk_half_to_float(s[i]);
    }
}

const swk_kernel_set swk_avx2_kernels = {AVX2_NR, kernel_avx2, widen_avx2, swk_pack_columns_avx2};
#endif
