/* f32 GEMM microkernel, 6 x 16 tile, plain C for any CPU (the compiler vectorises what the baseline ISA
 * allows), with the portable widen, narrow and packing kernels. */
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

const swk_kernel_set swk_portable_kernels = {
    .nr = PORTABLE_NR, .kernel = kernel_portable, .widen = widen_portable, .pack = pack_portable,
    .narrow = narrow_portable, .direct = NULL,
};
