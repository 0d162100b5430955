/* Integer (u8 x s8) GEMM microkernel, 8 x 32 tile, AVX-512 VNNI (vpdpbusd, 16 accumulators), and its
 * direct form. Compiled for AVX-512 VNNI by function attribute only; callers check swk_isa_supported. */
#if defined(__x86_64__) || defined(__i386__)
#include "avx512_tile.h"

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
VNNI static void qkernel_vnni(int kq, const void *a, const uint8_t *b, const uint8_t *high, float *c, long ldc,
                              int mr, int nr, int accumulate, const swk_epilogue *ep, const float *wscale, float xscale) {
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
    .name = "avx512-vnni", .nr = AVX512_NR, .quantize_row = quantize_row_avx512, .pack = pack_quads_avx512,
    .kernel = qkernel_vnni, .direct = qkernel_vnni_direct, .widen = NULL,
};
#endif
