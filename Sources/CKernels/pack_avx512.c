/* Vectorised implicit im2col for the AVX-512 kernels (32-column panels). See pack_vector.h. */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "internal.h"

#define PACK_NAME swk_pack_columns_avx512
#define PACK_TARGET __attribute__((target("avx512f,avx2,fma")))
#define PACK_NR 32
#define PACK_WIDTH 16
typedef __m512 vec_t;
typedef __mmask16 mask_t;
#define MASK(n) ((n) >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n)) - 1))
#define LOAD(m, p) _mm512_maskz_loadu_ps((m), (p))
#define STORE(p, m, v) _mm512_mask_storeu_ps((p), (m), (v))
#define LOADU(p) _mm512_loadu_ps(p)
#define STOREU(p, v) _mm512_storeu_ps((p), (v))
#define ZERO() _mm512_setzero_ps()
#define EVENS(lo, hi) \
    _mm512_permutex2var_ps((lo), _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0), (hi))

#include "pack_vector.h"
#endif
