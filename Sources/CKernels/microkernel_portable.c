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

const swk_kernel_set swk_portable_kernels = {PORTABLE_NR, kernel_portable, widen_portable, pack_portable, narrow_portable};

/* MARK: integer kernels (16-column tiles, like the float ones) */

/* Exact int32 dot products in plain C (16-column tiles). */
static void qkernel_portable(int kq, const int8_t *a, const uint8_t *b, float *c, long ldc, int mr, int nr,
                             int accumulate, const swk_epilogue *ep, const float *wscale, float xscale) {
    int32_t acc[SWK_MR][16];
    memset(acc, 0, sizeof acc);
    for (int q = 0; q < kq; q++) {
        for (int r = 0; r < SWK_MR; r++) {
            const int8_t *w = a + (q * SWK_MR + r) * 4;
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
            row[j] = v;
        }
    }
}

/* Rounds 0 <= v < 2^22 to the nearest integer, ties to even, without a library call. */
static inline float round_even(float v) { return (v + 12582912.0f) - 12582912.0f; }

static void quantize_portable(const float *src, uint8_t *dst, int panels, int kc, float inverse, int levels) {
    const int nr = 16, quads = (kc + 3) / 4;
    for (int p = 0; p < panels; p++) {
        const float *panel = src + (size_t)p * kc * nr;
        uint8_t *out = dst + (size_t)p * quads * nr * 4;
        for (int q = 0; q < quads; q++) {
            for (int j = 0; j < nr; j++) {
                for (int t = 0; t < 4; t++) {
                    const int k = 4 * q + t;
                    float v = k < kc ? panel[(size_t)k * nr + j] * inverse : 0.0f;
                    v = v > 0.0f ? v : 0.0f;
                    v = v < (float)levels ? v : (float)levels;
                    out[((size_t)q * nr + j) * 4 + t] = (uint8_t)round_even(v);
                }
            }
        }
    }
}

/* A 1x1 stride-1 convolution's quads straight from the input planes: column j of the block is
 * position col0 + j, reduction index k is input channel k of the group. */
static void quantize_pointwise_portable(const swk_conv *conv, const float *input, int g, int k0, int kc, int col0,
                                        int nc, uint8_t *dst, float inverse, int levels) {
    const int nr = PORTABLE_NR, quads = (kc + 3) / 4, panels = (nc + nr - 1) / nr;
    const long plane = (long)conv->in_height * conv->in_width;
    const float *group = input + (size_t)g * (conv->in_channels / conv->groups) * plane;
    for (int p = 0; p < panels; p++) {
        uint8_t *out = dst + (size_t)p * quads * nr * 4;
        for (int q = 0; q < quads; q++) {
            for (int j = 0; j < nr; j++) {
                const long column = (long)col0 + (long)p * nr + j;
                for (int t = 0; t < 4; t++) {
                    const int k = 4 * q + t;
                    float v = k < kc && column < col0 + nc ? group[(size_t)(k0 + k) * plane + column] * inverse : 0.0f;
                    v = v > 0.0f ? v : 0.0f;
                    v = v < (float)levels ? v : (float)levels;
                    out[((size_t)q * nr + j) * 4 + t] = (uint8_t)round_even(v);
                }
            }
        }
    }
}

const swk_int8_kernel_set swk_portable_int8_kernels = {PORTABLE_NR, pack_portable, quantize_portable,
                                                       quantize_pointwise_portable, qkernel_portable, 255};

