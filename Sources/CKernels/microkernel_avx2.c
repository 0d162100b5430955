/* AVX2 + FMA microkernel (6 x 16 tile: 12 ymm accumulators) and F16C/AVX2 weight widening; the 256-bit
 * integer microkernels (AVX2's vpmaddwd, AVX-VNNI's vpdpbusd).
 * Compiled for those instructions by function attribute only; callers check swk_isa_supported. */
#if defined(__x86_64__) || defined(__i386__)
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
    finish_tile((const __m256 (*)[2])acc, SWK_MR, c, ldc, mr, nr, accumulate, ep);
}

AVX2 void swk_widen_avx2(const void *src, float *dst, size_t n, swk_weight_type type) {
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

/* Six weights per k in lanes 0-5 (masked loads never read past the panel); four k at a time into
 * independent sums so the FMA latency does not serialise the loop. */
AVX2 void swk_narrow_avx2(int kc, const float *a, const float *x, long ldx, int cols,
                             float acc[SWK_MR][SWK_NARROW]) {
    const __m256i six = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0);
    for (int c = 0; c < cols; c++) {
        __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
        const float *xc = x + c;
        int k = 0;
        for (; k + 4 <= kc; k += 4) {
            s0 = _mm256_fmadd_ps(_mm256_maskload_ps(a + k * SWK_MR, six), _mm256_broadcast_ss(xc + (size_t)k * ldx), s0);
            s1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + (k + 1) * SWK_MR, six),
                                 _mm256_broadcast_ss(xc + (size_t)(k + 1) * ldx), s1);
            s2 = _mm256_fmadd_ps(_mm256_maskload_ps(a + (k + 2) * SWK_MR, six),
                                 _mm256_broadcast_ss(xc + (size_t)(k + 2) * ldx), s2);
            s3 = _mm256_fmadd_ps(_mm256_maskload_ps(a + (k + 3) * SWK_MR, six),
                                 _mm256_broadcast_ss(xc + (size_t)(k + 3) * ldx), s3);
        }
        for (; k < kc; k++) {
            s0 = _mm256_fmadd_ps(_mm256_maskload_ps(a + k * SWK_MR, six), _mm256_broadcast_ss(xc + (size_t)k * ldx), s0);
        }
        float lanes[8];
        _mm256_storeu_ps(lanes, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
        for (int r = 0; r < SWK_MR; r++) acc[r][c] += lanes[r];
    }
}

/* MARK: integer microkernels, 8 x 16 tiles in two passes of four rows (eight int32 accumulators each). */

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

/* The loop of one four-row pass: declares the accumulators, runs the arguments after `b_step` once per
 * reduction quad (they read the pass's weights at `ap` and its columns at `bp`), advancing `ap` by `a_step`
 * and `bp` by `b_step` bytes, then finishes the rows. */
#define QUAD_PASS(a, a_step, b_step, ...)                                                            \
    for (int half = 0; half * 4 < mr; half++) {                                                      \
        __m256i s00 = _mm256_setzero_si256(), s01 = _mm256_setzero_si256();                          \
        __m256i s10 = _mm256_setzero_si256(), s11 = _mm256_setzero_si256();                          \
        __m256i s20 = _mm256_setzero_si256(), s21 = _mm256_setzero_si256();                          \
        __m256i s30 = _mm256_setzero_si256(), s31 = _mm256_setzero_si256();                          \
        const uint8_t *ap = (const uint8_t *)(a) + half * ((a_step) / 2);                            \
        const uint8_t *bp = b;                                                                       \
        for (int q = 0; q < kq; q++) {                                                               \
            __VA_ARGS__                                                                              \
            ap += (a_step);                                                                          \
            bp += (b_step);                                                                          \
        }                                                                                            \
        const __m256i sums[4][2] = {{s00, s01}, {s10, s11}, {s20, s21}, {s30, s31}};                 \
        finish_quad_half(sums, half, c, ldc, mr, nr, accumulate, ep, wscale, xscale);                \
    }

/* AVX2 without VNNI: vpmaddwd on int16 operands, so every product and pair sum is exact for all 255
 * activation levels and every int8 weight (vpmaddubsw's int16 pair sums would saturate: 255 x 127 x 2 >
 * 32767). Each column's quad splits into its even bytes (x0, x2) and odd bytes (x1, x3) as int16 pairs (an
 * and and a shift, shared by four rows); the weight panel comes widened (widen_panel_avx2: per row the
 * int16 pairs (w0, w2), (w1, w3)). One vpmaddwd does 16 multiply-adds, as vpmaddubsw + vpmaddwd did, but
 * each needs its own add: about a third more vector operations than the saturating form (Zen 3: 4.21 against
 * 2.76 ns per 256 multiply-adds, Benchmarks/int8_inner_loops.c). */
#define AVX2_QROW(r, x0, x1)                                                                         \
    we = _mm256_set1_epi32(w[2 * (r)]);                                                              \
    wo = _mm256_set1_epi32(w[2 * (r) + 1]);                                                          \
    x0 = _mm256_add_epi32(x0, _mm256_madd_epi16(e0, we));                                            \
    x1 = _mm256_add_epi32(x1, _mm256_madd_epi16(e1, we));                                            \
    x0 = _mm256_add_epi32(x0, _mm256_madd_epi16(o0, wo));                                            \
    x1 = _mm256_add_epi32(x1, _mm256_madd_epi16(o1, wo))

AVX2 static void qkernel_avx2(int kq, const void *a, const uint8_t *b, float *c, long ldc, int mr, int nr,
                              int accumulate, const swk_epilogue *ep, const float *wscale, float xscale) {
    const __m256i low = _mm256_set1_epi32(0x00FF00FF);
    QUAD_PASS(a, SWK_QMR * 4 * 2, AVX2_NR * 4, {
        const __m256i b0 = _mm256_load_si256((const __m256i *)bp);
        const __m256i b1 = _mm256_load_si256((const __m256i *)(bp + 32));
        const __m256i e0 = _mm256_and_si256(b0, low), o0 = _mm256_srli_epi16(b0, 8);
        const __m256i e1 = _mm256_and_si256(b1, low), o1 = _mm256_srli_epi16(b1, 8);
        const int32_t *w = (const int32_t *)ap;
        __m256i we, wo;
        AVX2_QROW(0, s00, s01);
        AVX2_QROW(1, s10, s11);
        AVX2_QROW(2, s20, s21);
        AVX2_QROW(3, s30, s31);
    })
}
#undef AVX2_QROW

/* A four-row pass over tap quads as they are: two column vectors and a broadcast weight word per row, each
 * row's two accumulators updated by STEP(accumulator, columns, weights). */
#define TAP_QUAD_PASS(STEP)                                                                          \
    QUAD_PASS(a, SWK_QMR * 4, AVX2_NR * 4, {                                                         \
        const __m256i b0 = _mm256_load_si256((const __m256i *)bp);                                   \
        const __m256i b1 = _mm256_load_si256((const __m256i *)(bp + 32));                            \
        const int32_t *ws = (const int32_t *)ap;                                                     \
        __m256i w;                                                                                   \
        w = _mm256_set1_epi32(ws[0]); STEP(s00, b0, w); STEP(s01, b1, w);                            \
        w = _mm256_set1_epi32(ws[1]); STEP(s10, b0, w); STEP(s11, b1, w);                            \
        w = _mm256_set1_epi32(ws[2]); STEP(s20, b0, w); STEP(s21, b1, w);                            \
        w = _mm256_set1_epi32(ws[3]); STEP(s30, b0, w); STEP(s31, b1, w);                            \
    })

/* 7-bit activations (levels <= 127): vpmaddubsw's int16 pair sums cannot saturate (127 x 128 x 2 < 32768),
 * so the saturating form is exact: vpmaddubsw + vpmaddwd with ones, three operations per 32 multiply-adds. */
#define MADDUBS_STEP(x, b, w) x = _mm256_add_epi32(x, _mm256_madd_epi16(_mm256_maddubs_epi16(b, w), ones))

AVX2 static void qkernel_avx2_7bit(int kq, const void *a, const uint8_t *b, float *c, long ldc, int mr, int nr,
                                   int accumulate, const swk_epilogue *ep, const float *wscale, float xscale) {
    const __m256i ones = _mm256_set1_epi16(1);
    TAP_QUAD_PASS(MADDUBS_STEP)
}
#undef MADDUBS_STEP

/* Tap quads [w0 w1 w2 w3] of one panel to qkernel_avx2's form: per quad and row, the int16 pairs
 * (w0, w2) and (w1, w3), sign-extended. One quad of eight rows is one vector in and two out. */
AVX2 static void widen_panel_avx2(int kq, const int8_t *a, void *dst) {
    __m256i *out = dst;
    for (int q = 0; q < kq; q++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(a + (size_t)q * SWK_QMR * 4));
        const __m256i even = _mm256_srai_epi16(_mm256_slli_epi16(v, 8), 8);
        const __m256i odd = _mm256_srai_epi16(v, 8);
        const __m256i lo = _mm256_unpacklo_epi32(even, odd), hi = _mm256_unpackhi_epi32(even, odd);
        _mm256_store_si256(out++, _mm256_permute2x128_si256(lo, hi, 0x20));
        _mm256_store_si256(out++, _mm256_permute2x128_si256(lo, hi, 0x31));
    }
}

/* AVX-VNNI (VEX vpdpbusd, 256 bits): four u8 x s8 products added into an int32 lane without intermediate
 * saturation, reading tap quads as they are. */
#define AVX_VNNI __attribute__((target("avxvnni,avx2,fma,f16c")))
#define DPBUSD_STEP(x, b, w) x = _mm256_dpbusd_avx_epi32(x, b, w)

AVX_VNNI static void qkernel_avx_vnni(int kq, const void *a, const uint8_t *b, float *c, long ldc, int mr, int nr,
                                      int accumulate, const swk_epilogue *ep, const float *wscale, float xscale) {
    TAP_QUAD_PASS(DPBUSD_STEP)
}
#undef DPBUSD_STEP
#undef TAP_QUAD_PASS
#undef QUAD_PASS

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

const swk_int8_kernel_set swk_avx2_int8_kernels = {
    "avx2", AVX2_NR, quantize_row_avx2, pack_quads_avx2, qkernel_avx2, NULL, widen_panel_avx2, qkernel_avx2_7bit,
};
const swk_int8_kernel_set swk_avx_vnni_int8_kernels = {
    "avx-vnni", AVX2_NR, quantize_row_avx2, pack_quads_avx2, qkernel_avx_vnni, NULL, NULL, NULL,
};

const swk_kernel_set swk_avx2_kernels = {AVX2_NR, kernel_avx2, swk_widen_avx2, swk_pack_columns_avx2, swk_narrow_avx2, NULL};
#endif
