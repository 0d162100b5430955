/* Integer (u8 x s8) GEMM microkernel, 8 x 16 tile, plain C: exact int32 dot products; the portable row
 * quantizer and column-quad packer. */
#include <stdint.h>
#include <string.h>
#include "internal.h"

#define PORTABLE_NR 16

/* Exact int32 dot products in plain C (16-column tiles). */
static void qkernel_portable(int kq, const void *weights, const uint8_t *b, const uint8_t *high, float *c, long ldc, int mr,
                             int nr, int accumulate, const swk_epilogue *ep, const float *wscale, float xscale) {
    const int8_t *a = weights;
    int32_t acc[SWK_QMR][16];
    memset(acc, 0, sizeof acc);
    for (int q = 0; q < kq; q++) {
        for (int r = 0; r < SWK_QMR; r++) {
            const int8_t *w = a + (q * SWK_QMR + r) * 4;
            for (int j = 0; j < 16; j++) {
                const uint8_t *x = b + (q * 16 + j) * 4;
                acc[r][j] += w[0] * x[0] + w[1] * x[1] + w[2] * x[2] + w[3] * x[3];
            }
        }
    }
    for (int r = 0; r < mr; r++) {
        const float s = wscale[r] * xscale;
        float *row = c + r * ldc;
        for (int j = 0; j < nr; j++) {
            float v = (float)acc[r][j] * s;
            if (accumulate) v = v + row[j];
            if (ep) v = swk_epilogue_scalar(v, ep, r, j);
            if (ep && ep->max && v > *ep->max) *ep->max = v;
            row[j] = v;
        }
    }
}

/* Rounds 0 <= v < 2^22 to the nearest integer, ties to even, without a library call. */
static inline float round_even(float v) { return (v + 12582912.0f) - 12582912.0f; }

/* One row of four channels (NULL: absent, zero) to one 32-bit word per pixel, byte t from channel t. */
static void quantize_row_portable(const float *const src[4], uint8_t *dst, int width, float inverse, float zero,
                                  float top) {
    for (int x = 0; x < width; x++) {
        for (int t = 0; t < 4; t++) {
            float v = src[t] ? src[t][x] * inverse + zero : 0.0f;
            v = v > 0.0f ? v : 0.0f;
            v = v < top ? v : top;
            dst[(size_t)x * 4 + t] = (uint8_t)round_even(v);
        }
    }
}

#define PACK_QUADS_NAME pack_quads_portable
#define PACK_QUADS_TARGET 
#define PACK_QUADS_NR PORTABLE_NR
#include "pack_quads.h"

const swk_int8_kernel_set swk_portable_int8_kernels = {
    .name = "portable", .nr = PORTABLE_NR, .quantize_row = quantize_row_portable, .pack = pack_quads_portable,
    .kernel = qkernel_portable, .direct = NULL, .widen = NULL,
};
