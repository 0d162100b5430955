/* The AVX2 + FMA tile helpers the AVX2 float and integer microkernels share: the vector epilogue and the
 * store of a 16-column tile. Included by f32-gemm-6x16-avx2.c, qs8-gemm-8x16-avx2.c and qs8-gemm-8x16-avxvnni.c. */
#ifndef SWK_AVX2_TILE_H
#define SWK_AVX2_TILE_H
#include <immintrin.h>
#include <math.h>
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

/* Stores a `height` x 16 tile (height <= SWK_QMR) of which mr rows are real: add the tile's contents
 * (accumulate), the epilogue (ep), whole vectors when the tile is full, element by element otherwise. */
AVX2 static inline void finish_tile(const __m256 (*acc)[2], int height, float *c, long ldc, int mr, int nr,
                                    int accumulate, const swk_epilogue *ep) {
    if (mr == height && nr == AVX2_NR) {
        __m256 top = _mm256_set1_ps(-INFINITY);
        for (int r = 0; r < height; r++) {
            float *row = c + r * ldc;
            __m256 v0 = acc[r][0], v1 = acc[r][1];
            if (accumulate) {
                v0 = _mm256_add_ps(v0, _mm256_loadu_ps(row));
                v1 = _mm256_add_ps(v1, _mm256_loadu_ps(row + 8));
            }
            if (ep) {
                v0 = epilogue8(v0, ep, r, 0);
                v1 = epilogue8(v1, ep, r, 8);
                top = _mm256_max_ps(_mm256_max_ps(v0, v1), top);
            }
            _mm256_storeu_ps(row, v0);
            _mm256_storeu_ps(row + 8, v1);
        }
        if (ep && ep->max) {
            float lanes[8];
            _mm256_storeu_ps(lanes, top);
            for (int i = 0; i < 8; i++) *ep->max = lanes[i] > *ep->max ? lanes[i] : *ep->max;
        }
        return;
    }
    float tile[SWK_QMR][AVX2_NR];
    for (int r = 0; r < mr; r++) {
        _mm256_storeu_ps(tile[r], acc[r][0]);
        _mm256_storeu_ps(tile[r] + 8, acc[r][1]);
    }
    for (int r = 0; r < mr; r++) {
        float *row = c + r * ldc;
        for (int j = 0; j < nr; j++) {
            float v = tile[r][j];
            if (accumulate) v = v + row[j];
            if (ep) v = swk_epilogue_scalar(v, ep, r, j);
            if (ep && ep->max && v > *ep->max) *ep->max = v;
            row[j] = v;
        }
    }
}

#endif
