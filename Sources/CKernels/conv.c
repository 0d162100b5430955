/* The float convolution driver: implicit-im2col GEMM with BLIS-style cache blocking.
 *
 * Per group: C[Mg x N] = A[Mg x K] * B[K x N], A the packed weights, B the im2col matrix of the input
 * (never built whole). Loops, outermost first: column blocks of SWK_NC (the packed B block, L2/L3),
 * K blocks of about SWK_KC (packed once per column block), row blocks of SWK_MC (the A block, L2;
 * float32 weights are read in place, int8/float16 ones widened into the workspace), NR-column
 * micro-panels (L1), SWK_MR-row micro-panels. The epilogue runs in the microkernel on the last K block. */
#include <stdint.h>
#include <string.h>
#include "internal.h"

/* K-block length: K split into equal blocks of at most SWK_KC. */
static int k_step(int k) {
    int blocks = (k + SWK_KC - 1) / SWK_KC;
    return (k + blocks - 1) / blocks;
}

/* Matrix-vector path for 1x1 convolutions over a few columns (the classifier at small batches), where
 * a microkernel tile would be mostly padding: each weight panel is read once, in K blocks. */
static void conv_narrow(const swk_conv *conv, swk_narrow_fn narrow, swk_widen_fn widen, const float *input,
                        const float *residual, float *output, int g, int row_begin, int row_end, int col_begin,
                        int col_end, float *abuf) {
    const int rows = conv->out_channels / conv->groups;
    const int k = conv->in_channels / conv->groups;
    const int panels = (rows + SWK_MR - 1) / SWK_MR;
    const long n = (long)conv->out_height * conv->out_width;
    const size_t element = swk_weight_element_size(conv->weight_type);
    const int cols = col_end - col_begin;
    for (int ir = row_begin; ir < row_end; ir += SWK_MR) {
        const size_t panel = (size_t)g * panels + (size_t)(ir / SWK_MR);
        float acc[SWK_MR][SWK_NARROW] = {{0}};
        for (int pc = 0; pc < k; pc += SWK_KC) {
            const int kc = k - pc < SWK_KC ? k - pc : SWK_KC;
            const float *a;
            if (conv->weight_type == SWK_WEIGHTS_F32) {
                a = (const float *)conv->weights + (panel * k + pc) * SWK_MR;
            } else {
                widen((const char *)conv->weights + (panel * k + pc) * SWK_MR * element, abuf,
                      (size_t)kc * SWK_MR, conv->weight_type);
                a = abuf;
            }
            const float *x = input + (size_t)(g * k + pc) * n + col_begin;
            narrow(kc, a, x, n, cols, acc);
        }
        const int nrows = row_end - ir < SWK_MR ? row_end - ir : SWK_MR;
        const long row = (long)g * rows + ir;
        swk_epilogue ep = {
            conv->pre_bias ? conv->pre_bias + row : NULL,
            conv->scale ? conv->scale + row : NULL,
            conv->post_bias ? conv->post_bias + row : NULL,
            residual ? residual + row * n + col_begin : NULL,
            n, conv->relu,
        };
        for (int r = 0; r < nrows; r++) {
            for (int c = 0; c < cols; c++) output[(row + r) * n + col_begin + c] = swk_epilogue_scalar(acc[r][c], &ep, r, c);
        }
    }
}

/* Packs the B block of group g: reduction indices [pc, pc + kc), columns [jc, jc + nc). A padded
 * convolution's block is first copied with explicit zero borders. */
static void prepare_b(const swk_kernel_set *ks, const swk_conv *conv, const float *input, int g, int pc, int kc,
                      int jc, int nc, float *bbuf, float *pbuf) {
    swk_conv view;
    int view_k0, view_col0;
    if (conv->padding > 0 && conv->kernel_h * conv->kernel_w > 1
        && swk_pad_block(conv, input, g, pc, kc, jc, nc, pbuf, &view, &view_k0, &view_col0)) {
        ks->pack(&view, pbuf, 0, view_k0, kc, view_col0, nc, bbuf);
    } else {
        ks->pack(conv, input, g, pc, kc, jc, nc, bbuf);
    }
}

/* The float convolution driver (see the top of this file). */
void swk_conv_run(const swk_conv *conv, const float *input, const float *residual, float *output,
                  int group_begin, int group_end, int row_begin, int row_end, int col_begin, int col_end,
                  float *workspace) {
    const swk_kernel_set *ks = swk_kernels_for(conv->isa);
    const int nr = ks->nr;
    const int rows = conv->out_channels / conv->groups;
    const int k = (conv->in_channels / conv->groups) * conv->kernel_h * conv->kernel_w;
    const int panels = (rows + SWK_MR - 1) / SWK_MR;
    const long n = (long)conv->out_height * conv->out_width;
    const size_t element = swk_weight_element_size(conv->weight_type);
    const int kstep = k_step(k);
    float *bbuf = (float *)(((uintptr_t)workspace + 63) & ~(uintptr_t)63);
    float *abuf = bbuf + swk_workspace_a_offset();
    float *pbuf = bbuf + swk_workspace_pad_offset();

    if (col_end - col_begin <= SWK_NARROW && conv->kernel_h == 1 && conv->kernel_w == 1
        && conv->stride == 1 && conv->padding == 0) {
        for (int g = group_begin; g < group_end; g++) {
            conv_narrow(conv, ks->narrow, ks->widen, input, residual, output, g, row_begin, row_end, col_begin,
                        col_end, abuf);
        }
        return;
    }
    for (int g = group_begin; g < group_end; g++) {
        for (int jc = col_begin; jc < col_end; jc += SWK_NC) {
            const int nc = col_end - jc < SWK_NC ? col_end - jc : SWK_NC;
            for (int pc = 0; pc < k; pc += kstep) {
                const int kc = k - pc < kstep ? k - pc : kstep;
                const int last = pc + kc == k;
                prepare_b(ks, conv, input, g, pc, kc, jc, nc, bbuf, pbuf);
                for (int ic = row_begin; ic < row_end; ic += SWK_MC) {
                    const int mc = row_end - ic < SWK_MC ? row_end - ic : SWK_MC;
                    const size_t first_panel = (size_t)g * panels + (size_t)(ic / SWK_MR);
                    /* The A block: float32 weights in place, others widened into the workspace. */
                    const float *ablock;
                    size_t astride;
                    if (conv->weight_type == SWK_WEIGHTS_F32) {
                        ablock = (const float *)conv->weights + (first_panel * k + pc) * SWK_MR;
                        astride = (size_t)k * SWK_MR;
                    } else {
                        astride = (size_t)kc * SWK_MR;
                        for (int i = 0; i * SWK_MR < mc; i++) {
                            const char *src = (const char *)conv->weights + ((first_panel + i) * k + pc) * SWK_MR * element;
                            ks->widen(src, abuf + i * astride, astride, conv->weight_type);
                        }
                        ablock = abuf;
                    }
                    for (int jr = 0; jr < nc; jr += nr) {
                        const int ncols = nc - jr < nr ? nc - jr : nr;
                        for (int ir = 0; ir < mc; ir += SWK_MR) {
                            const int nrows = mc - ir < SWK_MR ? mc - ir : SWK_MR;
                            const long row = (long)g * rows + ic + ir;
                            const long column = jc + jr;
                            float *c = output + row * n + column;
                            swk_epilogue ep = {
                                conv->pre_bias ? conv->pre_bias + row : NULL,
                                conv->scale ? conv->scale + row : NULL,
                                conv->post_bias ? conv->post_bias + row : NULL,
                                residual ? residual + row * n + column : NULL,
                                n, conv->relu,
                            };
                            const float *bpanel = bbuf + (size_t)(jr / nr) * kc * nr;
                            ks->kernel(kc, ablock + (size_t)(ir / SWK_MR) * astride, bpanel, c, n, nrows, ncols, pc > 0,
                                       last ? &ep : NULL);
                        }
                    }
                }
            }
        }
    }
}
