#include "internal.h"

#ifdef SWSL_TRANSFORM_HAVE_AVX2

#include <immintrin.h>
#include <math.h>

#define SWSL_AVX2 __attribute__((target("avx2,fma,f16c")))

/* Largest lane of a vector of non-negative floats (no NaN: callers drop them). */
SWSL_AVX2 static inline float hmax(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}

SWSL_AVX2 static inline double hsum(__m256d v) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

/* |x| without the sign bit; max_ps(a, acc) returns acc when a is NaN, so NaN never becomes the peak. */
SWSL_AVX2 static inline __m256 abs_ps(__m256 x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }

/* Eight floats times k in double, rounded once to float: (float)((double)x * k). */
SWSL_AVX2 static inline __m256 fold8(const swsl_f32u *src, __m256d k) {
    __m128 lo = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps((const float *)src)), k));
    __m128 hi = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps((const float *)(src + 4))), k));
    return _mm256_set_m128(hi, lo);
}

SWSL_AVX2 float swsl_fold_peak_avx2(const swsl_f32u *src, size_t n, double k, float *dst) {
    const __m256d kk = _mm256_set1_pd(k);
    __m256 p0 = _mm256_setzero_ps(), p1 = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 16 <= n; j += 16) {
        __m256 a = fold8(src + j, kk), b = fold8(src + j + 8, kk);
        _mm256_storeu_ps(dst + j, a);
        _mm256_storeu_ps(dst + j + 8, b);
        p0 = _mm256_max_ps(abs_ps(a), p0);
        p1 = _mm256_max_ps(abs_ps(b), p1);
    }
    float peak = hmax(_mm256_max_ps(p0, p1));
    for (; j < n; j++) {
        float v = (float)((double)src[j] * k);
        dst[j] = v;
        float a = fabsf(v);
        if (a > peak) peak = a;
    }
    return peak;
}

SWSL_AVX2 float swsl_peak_avx2(const swsl_f32u *w, size_t n) {
    __m256 p0 = _mm256_setzero_ps(), p1 = _mm256_setzero_ps(), p2 = _mm256_setzero_ps(), p3 = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 32 <= n; j += 32) {
        p0 = _mm256_max_ps(abs_ps(_mm256_loadu_ps((const float *)(w + j))), p0);
        p1 = _mm256_max_ps(abs_ps(_mm256_loadu_ps((const float *)(w + j + 8))), p1);
        p2 = _mm256_max_ps(abs_ps(_mm256_loadu_ps((const float *)(w + j + 16))), p2);
        p3 = _mm256_max_ps(abs_ps(_mm256_loadu_ps((const float *)(w + j + 24))), p3);
    }
    float peak = hmax(_mm256_max_ps(_mm256_max_ps(p0, p1), _mm256_max_ps(p2, p3)));
    for (; j < n; j++) {
        float a = fabsf(w[j]);
        if (a > peak) peak = a;
    }
    return peak;
}

/* round_half_even(w / scale) clamped to ±127, NaN → 0, as floats holding integers. (Multiplying by
 * 1/scale and dividing only near half-integers gives the same values but measured no faster.) */
SWSL_AVX2 static inline __m256 level8(__m256 w, __m256 scale) {
    __m256 v = _mm256_round_ps(_mm256_div_ps(w, scale), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    v = _mm256_and_ps(v, _mm256_cmp_ps(v, v, _CMP_ORD_Q));
    return _mm256_max_ps(_mm256_min_ps(v, _mm256_set1_ps(127.0f)), _mm256_set1_ps(-127.0f));
}

/*
 * Adds x² and (x − v·scale)² of four lanes, in double. The error x − v·scale is exact in float
 * (a multiple of the smaller of x's and scale's units in the last place, below 2^24 of them, since
 * |x − v·scale| ≤ scale/2), so one float FMA computes it with no rounding, as the double reference does.
 */
SWSL_AVX2 static inline void sqnr4(__m128 x, __m128 e, __m256d *sig, __m256d *err) {
    __m256d xd = _mm256_cvtps_pd(x), ed = _mm256_cvtps_pd(e);
    *sig = _mm256_fmadd_pd(xd, xd, *sig);
    *err = _mm256_fmadd_pd(ed, ed, *err);
}

SWSL_AVX2 void swsl_quantize_avx2(const swsl_f32u *w, size_t n, float scale, int8_t *q, double *signal, double *noise) {
    const __m256 s = _mm256_set1_ps(scale);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    /* One pair of sums per 8-float group keeps the FMA chains short. */
    __m256d sig[4], err[4];
    for (int u = 0; u < 4; u++) sig[u] = err[u] = _mm256_setzero_pd();
    size_t j = 0;
    for (; j + 32 <= n; j += 32) {
        __m256i i32[4];
        for (int u = 0; u < 4; u++) {
            __m256 x = _mm256_loadu_ps((const float *)(w + j + 8 * u));
            __m256 v = level8(x, s);
            i32[u] = _mm256_cvtps_epi32(v);
            __m256 e = _mm256_fnmadd_ps(v, s, x);
            sqnr4(_mm256_castps256_ps128(x), _mm256_castps256_ps128(e), &sig[u], &err[u]);
            sqnr4(_mm256_extractf128_ps(x, 1), _mm256_extractf128_ps(e, 1), &sig[u], &err[u]);
        }
        /* packs work within 128-bit halves; the permute puts the four dword groups back in order. */
        __m256i i8 = _mm256_packs_epi16(_mm256_packs_epi32(i32[0], i32[1]), _mm256_packs_epi32(i32[2], i32[3]));
        _mm256_storeu_si256((__m256i *)(q + j), _mm256_permutevar8x32_epi32(i8, order));
    }
    double total_sig = hsum(_mm256_add_pd(_mm256_add_pd(sig[0], sig[1]), _mm256_add_pd(sig[2], sig[3])));
    double total_err = hsum(_mm256_add_pd(_mm256_add_pd(err[0], err[1]), _mm256_add_pd(err[2], err[3])));
    /* The tail (fewer than a vector's worth) goes through the portable loop, which accumulates into ours. */
    swsl_quantize_portable(w + j, n - j, scale, q + j, &total_sig, &total_err);
    *signal += total_sig;
    *noise += total_err;
}

SWSL_AVX2 void swsl_to_half_avx2(const swsl_f32u *src, size_t count, uint16_t *dst) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps((const float *)(src + i)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        _mm_storeu_si128((__m128i *)(dst + i), h);
    }
    swsl_to_half_portable(src + i, count - i, dst + i);
}

#endif
