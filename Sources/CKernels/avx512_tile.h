/* The AVX-512F tile helpers the AVX-512 float and VNNI integer microkernels share: the vector epilogue on
 * 16 lanes, the store of one 32-column row, the compressed store of the direct kernels. Included by
 * f32-gemm-6x32-avx512.c and qs8-gemm-8x32-avx512vnni.c. */
#ifndef SWK_AVX512_TILE_H
#define SWK_AVX512_TILE_H
#include <immintrin.h>
#include <math.h>
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

/* Finishes one row of the tile: accumulate, epilogue, masked store of `nr` columns; `top` (nullable)
 * is raised to the stored values. */
AVX512 static inline void finish_row(float *row, __m512 v0, __m512 v1, int r, int nr, int accumulate,
                                     const swk_epilogue *ep, __m512 *top) {
    const __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
    const __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1) : 0;
    if (accumulate) {
        v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, row));
        v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, row + 16));
    }
    if (ep) {
        v0 = epilogue16(v0, ep, r, 0, m0);
        v1 = epilogue16(v1, ep, r, 16, m1);
        /* max(new, old): a NaN lane keeps the old value, as the separate pass ignores NaN. */
        if (top) *top = _mm512_max_ps(_mm512_max_ps(_mm512_mask_mov_ps(*top, m0, v0), _mm512_mask_mov_ps(*top, m1, v1)), *top);
    }
    _mm512_mask_storeu_ps(row, m0, v0);
    _mm512_mask_storeu_ps(row + 16, m1, v1);
}

/* Stores the lanes of `v` that `valid` marks, consecutively from column `column` of row r, after the
 * epilogue (on those lanes only; residual read consecutively too). Returns how many it stored. */
AVX512 static inline int finish_compressed(float *row, __m512 v, int r, long column, __mmask16 valid,
                                         const swk_epilogue *ep, __m512 *top) {
    const int count = __builtin_popcount((unsigned)valid);
    const __mmask16 lanes = (__mmask16)((1u << count) - 1);
    v = epilogue16(_mm512_maskz_compress_ps(valid, v), ep, r, column, lanes);
    _mm512_mask_storeu_ps(row + column, lanes, v);
    if (top) *top = _mm512_max_ps(_mm512_mask_mov_ps(*top, lanes, v), *top);
    return count;
}

#endif
