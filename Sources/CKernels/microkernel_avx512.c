/* AVX-512F microkernel: 6 x 32 tile in 12 zmm accumulators, masked stores for partial tiles.
 * Compiled for AVX-512F by function attribute only; callers check swk_isa_supported. */
#if defined(__x86_64__) || defined(__i386__)
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
    finish_row(c, c00, c01, 0, nr, accumulate, ep, NULL);
    if (mr > 1) finish_row(c + ldc, c10, c11, 1, nr, accumulate, ep, NULL);
    if (mr > 2) finish_row(c + 2 * ldc, c20, c21, 2, nr, accumulate, ep, NULL);
    if (mr > 3) finish_row(c + 3 * ldc, c30, c31, 3, nr, accumulate, ep, NULL);
    if (mr > 4) finish_row(c + 4 * ldc, c40, c41, 4, nr, accumulate, ep, NULL);
    if (mr > 5) finish_row(c + 5 * ldc, c50, c51, 5, nr, accumulate, ep, NULL);
}

#define VNNI __attribute__((target("avx512f,avx512vnni,avx2,fma,f16c")))

/* Integer microkernel with AVX-512 VNNI: vpdpbusd multiplies four u8 activations by four s8 weights and
 * adds them into an s32 lane without intermediate saturation, so activations use all 255 levels. */
/* The 8 x 32 integer tile's accumulators, as named registers (an array indexed in the epilogue would
 * make the compiler store it on every iteration). */
#define VNNI_TILE_DECLARE                                                                  \
    __m512i c00 = _mm512_setzero_si512(), c01 = _mm512_setzero_si512();                    \
    __m512i c10 = _mm512_setzero_si512(), c11 = _mm512_setzero_si512();                    \
    __m512i c20 = _mm512_setzero_si512(), c21 = _mm512_setzero_si512();                    \
    __m512i c30 = _mm512_setzero_si512(), c31 = _mm512_setzero_si512();                    \
    __m512i c40 = _mm512_setzero_si512(), c41 = _mm512_setzero_si512();                    \
    __m512i c50 = _mm512_setzero_si512(), c51 = _mm512_setzero_si512();                    \
    __m512i c60 = _mm512_setzero_si512(), c61 = _mm512_setzero_si512();                    \
    __m512i c70 = _mm512_setzero_si512(), c71 = _mm512_setzero_si512()

#define VNNI_ROW(r, x0, x1)                                                                \
    ar = _mm512_set1_epi32(w[r]);                                                          \
    x0 = _mm512_dpbusd_epi32(x0, b0, ar);                                                  \
    x1 = _mm512_dpbusd_epi32(x1, b1, ar)

/* One reduction quad: two B vectors, a broadcast weight word per row. */
#define VNNI_QUAD_STEP(a)                                                                  \
    do {                                                                                   \
        const int32_t *w = (const int32_t *)(a);                                           \
        __m512i ar;                                                                        \
        VNNI_ROW(0, c00, c01); VNNI_ROW(1, c10, c11); VNNI_ROW(2, c20, c21);               \
        VNNI_ROW(3, c30, c31); VNNI_ROW(4, c40, c41); VNNI_ROW(5, c50, c51);               \
        VNNI_ROW(6, c60, c61); VNNI_ROW(7, c70, c71);                                      \
    } while (0)

#define VNNI_TILE_SUMS                                                                     \
    const __m512i acc[SWK_QMR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31},       \
                                     {c40, c41}, {c50, c51}, {c60, c61}, {c70, c71}}

/* Integer microkernel with AVX-512 VNNI (8 x 32 tile, 16 accumulators): vpdpbusd multiplies four u8
 * activations by four s8 weights and adds them into an s32 lane without intermediate saturation, so
 * activations use all 255 levels. */
VNNI static void qkernel_vnni(int kq, const void *a, const uint8_t *b, float *c, long ldc, int mr, int nr,
                              int accumulate, const swk_epilogue *ep, const float *wscale, float xscale) {
    VNNI_TILE_DECLARE;
    for (int q = 0; q < kq; q++) {
        const __m512i b0 = _mm512_load_si512(b), b1 = _mm512_load_si512(b + 64);
        VNNI_QUAD_STEP(a);
        a = (const int8_t *)a + SWK_QMR * 4;
        b += AVX512_NR * 4;
    }
    VNNI_TILE_SUMS;
    __m512 top = _mm512_set1_ps(-INFINITY);
    __m512 *tracked = ep && ep->max ? &top : NULL;
    for (int r = 0; r < mr; r++) {
        const __m512 s = _mm512_set1_ps(wscale[r] * xscale);
        finish_row(c + r * ldc, _mm512_mul_ps(_mm512_cvtepi32_ps(acc[r][0]), s),
                   _mm512_mul_ps(_mm512_cvtepi32_ps(acc[r][1]), s), r, nr, accumulate, ep, tracked);
    }
    if (tracked) {
        const float m = _mm512_reduce_max_ps(top);
        if (m > *ep->max) *ep->max = m;
    }
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

/* The direct microkernel (see swk_qkernel_direct_fn): the VNNI tile of qkernel_vnni over B rows read in
 * place, unaligned, tap by tap and quad by quad. */
VNNI static void qkernel_vnni_direct(int taps, int quads, const long *tap_offsets, long plane, const int8_t *a,
                                     const uint32_t *b, float *c, long ldc, int mr, uint32_t valid,
                                     const swk_epilogue *ep, const float *wscale, float xscale) {
    VNNI_TILE_DECLARE;
    for (int t = 0; t < taps; t++) {
        const uint32_t *bp = b + tap_offsets[t];
        for (int q = 0; q < quads; q++, bp += plane) {
            const __m512i b0 = _mm512_loadu_si512(bp), b1 = _mm512_loadu_si512(bp + 16);
            VNNI_QUAD_STEP(a);
            a += SWK_QMR * 4;
        }
    }
    VNNI_TILE_SUMS;
    const __mmask16 m0 = (__mmask16)(valid & 0xFFFFu), m1 = (__mmask16)(valid >> 16);
    __m512 top = _mm512_set1_ps(-INFINITY);
    __m512 *tracked = ep->max ? &top : NULL;
    for (int r = 0; r < mr; r++) {
        const __m512 s = _mm512_set1_ps(wscale[r] * xscale);
        float *row = c + r * ldc;
        const __m512 v0 = _mm512_mul_ps(_mm512_cvtepi32_ps(acc[r][0]), s);
        const __m512 v1 = _mm512_mul_ps(_mm512_cvtepi32_ps(acc[r][1]), s);
        if (valid == 0xFFFFFFFFu) {
            finish_row(row, v0, v1, r, AVX512_NR, 0, ep, tracked);
        } else {
            const int first = finish_compressed(row, v0, r, 0, m0, ep, tracked);
            finish_compressed(row, v1, r, first, m1, ep, tracked);
        }
    }
    if (tracked) {
        const float m = _mm512_reduce_max_ps(top);
        if (m > *ep->max) *ep->max = m;
    }
}

#define QUANT_NAME quantize_row_avx512
#define QUANT_TARGET AVX512
#define QUANT_WIDTH 16
typedef __m512 qvec_t;
typedef __m512i qint_t;
#define QADD(a, b) _mm512_add_ps((a), (b))
#define QMUL(a, b) _mm512_mul_ps((a), (b))
#define QSET1(x) _mm512_set1_ps(x)
#define QCVT(v) _mm512_cvtps_epi32(v)
#define QCLAMP(v, lo, hi) _mm512_min_ps(_mm512_max_ps((v), _mm512_set1_ps(lo)), _mm512_set1_ps(hi))
#define QOR_SHIFT(acc, i, bits) _mm512_or_si512((acc), _mm512_slli_epi32((i), (bits)))
#define QSTOREU(p, i) _mm512_storeu_si512((void *)(p), (i))
#define QSTOREN(p, i, n) _mm512_mask_storeu_epi32((void *)(p), (__mmask16)((1u << (n)) - 1), (i))
#define QZEROF() _mm512_setzero_ps()
#define QLOADU(p) _mm512_loadu_ps(p)
#define QLOADN(p, n) _mm512_maskz_loadu_ps((__mmask16)((1u << (n)) - 1), (p))
#include "quantize_vector.h"

#define PACK_QUADS_NAME pack_quads_avx512
#define PACK_QUADS_TARGET VNNI
#define PACK_QUADS_NR AVX512_NR
#include "pack_quads.h"

const swk_int8_kernel_set swk_vnni_int8_kernels = {
    "avx512-vnni", AVX512_NR, quantize_row_avx512, pack_quads_avx512, qkernel_vnni, qkernel_vnni_direct, NULL, NULL,
};

/* The direct float microkernel (swk_direct_fn): up to 12 x 32 outputs, two 6-row weight panels (`a` and
 * `a + k * SWK_MR`, k = channels * taps) against B rows read in place, masked to `loadable`, channel by
 * channel and tap by tap; 24 accumulators, so each B row loaded serves 12 rows. */
#define DIRECT_ROW(r, x0, x1, src)                                                         \
    ar = _mm512_set1_ps((src)[r]);                                                         \
    x0 = _mm512_fmadd_ps(ar, b0, x0);                                                      \
    x1 = _mm512_fmadd_ps(ar, b1, x1)

AVX512 static void direct_avx512(int channels, int kernel_h, int kernel_w, long plane, long wp, const float *a,
                                 const float *b, float *c, long ldc, int mr, uint32_t valid, uint32_t loadable,
                                 const swk_epilogue *ep) {
    __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps(), c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
    __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps(), c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
    __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps(), c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
    __m512 c60 = _mm512_setzero_ps(), c61 = _mm512_setzero_ps(), c70 = _mm512_setzero_ps(), c71 = _mm512_setzero_ps();
    __m512 c80 = _mm512_setzero_ps(), c81 = _mm512_setzero_ps(), c90 = _mm512_setzero_ps(), c91 = _mm512_setzero_ps();
    __m512 ca0 = _mm512_setzero_ps(), ca1 = _mm512_setzero_ps(), cb0 = _mm512_setzero_ps(), cb1 = _mm512_setzero_ps();
    const __mmask16 l0 = (__mmask16)(loadable & 0xFFFFu), l1 = (__mmask16)(loadable >> 16);
    const long k = (long)channels * kernel_h * kernel_w;
    const float *a2 = a + k * SWK_MR;
    /* The loop nest over the reduction, channel by channel and tap by tap, around one step. */
#define DIRECT_LOOP(step)                                                                          \
    for (int ch = 0; ch < channels; ch++) {                                                        \
        for (int i = 0; i < kernel_h; i++) {                                                       \
            const float *row = b + ch * plane + i * wp;                                            \
            for (int j = 0; j < kernel_w; j++) {                                                   \
                const __m512 b0 = _mm512_maskz_loadu_ps(l0, row + j), b1 = _mm512_maskz_loadu_ps(l1, row + j + 16); \
                __m512 ar;                                                                         \
                step                                                                               \
            }                                                                                      \
        }                                                                                          \
    }
    if (mr > SWK_MR) {
        DIRECT_LOOP(DIRECT_ROW(0, c00, c01, a); DIRECT_ROW(1, c10, c11, a); DIRECT_ROW(2, c20, c21, a);
                    DIRECT_ROW(3, c30, c31, a); DIRECT_ROW(4, c40, c41, a); DIRECT_ROW(5, c50, c51, a);
                    DIRECT_ROW(0, c60, c61, a2); DIRECT_ROW(1, c70, c71, a2); DIRECT_ROW(2, c80, c81, a2);
                    DIRECT_ROW(3, c90, c91, a2); DIRECT_ROW(4, ca0, ca1, a2); DIRECT_ROW(5, cb0, cb1, a2);
                    a += SWK_MR; a2 += SWK_MR;)
    } else {
        DIRECT_LOOP(DIRECT_ROW(0, c00, c01, a); DIRECT_ROW(1, c10, c11, a); DIRECT_ROW(2, c20, c21, a);
                    DIRECT_ROW(3, c30, c31, a); DIRECT_ROW(4, c40, c41, a); DIRECT_ROW(5, c50, c51, a);
                    a += SWK_MR;)
    }
#undef DIRECT_LOOP
    const __m512 acc[2 * SWK_MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51},
                                       {c60, c61}, {c70, c71}, {c80, c81}, {c90, c91}, {ca0, ca1}, {cb0, cb1}};
    const __mmask16 m0 = (__mmask16)(valid & 0xFFFFu), m1 = (__mmask16)(valid >> 16);
    for (int r = 0; r < mr; r++) {
        float *out = c + r * ldc;
        if (valid == 0xFFFFFFFFu) {
            finish_row(out, acc[r][0], acc[r][1], r, AVX512_NR, 0, ep, NULL);
        } else {
            const int first = finish_compressed(out, acc[r][0], r, 0, m0, ep, NULL);
            finish_compressed(out, acc[r][1], r, first, m1, ep, NULL);
        }
    }
}

const swk_kernel_set swk_avx512_kernels = {AVX512_NR, kernel_avx512, swk_widen_avx2, swk_pack_columns_avx512, swk_narrow_avx2, direct_avx512};
#endif
