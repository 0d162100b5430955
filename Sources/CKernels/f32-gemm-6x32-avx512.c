/* f32 GEMM microkernel, 6 x 32 tile, AVX-512F (12 zmm accumulators, masked stores for partial tiles), and
 * the direct float microkernel (12 x 32). Compiled for AVX-512F by function attribute only; callers check
 * swk_isa_supported. */
#if defined(__x86_64__) || defined(__i386__)
#include "avx512_tile.h"

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

const swk_kernel_set swk_avx512_kernels = {
    .nr = AVX512_NR, .kernel = kernel_avx512, .widen = swk_widen_avx2, .pack = swk_pack_columns_avx512,
    .narrow = swk_narrow_avx2, .direct = direct_avx512,
};
#endif
