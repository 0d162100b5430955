#include "swsl_checksum.h"
#include "swsl_cpu.h"

#include <zlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SWSL_HAVE_PCLMUL_PATH 1
#endif

static uint32_t crc32_zlib(uint32_t crc, const unsigned char *buf, size_t len) {
    return (uint32_t)crc32_z(crc, buf, len);
}

#ifdef SWSL_HAVE_PCLMUL_PATH
/*
 * Folding with carry-less multiplication, after V. Gopal, E. Ozturk et al., "Fast CRC Computation
 * for Generic Polynomials Using PCLMULQDQ Instruction" (Intel, 2009). Works in the bit-reflected
 * domain on the *internal* CRC state (already XORed with 0xFFFFFFFF). Constants (x^n mod P,
 * reflected and shifted by one bit, as the paper lists them for P = 0x104C11DB7; the same values
 * are in Chromium's zlib crc32_simd.c and Linux's crc32-pclmul):
 *   fold by 64 bytes: x^(4*128+32), x^(4*128-32); fold by 16 bytes: x^(128+32), x^(128-32);
 *   128 → 64 bits: x^64; Barrett: P' and μ = floor(x^64 / P).
 * The 128-byte fold of the VPCLMULQDQ path, x^(8*128+32) and x^(8*128-32), comes from the same
 * formula, bitreflect32(x^n mod P) << 1, which reproduces every published constant above.
 * Tests/SWSLCheckpointTests/CRC32Tests.swift checks both paths against zlib.
 */
#define SWSL_CLMUL __attribute__((target("pclmul,sse4.1")))

static const uint64_t k_fold64[2] __attribute__((aligned(16))) = {0x154442bd4ULL, 0x1c6e41596ULL};
static const uint64_t k_fold16[2] __attribute__((aligned(16))) = {0x1751997d0ULL, 0x0ccaa009eULL};
static const uint64_t k_fold_to64 = 0x163cd6124ULL;
static const uint64_t k_barrett[2] __attribute__((aligned(16))) = {0x1db710641ULL, 0x1f7011641ULL};

/* a·k (low halves) ⊕ a·k (high halves) ⊕ next: one 128-bit lane moved forward by the distance of k. */
SWSL_CLMUL static inline __m128i fold(__m128i a, __m128i k, __m128i next) {
    __m128i lo = _mm_clmulepi64_si128(a, k, 0x00);
    __m128i hi = _mm_clmulepi64_si128(a, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(lo, hi), next);
}

/* The 128-bit remainder reduced to the 32-bit internal state. */
SWSL_CLMUL static inline uint32_t reduce128(__m128i x) {
    const __m128i k16 = _mm_load_si128((const __m128i *)k_fold16);
    /* 128 → 96 bits: the low 64 bits times x^(128-32) (k16's high half), added to the high 64 bits. */
    const __m128i low32 = _mm_setr_epi32(-1, 0, -1, 0);
    x = _mm_xor_si128(_mm_clmulepi64_si128(x, k16, 0x10), _mm_srli_si128(x, 8));
    /* 96 → 64 bits with x^64 mod P. */
    __m128i top = _mm_srli_si128(x, 4);
    x = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x, low32), _mm_cvtsi64_si128((long long)k_fold_to64), 0x00), top);

    /* Barrett reduction to 32 bits. */
    const __m128i barrett = _mm_load_si128((const __m128i *)k_barrett);
    __m128i t = _mm_clmulepi64_si128(_mm_and_si128(x, low32), barrett, 0x10);
    t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), barrett, 0x00);
    x = _mm_xor_si128(x, t);
    return (uint32_t)_mm_extract_epi32(x, 1);
}

/* Internal state over `len` bytes; len >= 64 and a multiple of 16. */
SWSL_CLMUL static uint32_t crc32_pclmul_blocks(uint32_t state, const unsigned char *p, size_t len) {
    __m128i lane[4];
    for (int i = 0; i < 4; i++) lane[i] = _mm_loadu_si128((const __m128i *)(p + 16 * i));
    lane[0] = _mm_xor_si128(lane[0], _mm_cvtsi32_si128((int)state));
    p += 64;
    len -= 64;

    const __m128i k64 = _mm_load_si128((const __m128i *)k_fold64);
    while (len >= 64) {
        for (int i = 0; i < 4; i++) lane[i] = fold(lane[i], k64, _mm_loadu_si128((const __m128i *)(p + 16 * i)));
        p += 64;
        len -= 64;
    }

    const __m128i k16 = _mm_load_si128((const __m128i *)k_fold16);
    __m128i x = lane[0];
    for (int i = 1; i < 4; i++) x = fold(x, k16, lane[i]);
    while (len >= 16) {
        x = fold(x, k16, _mm_loadu_si128((const __m128i *)p));
        p += 16;
        len -= 16;
    }

    return reduce128(x);
}

/* As crc32_pclmul_blocks, eight 16-byte lanes in four 256-bit registers (VPCLMULQDQ), 128 bytes a
 * step; len >= 128 and a multiple of 16. Fold by 128 bytes: x^(8*128+32), x^(8*128-32). */
#define SWSL_VCLMUL __attribute__((target("vpclmulqdq,avx2,pclmul,sse4.1")))
static const uint64_t k_fold128[4] __attribute__((aligned(32))) = {0x1e88ef372ULL, 0x14a7fe880ULL, 0x1e88ef372ULL, 0x14a7fe880ULL};

SWSL_VCLMUL static uint32_t crc32_vpclmul_blocks(uint32_t state, const unsigned char *p, size_t len) {
    __m256i lane[4];
    for (int i = 0; i < 4; i++) lane[i] = _mm256_loadu_si256((const __m256i *)(p + 32 * i));
    lane[0] = _mm256_xor_si256(lane[0], _mm256_zextsi128_si256(_mm_cvtsi32_si128((int)state)));
    p += 128;
    len -= 128;
    const __m256i k128 = _mm256_load_si256((const __m256i *)k_fold128);
    while (len >= 128) {
        for (int i = 0; i < 4; i++) {
            __m256i lo = _mm256_clmulepi64_epi128(lane[i], k128, 0x00);
            __m256i hi = _mm256_clmulepi64_epi128(lane[i], k128, 0x11);
            lane[i] = _mm256_xor_si256(_mm256_xor_si256(lo, hi), _mm256_loadu_si256((const __m256i *)(p + 32 * i)));
        }
        p += 128;
        len -= 128;
    }
    /* The eight lanes, in stream order, folded into one; then the 16-byte blocks left. */
    const __m128i k16 = _mm_load_si128((const __m128i *)k_fold16);
    __m128i x = _mm256_castsi256_si128(lane[0]);
    x = fold(x, k16, _mm256_extracti128_si256(lane[0], 1));
    for (int i = 1; i < 4; i++) {
        x = fold(x, k16, _mm256_castsi256_si128(lane[i]));
        x = fold(x, k16, _mm256_extracti128_si256(lane[i], 1));
    }
    while (len >= 16) {
        x = fold(x, k16, _mm_loadu_si128((const __m128i *)p));
        p += 16;
        len -= 16;
    }
    return reduce128(x);
}

static uint32_t crc32_pclmul(uint32_t crc, const unsigned char *buf, size_t len, int wide) {
    if (len >= 128) {
        size_t body = len & ~(size_t)15;
        crc = wide ? ~crc32_vpclmul_blocks(~crc, buf, body) : ~crc32_pclmul_blocks(~crc, buf, body);
        buf += body;
        len -= body;
    }
    return len ? crc32_zlib(crc, buf, len) : crc;
}
#endif

int swsl_crc32_supported(swsl_crc32_impl impl) {
    switch (impl) {
    case SWSL_CRC32_ZLIB: return 1;
#ifdef SWSL_HAVE_PCLMUL_PATH
    case SWSL_CRC32_PCLMUL: return swsl_cpu_has(SWSL_CPU_PCLMUL | SWSL_CPU_SSE41);
    case SWSL_CRC32_VPCLMUL: return swsl_cpu_has(SWSL_CPU_PCLMUL | SWSL_CPU_SSE41 | SWSL_CPU_AVX2 | SWSL_CPU_VPCLMULQDQ);
#else
    default: return 0;
#endif
    }
    return 0;
}

uint32_t swsl_crc32_using(swsl_crc32_impl impl, uint32_t crc, const void *buf, size_t len) {
#ifdef SWSL_HAVE_PCLMUL_PATH
    if (impl != SWSL_CRC32_ZLIB) return crc32_pclmul(crc, (const unsigned char *)buf, len, impl == SWSL_CRC32_VPCLMUL);
#endif
    (void)impl;
    return crc32_zlib(crc, (const unsigned char *)buf, len);
}

swsl_crc32_impl swsl_crc32_best(void) {
    /* -1 = not yet asked. A race only asks the CPU twice. */
    static int best = -1;
    int b = __atomic_load_n(&best, __ATOMIC_RELAXED);
    if (b < 0) {
        b = swsl_crc32_supported(SWSL_CRC32_VPCLMUL) ? SWSL_CRC32_VPCLMUL
          : swsl_crc32_supported(SWSL_CRC32_PCLMUL)  ? SWSL_CRC32_PCLMUL : SWSL_CRC32_ZLIB;
        __atomic_store_n(&best, b, __ATOMIC_RELAXED);
    }
    return (swsl_crc32_impl)b;
}

uint32_t swsl_crc32(uint32_t crc, const void *buf, size_t len) {
    return swsl_crc32_using(swsl_crc32_best(), crc, buf, len);
}

uint32_t swsl_crc32_combine(uint32_t crc_a, uint32_t crc_b, size_t len_b) {
    return (uint32_t)crc32_combine(crc_a, crc_b, (z_off_t)len_b);
}
