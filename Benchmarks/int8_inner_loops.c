/* The integer inner loops on AVX2, alone: why the exact 8-bit kernel costs more than the saturating one.
 *
 *     cc -O2 -mavx2 Benchmarks/int8_inner_loops.c -o /tmp/int8_inner_loops && /tmp/int8_inner_loops
 *
 * Prints ns per 256 multiply-adds (a 4-row x 16-column x 4-deep block), the median of 5 repetitions, for:
 *   saturating  vpmaddubsw + vpmaddwd(ones) + vpaddd per 32 multiply-adds (the 127-level kernel, `integer-7bit`);
 *   exact       the even/odd int16 split in registers, vpmaddwd + vpaddd per 16 (the 255-level kernel);
 * each over L1-resident operands loaded as the kernels load them, and once more with every operand in registers
 * (only the four weight broadcasts load), which isolates the vector-ALU work from memory. */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define KQ 64
static uint8_t B[KQ * 64] __attribute__((aligned(64)));
static int8_t A[KQ * 64] __attribute__((aligned(64)));
static int32_t W[64] __attribute__((aligned(64)));

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define FOLD(r) r = _mm256_add_epi32(r, _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(s00, s01), _mm256_add_epi32(s10, s11)), \
                                                        _mm256_add_epi32(_mm256_add_epi32(s20, s21), _mm256_add_epi32(s30, s31))))

/* Two passes of four rows over KQ quads of 16 columns, as qkernel_avx2_7bit. */
__attribute__((noinline)) static __m256i saturating(const int8_t *a, const uint8_t *b) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i r = _mm256_setzero_si256();
    for (int half = 0; half < 2; half++) {
        __m256i s00 = _mm256_setzero_si256(), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
        const int8_t *ap = a + half * 16;
        const uint8_t *bp = b;
        for (int q = 0; q < KQ; q++, ap += 32, bp += 64) {
            const __m256i b0 = _mm256_load_si256((const __m256i *)bp), b1 = _mm256_load_si256((const __m256i *)(bp + 32));
            __m256i w;
#define ROW(i, x0, x1) w = _mm256_set1_epi32(*(const int32_t *)(ap + 4 * i)); \
            x0 = _mm256_add_epi32(x0, _mm256_madd_epi16(_mm256_maddubs_epi16(b0, w), ones)); \
            x1 = _mm256_add_epi32(x1, _mm256_madd_epi16(_mm256_maddubs_epi16(b1, w), ones));
            ROW(0, s00, s01) ROW(1, s10, s11) ROW(2, s20, s21) ROW(3, s30, s31)
#undef ROW
        }
        FOLD(r);
    }
    return r;
}

/* The same block exactly: even and odd bytes as int16 pairs in registers, widened weights, as qkernel_avx2. */
__attribute__((noinline)) static __m256i exact(const int8_t *a, const uint8_t *b) {
    const __m256i low = _mm256_set1_epi32(0x00FF00FF);
    __m256i r = _mm256_setzero_si256();
    for (int half = 0; half < 2; half++) {
        __m256i s00 = _mm256_setzero_si256(), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
        const int32_t *ap = (const int32_t *)a + half * 8;
        const uint8_t *bp = b;
        for (int q = 0; q < KQ; q++, ap += 16, bp += 64) {
            const __m256i b0 = _mm256_load_si256((const __m256i *)bp), b1 = _mm256_load_si256((const __m256i *)(bp + 32));
            const __m256i e0 = _mm256_and_si256(b0, low), o0 = _mm256_srli_epi16(b0, 8);
            const __m256i e1 = _mm256_and_si256(b1, low), o1 = _mm256_srli_epi16(b1, 8);
            __m256i we, wo;
#define ROW(i, x0, x1) we = _mm256_set1_epi32(ap[2 * i]); wo = _mm256_set1_epi32(ap[2 * i + 1]); \
            x0 = _mm256_add_epi32(x0, _mm256_add_epi32(_mm256_madd_epi16(e0, we), _mm256_madd_epi16(o0, wo))); \
            x1 = _mm256_add_epi32(x1, _mm256_add_epi32(_mm256_madd_epi16(e1, we), _mm256_madd_epi16(o1, wo)));
            ROW(0, s00, s01) ROW(1, s10, s11) ROW(2, s20, s21) ROW(3, s30, s31)
#undef ROW
        }
        FOLD(r);
    }
    return r;
}

/* Register-only: 8 x (vpmaddubsw + vpmaddwd + vpaddd) against 16 x (vpmaddwd + vpaddd), 256 multiply-adds each. */
#define ITER 20000000L
__attribute__((noinline)) static double registers_saturating(const int32_t *p) {
    __m256i a0 = _mm256_set1_epi32(1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    const __m256i ones = _mm256_set1_epi16(1), b0 = _mm256_set1_epi32(0x01020304), b1 = _mm256_set1_epi32(0x05060708);
    double t = now();
    for (long n = 0; n < ITER; n++) {
        __m256i w0 = _mm256_set1_epi32(p[0]), w1 = _mm256_set1_epi32(p[1]), w2 = _mm256_set1_epi32(p[2]), w3 = _mm256_set1_epi32(p[3]);
#define T(x, b, w) x = _mm256_add_epi32(x, _mm256_madd_epi16(_mm256_maddubs_epi16(b, w), ones));
        T(a0, b0, w0) T(a1, b1, w0) T(a2, b0, w1) T(a3, b1, w1) T(a4, b0, w2) T(a5, b1, w2) T(a6, b0, w3) T(a7, b1, w3)
#undef T
        __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4), "+x"(a5), "+x"(a6), "+x"(a7), "+r"(p)::"memory");
    }
    double e = now() - t;
    a0 = _mm256_add_epi32(a0, a7);
    return e / ITER * 1e9 + 0 * _mm256_extract_epi32(a0, 0);
}

__attribute__((noinline)) static double registers_exact(const int32_t *p) {
    __m256i a0 = _mm256_set1_epi32(1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    const __m256i b0 = _mm256_set1_epi32(0x00010002), b1 = _mm256_set1_epi32(0x00030004), b2 = _mm256_set1_epi32(0x00050006),
                  b3 = _mm256_set1_epi32(0x00070008);
    double t = now();
    for (long n = 0; n < ITER; n++) {
        __m256i w0 = _mm256_set1_epi32(p[0]), w1 = _mm256_set1_epi32(p[1]), w2 = _mm256_set1_epi32(p[2]), w3 = _mm256_set1_epi32(p[3]);
#define S(x, b, w) x = _mm256_add_epi32(x, _mm256_madd_epi16(b, w));
        S(a0, b0, w0) S(a1, b1, w0) S(a0, b2, w1) S(a1, b3, w1) S(a2, b0, w2) S(a3, b1, w2) S(a2, b2, w3) S(a3, b3, w3)
        S(a4, b0, w1) S(a5, b1, w1) S(a4, b2, w0) S(a5, b3, w0) S(a6, b0, w3) S(a7, b1, w3) S(a6, b2, w2) S(a7, b3, w2)
#undef S
        __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4), "+x"(a5), "+x"(a6), "+x"(a7), "+r"(p)::"memory");
    }
    double e = now() - t;
    a0 = _mm256_add_epi32(a0, a7);
    return e / ITER * 1e9 + 0 * _mm256_extract_epi32(a0, 0);
}

static int compare(const void *x, const void *y) { return *(const double *)x < *(const double *)y ? -1 : 1; }

static double loop_ns(__m256i (*kernel)(const int8_t *, const uint8_t *), __m256i *sink) {
    const long calls = 200000;
    double t = now();
    for (long n = 0; n < calls; n++) {
        __asm__ volatile("" ::: "memory");
        *sink = _mm256_add_epi32(*sink, kernel(A, B));
    }
    return (now() - t) / calls / (2 * KQ) * 1e9;  /* per 4 x 16 x 4 block */
}

int main(void) {
    for (int i = 0; i < KQ * 64; i++) { B[i] = (uint8_t)(i * 7); A[i] = (int8_t)(i * 3); }
    for (int i = 0; i < 64; i++) W[i] = i * 0x01010101;
    __m256i sink = _mm256_setzero_si256();
    double r[4][5];
    for (int rep = 0; rep < 5; rep++) {
        r[0][rep] = loop_ns(saturating, &sink);
        r[1][rep] = loop_ns(exact, &sink);
        r[2][rep] = registers_saturating(W);
        r[3][rep] = registers_exact(W);
    }
    const char *names[4] = {"saturating, loaded (127 levels)", "exact, loaded (255 levels)",
                            "saturating, registers only", "exact, registers only"};
    for (int k = 0; k < 4; k++) {
        qsort(r[k], 5, sizeof(double), compare);
        printf("%-34s %.2f ns per 256 multiply-adds (min %.2f, max %.2f)\n", names[k], r[k][2], r[k][0], r[k][4]);
    }
    return _mm256_extract_epi32(sink, 0) == 42;
}
