/* The float 6 x 16 microkernel's loop alone (as kernel_avx2: two B loads, six broadcasts, twelve FMAs per k) and a
 * monotonic clock, for the benchmarks that measure against it (f32_inner_loop.c, layer_efficiency.c). */
#ifndef SWSL_BENCH_F32_LOOP_H
#define SWSL_BENCH_F32_LOOP_H
#include <immintrin.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* c[0..15] += the sums of kc steps over A (6 per k) and B (16 per k), both L1-resident in the callers. */
__attribute__((noinline, target("avx2,fma"))) static void loop6x16(int kc, const float *a, const float *b, float *c) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int k = 0; k < kc; k++, a += 6, b += 16) {
        const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        __m256 w;
#define ROW(r, x0, x1) w = _mm256_broadcast_ss(a + r); x0 = _mm256_fmadd_ps(w, b0, x0); x1 = _mm256_fmadd_ps(w, b1, x1);
        ROW(0, c00, c01) ROW(1, c10, c11) ROW(2, c20, c21) ROW(3, c30, c31) ROW(4, c40, c41) ROW(5, c50, c51)
#undef ROW
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c00, c01), _mm256_add_ps(c10, c11)),
                             _mm256_add_ps(_mm256_add_ps(c20, c21), _mm256_add_ps(c30, c31)));
    s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(c40, c41), _mm256_add_ps(c50, c51)));
    _mm256_storeu_ps(c, _mm256_add_ps(s, _mm256_loadu_ps(c)));
}
#endif
