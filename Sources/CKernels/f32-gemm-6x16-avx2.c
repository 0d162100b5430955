/* f32 GEMM microkernel, 6 x 16 tile, AVX2 + FMA (12 ymm accumulators); F16C/AVX2 weight widening and the
 * narrow (few-column) kernel. Compiled for those instructions by function attribute only; callers check
 * swk_isa_supported. */
#if defined(__x86_64__) || defined(__i386__)
#include "avx2_tile.h"

/* kernel_avx2 for a panel whose real columns all lie in its first eight (nr <= 8): one vector per row. */
AVX2 static void kernel_avx2_narrow(int kc, const float *a, const float *b, float *c, long ldc, int mr, int nr,
                                    int accumulate, const swk_epilogue *ep) {
    __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
    for (int k = 0; k < kc; k++) {
        const __m256 b0 = _mm256_load_ps(b);
        c0 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 0), b0, c0);
        c1 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 1), b0, c1);
        c2 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 2), b0, c2);
        c3 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 3), b0, c3);
        c4 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 4), b0, c4);
        c5 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 5), b0, c5);
        a += SWK_MR;
        b += AVX2_NR;
    }
    const __m256 z = _mm256_setzero_ps();
    const __m256 acc[SWK_MR][2] = {{c0, z}, {c1, z}, {c2, z}, {c3, z}, {c4, z}, {c5, z}};
    finish_tile((const __m256 (*)[2])acc, SWK_MR, c, ldc, mr, nr, accumulate, ep);
}

/* kernel_avx2 for a panel with one or two real columns (49 = 3 x 16 + 1 at 7 x 7): the matrix-vector loop of the
 * classifier (swk_narrow_avx2, rows in lanes) over the packed panel's first columns, one multiply-add per column and
 * k where a column vector costs six. */
AVX2 static void kernel_avx2_columns(int kc, const float *a, const float *b, float *c, long ldc, int mr, int nr,
                                     int accumulate, const swk_epilogue *ep) {
    float sums[SWK_MR][SWK_NARROW] = {{0}};
    swk_narrow_avx2(kc, a, b, AVX2_NR, nr, sums);
    __m256 acc[SWK_MR][2];
    for (int r = 0; r < SWK_MR; r++) {
        acc[r][0] = _mm256_setr_ps(sums[r][0], sums[r][1], 0, 0, 0, 0, 0, 0);
        acc[r][1] = _mm256_setzero_ps();
    }
    finish_tile((const __m256 (*)[2])acc, SWK_MR, c, ldc, mr, nr, accumulate, ep);
}

AVX2 static void kernel_avx2(int kc, const float *a, const float *b, float *c, long ldc, int mr, int nr,
                             int accumulate, const swk_epilogue *ep) {
    if (nr <= 2) {
        kernel_avx2_columns(kc, a, b, c, ldc, mr, nr, accumulate, ep);
        return;
    }
    if (nr <= 8) {
        /* A panel's last few columns (49 = 3 x 16 + 1 at 7 x 7): half the work of a full tile. */
        kernel_avx2_narrow(kc, a, b, c, ldc, mr, nr, accumulate, ep);
        return;
    }
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

const swk_kernel_set swk_avx2_kernels = {
    .nr = AVX2_NR, .kernel = kernel_avx2, .widen = swk_widen_avx2, .pack = swk_pack_columns_avx2,
    .narrow = swk_narrow_avx2, .direct = NULL,
};
#endif
