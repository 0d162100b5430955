/* Vectorised implicit im2col for the AVX2 kernels (16-column panels). See pack_vector.h. */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "internal.h"

#define PACK_NAME swk_pack_columns_avx2
#define PACK_TARGET __attribute__((target("avx2,fma")))
#define PACK_NR 16
#define PACK_WIDTH 8
typedef __m256 vec_t;
typedef __m256i mask_t;
#define MASK(n) _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define LOAD(m, p) _mm256_maskload_ps((p), (m))
#define STORE(p, m, v) _mm256_maskstore_ps((p), (m), (v))
#define LOADU(p) _mm256_loadu_ps(p)
#define STOREU(p, v) _mm256_storeu_ps((p), (v))
#define ZERO() _mm256_setzero_ps()
/* shuffle_ps picks evens within 128-bit lanes: lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6; reorder the 64-bit pairs. */
#define EVENS(lo, hi) \
    _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps((lo), (hi), 0x88)), 0xD8))

#include "pack_vector.h"
#endif
