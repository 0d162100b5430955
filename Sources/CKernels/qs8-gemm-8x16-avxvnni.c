/* Integer (u8 x s8) GEMM microkernel, 8 x 16 tile, AVX-VNNI (VEX vpdpbusd, 256 bits). Compiled for
 * AVX-VNNI by function attribute only; callers check swk_isa_supported. */
#if defined(__x86_64__) || defined(__i386__)
#include "qs8_avx2_tile.h"

/* AVX-VNNI (VEX vpdpbusd, 256 bits): four u8 x s8 products added into an int32 lane without intermediate
 * saturation, reading tap quads as they are. */
#define AVX_VNNI __attribute__((target("avxvnni,avx2,fma,f16c")))
#define DPBUSD_STEP(x, b, w) x = _mm256_dpbusd_avx_epi32(x, b, w)

AVX_VNNI static void qkernel_avx_vnni(int kq, const void *a, const uint8_t *b, const uint8_t *high, float *c,
                                      long ldc, int mr, int nr, int accumulate, const swk_epilogue *ep, const float *wscale, float xscale) {
    TAP_QUAD_PASS(DPBUSD_STEP)
}

const swk_int8_kernel_set swk_avx_vnni_int8_kernels = {
    .name = "avx-vnni", .nr = AVX2_NR, .quantize_row = quantize_row_avx2, .pack = pack_quads_avx2,
    .kernel = qkernel_avx_vnni, .direct = NULL, .widen = NULL,
};
#endif
