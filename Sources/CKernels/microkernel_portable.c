/* The portable microkernel: plain C, any CPU; the compiler vectorises what the baseline ISA allows. */
#include <stdint.h>
#include <string.h>
#include "internal.h"

#define PORTABLE_NR 16

static void kernel_portable(int kc, const float *a, const float *b, float *c, long ldc, int mr, int nr,
                            int accumulate, const swk_epilogue *ep) {
    float acc[SWK_MR][PORTABLE_NR];
    memset(acc, 0, sizeof acc);
    for (int k = 0; k < kc; k++) {
        for (int r = 0; r < SWK_MR; r++) {
            const float ar = a[r];
            for (int j = 0; j < PORTABLE_NR; j++) acc[r][j] += ar * b[j];
        }
        a += SWK_MR;
        b += PORTABLE_NR;
    }
    for (int r = 0; r < mr; r++) {
        float *row = c + r * ldc;
        for (int j = 0; j < nr; j++) {
            float v = acc[r][j];
            if (accumulate) v = v + row[j];
            if (ep) v = swk_epilogue_scalar(v, ep, r, j);
            row[j] = v;
        }
    }
}

static void widen_portable(const void *src, float *dst, size_t n, swk_weight_type type) {
    if (type == SWK_WEIGHTS_I8) {
        const int8_t *s = src;
        for (size_t i = 0; i < n; i++) dst[i] = (float)s[i];
    } else {
        const uint16_t *s = src;
        for (size_t i = 0; i < n; i++) dst[i] = swk_half_to_float(s[i]);
    }
}

static void narrow_portable(int kc, const float *a, const float *x, long ldx, int cols,
                            float acc[SWK_MR][SWK_NARROW]) {
    for (int k = 0; k < kc; k++) {
        for (int c = 0; c < cols; c++) {
            const float xv = x[(size_t)k * ldx + c];
            for (int r = 0; r < SWK_MR; r++) acc[r][c] += a[k * SWK_MR + r] * xv;
        }
    }
}

/* The generic implicit-im2col packer at this table's width. */
static void pack_portable(const swk_conv *conv, const float *input, int g, int k0, int kc, int col0, int nc, float *dst) {
    swk_pack_columns(conv, input, g, k0, kc, col0, nc, PORTABLE_NR, dst);
}

const swk_kernel_set swk_portable_kernels = {PORTABLE_NR, kernel_portable, widen_portable, pack_portable, narrow_portable, NULL};

/* MARK: integer kernels (16-column tiles, like the float ones) */

/* Exact int32 dot products in plain C (16-column tiles). */
static void qkernel_portable(int kq, const void *weights, const uint8_t *b, float *c, long ldc, int mr, int nr,
                             int accumulate, const swk_epilogue *ep, const float *wscale, float xscale) {
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
    "portable", PORTABLE_NR, quantize_row_portable, pack_quads_portable, qkernel_portable, NULL, NULL, NULL,
};

