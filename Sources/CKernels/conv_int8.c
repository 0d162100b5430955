/* Integer arithmetic for int8 weights: activations quantized to unsigned bytes while packing, int32
 * dot products in groups of four reduction indices (the VNNI / maddubs shape), per-row float scales.
 * Same loop nest as conv.c; the float im2col block is packed first, then quantized into quads. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "internal.h"

size_t swk_quad_weight_count(int out_channels, int groups, int k) {
    size_t rows = (size_t)(out_channels / groups);
    size_t panels = (rows + SWK_MR - 1) / SWK_MR;
    return (size_t)groups * panels * (size_t)((k + 3) / 4) * SWK_MR * 4;
}

void swk_pack_weights_quads(const int8_t *plain, int8_t *dst, int out_channels, int groups, int k) {
    const int rows = out_channels / groups;
    const int panels = (rows + SWK_MR - 1) / SWK_MR;
    const int quads = (k + 3) / 4;
    for (int g = 0; g < groups; g++) {
        for (int p = 0; p < panels; p++) {
            for (int q = 0; q < quads; q++) {
                for (int r = 0; r < SWK_MR; r++) {
                    for (int t = 0; t < 4; t++) {
                        const int row = p * SWK_MR + r, kk = 4 * q + t;
                        *dst++ = (row < rows && kk < k) ? plain[(size_t)(g * rows + row) * k + kk] : 0;
                    }
                }
            }
        }
    }
}

float swk_max_value(const float *x, size_t n) {
    /* Sixteen independent maxima (the element-wise loop vectorises), folded at the end. */
    float m[16];
    for (int j = 0; j < 16; j++) m[j] = -INFINITY;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        for (int j = 0; j < 16; j++) m[j] = x[i + j] > m[j] ? x[i + j] : m[j];
    }
    for (; i < n; i++) m[0] = x[i] > m[0] ? x[i] : m[0];
    float result = -INFINITY;
    for (int j = 0; j < 16; j++) result = m[j] > result ? m[j] : result;
    return result;
}

/* K-block length: multiples of four, at most about SWK_KC. */
static int quad_step(int k) {
    int blocks = (k + SWK_KC - 1) / SWK_KC;
    int step = (k + blocks - 1) / blocks;
    return (step + 3) / 4 * 4;
}

void swk_conv_run_int8(const swk_conv *conv, const float *input, const float *residual, float *output,
                       int group_begin, int group_end, int row_begin, int row_end, int col_begin, int col_end,
                       float *workspace) {
    const swk_int8_kernel_set *ks = swk_int8_kernels_for(conv->isa);
    const int nr = ks->nr;
    const int rows = conv->out_channels / conv->groups;
    const int k = (conv->in_channels / conv->groups) * conv->kernel_h * conv->kernel_w;
    const int quads = (k + 3) / 4;
    const int panels = (rows + SWK_MR - 1) / SWK_MR;
    const long n = (long)conv->out_height * conv->out_width;
    const int kstep = quad_step(k);
    const float inverse = 1.0f / conv->input_scale;
    float *bbuf = (float *)(((uintptr_t)workspace + 63) & ~(uintptr_t)63);
    float *pbuf = bbuf + swk_workspace_pad_offset();
    uint8_t *qbuf = (uint8_t *)(bbuf + swk_workspace_q_offset());
    static const float one = 1.0f;

    for (int g = group_begin; g < group_end; g++) {
        for (int jc = col_begin; jc < col_end; jc += SWK_NC) {
            const int nc = col_end - jc < SWK_NC ? col_end - jc : SWK_NC;
            const int ncp = (nc + nr - 1) / nr;
            for (int pc = 0; pc < k; pc += kstep) {
                const int kc = k - pc < kstep ? k - pc : kstep;
                const int last = pc + kc == k;
                swk_conv view;
                int view_k0, view_col0;
                const int pointwise =
                    conv->kernel_h == 1 && conv->kernel_w == 1 && conv->stride == 1 && conv->padding == 0;
                if (pointwise) {
                    ks->quantize_pointwise(conv, input, g, pc, kc, jc, nc, qbuf, inverse, ks->levels);
                } else {
                    if (conv->padding > 0 && conv->kernel_h * conv->kernel_w > 1
                        && swk_pad_block(conv, input, g, pc, kc, jc, nc, pbuf, &view, &view_k0, &view_col0)) {
                        ks->pack(&view, pbuf, 0, view_k0, kc, view_col0, nc, bbuf);
                    } else {
                        ks->pack(conv, input, g, pc, kc, jc, nc, bbuf);
                    }
                    ks->quantize(bbuf, qbuf, ncp, kc, inverse, ks->levels);
                }
                const int kq = (kc + 3) / 4;
                for (int ic = row_begin; ic < row_end; ic += SWK_MC) {
                    const int mc = row_end - ic < SWK_MC ? row_end - ic : SWK_MC;
                    const size_t first_panel = (size_t)g * panels + (size_t)(ic / SWK_MR);
                    for (int jr = 0; jr < nc; jr += nr) {
                        const int ncols = nc - jr < nr ? nc - jr : nr;
                        const uint8_t *bpanel = qbuf + (size_t)(jr / nr) * kq * nr * 4;
                        for (int ir = 0; ir < mc; ir += SWK_MR) {
                            const int nrows = mc - ir < SWK_MR ? mc - ir : SWK_MR;
                            const long row = (long)g * rows + ic + ir;
                            const long column = jc + jr;
                            const int8_t *apanel = conv->quad_weights
                                + ((first_panel + (size_t)(ir / SWK_MR)) * quads + (size_t)(pc / 4)) * SWK_MR * 4;
                            swk_epilogue ep = {
                                NULL, NULL,
                                conv->post_bias ? conv->post_bias + row : NULL,
                                residual ? residual + row * n + column : NULL,
                                n, conv->relu,
                            };
                            const float *wscale = conv->scale ? conv->scale + row : NULL;
                            float ones[SWK_MR];
                            if (!wscale) {
                                for (int r = 0; r < SWK_MR; r++) ones[r] = one;
                                wscale = ones;
                            }
                            ks->kernel(kq, apanel, bpanel, output + row * n + column, n, nrows, ncols, pc > 0,
                                       last ? &ep : NULL, wscale, conv->input_scale);
                        }
                    }
                }
            }
        }
    }
}
