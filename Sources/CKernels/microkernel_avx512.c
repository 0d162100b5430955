/* AVX-512F microkernel: 6 x 32 tile in 12 zmm accumulators, masked stores for partial tiles.
 * Compiled for AVX-512F by function attribute only; callers check swk_isa_supported. */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "internal.h"

#define AVX512 __attribute__((target("avx512f,avx2,fma,f16c")))
#define AVX512_NR 32

/* The epilogue on 16 values of row r (same order of operations as swk_epilogue_scalar). */
AVX512 static inline __m512 epilogue16(__m512 v, const swk_epilogue *ep, int r, long column, __mmask16 mask) {
    if (ep->pre_bias) v = _mm512_add_ps(v, _mm512_set1_ps(ep->pre_bias[r]));
    if (ep->scale) v = _mm512_mul_ps(v, _mm512_set1_ps(ep->scale[r]));
    if (ep->post_bias) v = _mm512_add_ps(v, _mm512_set1_ps(ep->post_bias[r]));
    if (ep->residual) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, ep->residual + r * ep->ldr + column));
    if (ep->relu) v = _mm512_max_ps(v, _mm512_setzero_ps());
    return v;
}

/* Finishes one row of the tile: accumulate, epilogue, masked store of `nr` columns. */
AVX512 static inline void finish_row(float *row, __m512 v0, __m512 v1, int r, int nr, int accumulate,
                                     const swk_epilogue *ep) {
    const __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
    const __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1) : 0;
    if (accumulate) {
        v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, row));
        v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, row + 16));
    }
    if (ep) {
        v0 = epilogue16(v0, ep, r, 0, m0);
        v1 = epilogue16(v1, ep, r, 16, m1);
    }
    _mm512_mask_storeu_ps(row, m0, v0);
    _mm512_mask_storeu_ps(row + 16, m1, v1);
}

AVX512 static void kernel_avx512(int kc, const float *a, const float *b, float *c, long ldc, int mr, int nr,
                                 int accumulate, const swk_epilogue *ep) {
    __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
    __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
    __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
    __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
    __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
    __m512 c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
    for (int k = 0; k < kc; k++) {
        const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
        __m512 ar;
        ar = _mm512_set1_ps(a[0]); c00 = _mm512_fmadd_ps(ar, b0, c00); c01 = _mm512_fmadd_ps(ar, b1, c01);
        ar = _mm512_set1_ps(a[1]); c10 = _mm512_fmadd_ps(ar, b0, c10); c11 = _mm512_fmadd_ps(ar, b1, c11);
        ar = _mm512_set1_ps(a[2]); c20 = _mm512_fmadd_ps(ar, b0, c20); c21 = _mm512_fmadd_ps(ar, b1, c21);
        ar = _mm512_set1_ps(a[3]); c30 = _mm512_fmadd_ps(ar, b0, c30); c31 = _mm512_fmadd_ps(ar, b1, c31);
        ar = _mm512_set1_ps(a[4]); c40 = _mm512_fmadd_ps(ar, b0, c40); c41 = _mm512_fmadd_ps(ar, b1, c41);
        ar = _mm512_set1_ps(a[5]); c50 = _mm512_fmadd_ps(ar, b0, c50); c51 = _mm512_fmadd_ps(ar, b1, c51);
        a += SWK_MR;
        b += AVX512_NR;
    }
    finish_row(c, c00, c01, 0, nr, accumulate, ep);
    if (mr > 1) finish_row(c + ldc, c10, c11, 1, nr, accumulate, ep);
    if (mr > 2) finish_row(c + 2 * ldc, c20, c21, 2, nr, accumulate, ep);
    if (mr > 3) finish_row(c + 3 * ldc, c30, c31, 3, nr, accumulate, ep);
    if (mr > 4) finish_row(c + 4 * ldc, c40, c41, 4, nr, accumulate, ep);
    if (mr > 5) finish_row(c + 5 * ldc, c50, c51, 5, nr, accumulate, ep);
}

const swk_kernel_set swk_avx512_kernels = {AVX512_NR, kernel_avx512, NULL, swk_pack_columns_avx512};
#endif
