/* The float 6 x 16 microkernel's loop alone (as kernel_avx2: two B loads, six broadcasts, twelve FMAs per k), with A
 * and B resident in L1, against this core's FMA peak; and the core's clock, from a chain of dependent adds (one a
 * cycle). What the model reaches beside it is `bench`'s GFLOP/s.
 *
 *     cc -O2 -mavx2 -mfma Benchmarks/f32_inner_loop.c -o /tmp/f32_loop && /tmp/f32_loop
 *
 * Prints, for 5 repetitions, the clock measured just before and the loop's GFLOP/s and share of 16 multiply-adds a
 * cycle (two 8-lane FMA units). Run it on a quiet machine: the clock and the loop must see the same core. */
#include <stdio.h>
#include "f32_loop.h"

#define KC 192
static float A[KC * 6] __attribute__((aligned(64))), B[KC * 16] __attribute__((aligned(64))), C[16];

/* Adds a cycle: a chain of dependent integer adds. */
static double clock_hz(void) {
    const long n = 50000000;
    long x = 0;
    const double t = now();
    for (long i = 0; i < n; i++) __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
    return 4.0 * n / (now() - t);
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
