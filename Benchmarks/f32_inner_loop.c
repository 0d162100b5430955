/* The float 6 x 16 microkernel's loop alone (as kernel_avx2: two B loads, six broadcasts, twelve FMAs per k), with A
 * and B resident in L1, against this core's FMA peak; and the core's clock, from a chain of dependent adds (one a
 * cycle). What the model reaches beside it is `bench`'s GFLOP/s.
 *
 *     cc -O2 -mavx2 -mfma Benchmarks/f32_inner_loop.c -o /tmp/f32_loop && /tmp/f32_loop
 *
 * Prints, for 5 repetitions, the clock measured just before and the loop's GFLOP/s and share of 16 multiply-adds a
 * cycle (two 8-lane FMA units). Run it on a quiet machine: the clock and the loop must see the same core. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#define KC 192
static float A[KC * 6] __attribute__((aligned(64))), B[KC * 16] __attribute__((aligned(64))), C[16];

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Adds a cycle: a chain of dependent integer adds. */
static double clock_hz(void) {
    const long n = 50000000;
    long x = 0;
    const double t = now();
    for (long i = 0; i < n; i++) __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
    return 4.0 * n / (now() - t);
}

__attribute__((noinline)) static void loop6x16(int kc, const float *a, const float *b, float *c) {
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

int main(void) {
    for (int rep = 0; rep < 5; rep++) {
        const double hz = clock_hz();
        const long calls = 200000;
        const double t = now();
        for (long i = 0; i < calls; i++) loop6x16(KC, A, B, C);
        const double seconds = now() - t, macs = (double)calls * KC * 12 * 8;
        printf("clock %.2f GHz (dependent adds); 6x16 loop: %.1f GFLOP/s, %.1f%% of 16 multiply-adds a cycle\n",
               hz / 1e9, 2 * macs / seconds / 1e9, 100 * macs / (seconds * hz * 16));
    }
    return C[0] == 42.0f;
}
