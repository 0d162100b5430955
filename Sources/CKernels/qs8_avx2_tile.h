/* The 8 x 16 integer tile of the 256-bit integer microkernels (AVX2's vpmaddubsw and vpmaddwd, AVX-VNNI's vpdpbusd): the
 * finish of four rows, the four-row pass loops, the row quantizer and the column-quad packer at 16 columns.
 * Included by qs8-gemm-8x16-avx2.c and qs8-gemm-8x16-avxvnni.c. */
#ifndef SWK_QS8_AVX2_TILE_H
#define SWK_QS8_AVX2_TILE_H
#include "avx2_tile.h"

/* Finishes four rows (`half` 0: rows 0-3, 1: rows 4-7) of an 8 x 16 integer tile: int32 sums to float
 * times wscale[r] * xscale, then the epilogue of those rows. */
AVX2 static inline void finish_quad_half(const __m256i (*sums)[2], int half, float *c, long ldc, int mr, int nr,
                                         int accumulate, const swk_epilogue *ep, const float *wscale, float xscale) {
    const int rows = mr - half * 4 < 4 ? mr - half * 4 : 4;
    __m256 acc[4][2];
    for (int r = 0; r < 4; r++) {
        const __m256 s = _mm256_set1_ps(r < rows ? wscale[half * 4 + r] * xscale : 0.0f);
        acc[r][0] = _mm256_mul_ps(_mm256_cvtepi32_ps(sums[r][0]), s);
        acc[r][1] = _mm256_mul_ps(_mm256_cvtepi32_ps(sums[r][1]), s);
    }
    swk_epilogue shifted;
    const swk_epilogue *e = ep;
    if (ep) {
        shifted = *ep;
        shifted.post_bias = ep->post_bias ? ep->post_bias + half * 4 : NULL;
        shifted.scale = ep->scale ? ep->scale + half * 4 : NULL;
        shifted.pre_bias = ep->pre_bias ? ep->pre_bias + half * 4 : NULL;
        shifted.residual = ep->residual ? ep->residual + half * 4 * ep->ldr : NULL;
        e = &shifted;
    }
    finish_tile((const __m256 (*)[2])acc, 4, c + half * 4 * ldc, ldc, rows, nr, accumulate, e);
}

/* The reduction loop every pass shares: runs the arguments after `b_step` once per reduction quad, with the pass's
 * weights at `ap` (from `a0`) and its columns at `bp` (from `b`), advancing them by `a_step` and `b_step` bytes. */
#define QUAD_LOOP(a0, a_step, b_step, ...)                                                           \
    {                                                                                                \
        const uint8_t *ap = (const uint8_t *)(a0);                                                   \
        const uint8_t *bp = b;                                                                       \
        for (int q = 0; q < kq; q++) {                                                               \
            __VA_ARGS__                                                                              \
            ap += (a_step);                                                                          \
            bp += (b_step);                                                                          \
        }                                                                                            \
    }

/* One four-row pass per half of the tile: declares the accumulators (s00-s31), runs QUAD_LOOP over the half's
 * weights, then finishes the rows. */
#define QUAD_PASS(a, a_step, b_step, ...)                                                            \
    for (int half = 0; half * 4 < mr; half++) {                                                      \
        __m256i s00 = _mm256_setzero_si256(), s01 = _mm256_setzero_si256();                          \
        __m256i s10 = _mm256_setzero_si256(), s11 = _mm256_setzero_si256();                          \
        __m256i s20 = _mm256_setzero_si256(), s21 = _mm256_setzero_si256();                          \
        __m256i s30 = _mm256_setzero_si256(), s31 = _mm256_setzero_si256();                          \
        QUAD_LOOP((const uint8_t *)(a) + half * ((a_step) / 2), a_step, b_step, __VA_ARGS__)         \
        const __m256i sums[4][2] = {{s00, s01}, {s10, s11}, {s20, s21}, {s30, s31}};                 \
        finish_quad_half(sums, half, c, ldc, mr, nr, accumulate, ep, wscale, xscale);                \
    }

/* A panel whose real columns all lie in its first eight (nr <= 8): one column vector, all eight rows in one pass
 * (accumulators s0-s7) over QUAD_LOOP; each row's second vector finishes as zeros, past nr. */
#define QUAD_PASS_NARROW(a, a_step, b_step, ...)                                                     \
    {                                                                                                \
        __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0; \
        QUAD_LOOP(a, a_step, b_step, __VA_ARGS__)                                                    \
        const __m256i z = _mm256_setzero_si256();                                                    \
        const __m256i halves[2][4][2] = {{{s0, z}, {s1, z}, {s2, z}, {s3, z}}, {{s4, z}, {s5, z}, {s6, z}, {s7, z}}}; \
        for (int half = 0; half * 4 < mr; half++) {                                                  \
            finish_quad_half(halves[half], half, c, ldc, mr, nr, accumulate, ep, wscale, xscale);    \
        }                                                                                            \
    }

/* One quad of a four-row pass over tap-quad words: row r's word ws[r] broadcast against the column vectors b0 and
 * b1, its two accumulators updated by STEP(accumulator, columns, weights). */
#define TAP_QUAD_ROWS(STEP, ws)                                                                      \
    {                                                                                                \
        __m256i w;                                                                                   \
        w = _mm256_set1_epi32((ws)[0]); STEP(s00, b0, w); STEP(s01, b1, w);                          \
        w = _mm256_set1_epi32((ws)[1]); STEP(s10, b0, w); STEP(s11, b1, w);                          \
        w = _mm256_set1_epi32((ws)[2]); STEP(s20, b0, w); STEP(s21, b1, w);                          \
        w = _mm256_set1_epi32((ws)[3]); STEP(s30, b0, w); STEP(s31, b1, w);                          \
    }

/* One quad of a one-vector pass over tap-quad words: rows 0-3's words at lo, rows 4-7's at hi, broadcast against
 * the column vector b0, accumulators s0-s7 updated by STEP. */
#define TAP_QUAD_ROWS_NARROW(STEP, lo, hi)                                                           \
    {                                                                                                \
        STEP(s0, b0, _mm256_set1_epi32((lo)[0])); STEP(s1, b0, _mm256_set1_epi32((lo)[1]));          \
        STEP(s2, b0, _mm256_set1_epi32((lo)[2])); STEP(s3, b0, _mm256_set1_epi32((lo)[3]));          \
        STEP(s4, b0, _mm256_set1_epi32((hi)[0])); STEP(s5, b0, _mm256_set1_epi32((hi)[1]));          \
        STEP(s6, b0, _mm256_set1_epi32((hi)[2])); STEP(s7, b0, _mm256_set1_epi32((hi)[3]));          \
    }

/* A four-row pass over tap quads as they are: two column vectors and a broadcast weight word per row. */
#define TAP_QUAD_PASS(STEP)                                                                          \
    QUAD_PASS(a, SWK_QMR * 4, AVX2_NR * 4, {                                                         \
        const __m256i b0 = _mm256_load_si256((const __m256i *)bp);                                   \
        const __m256i b1 = _mm256_load_si256((const __m256i *)(bp + 32));                            \
        TAP_QUAD_ROWS(STEP, (const int32_t *)ap)                                                     \
    })

#define QUANT_NAME quantize_row_avx2
#define QUANT_TARGET AVX2
#define QUANT_WIDTH 8
typedef __m256 qvec_t;
typedef __m256i qint_t;
#define QADD(a, b) _mm256_add_ps((a), (b))
#define QMUL(a, b) _mm256_mul_ps((a), (b))
#define QSET1(x) _mm256_set1_ps(x)
#define QCVT(v) _mm256_cvtps_epi32(v)
#define QCLAMP(v, lo, hi) _mm256_min_ps(_mm256_max_ps((v), _mm256_set1_ps(lo)), _mm256_set1_ps(hi))
#define QOR_SHIFT(acc, i, bits) _mm256_or_si256((acc), _mm256_slli_epi32((i), (bits)))
#define QLANES(n) _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define QSTOREU(p, i) _mm256_storeu_si256((__m256i *)(p), (i))
#define QSTOREN(p, i, n) _mm256_maskstore_epi32((int *)(p), QLANES(n), (i))
#define QZEROF() _mm256_setzero_ps()
#define QLOADU(p) _mm256_loadu_ps(p)
#define QLOADN(p, n) _mm256_maskload_ps((p), QLANES(n))
#include "quantize_vector.h"

#define PACK_QUADS_NAME pack_quads_avx2
#define PACK_QUADS_TARGET AVX2
#define PACK_QUADS_NR AVX2_NR
#include "pack_quads.h"

#endif
