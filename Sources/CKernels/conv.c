/* The convolution driver: implicit-im2col GEMM with BLIS-style cache blocking.
 *
 * Per group: C[Mg x N] = A[Mg x K] * B[K x N], A the packed weights, B the im2col matrix of the input
 * (never built whole). Loops, outermost first: column blocks of SWK_NC (the packed B block, L2/L3),
 * K blocks of about SWK_KC (packed once per column block), row blocks of SWK_MC (the A block, L2;
 * float32 weights are read in place, int8/float16 ones widened into the workspace), NR-column
 * micro-panels (L1), SWK_MR-row micro-panels. The epilogue runs in the microkernel on the last K block. */
#include <stdint.h>
#include "internal.h"

static size_t round_up(size_t value, size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

/* Float offset of the widened-A area inside the workspace. */
static size_t a_area_offset(void) { return round_up((size_t)SWK_KC * (SWK_NC + SWK_NR_MAX), 16); }

size_t swk_conv_workspace_count(const swk_conv *conv) {
    (void)conv;
    return a_area_offset() + (size_t)SWK_MC * SWK_KC + 16;
}

/* K-block length: K split into equal blocks of at most SWK_KC. */
static int k_step(int k) {
    int blocks = (k + SWK_KC - 1) / SWK_KC;
    return (k + blocks - 1) / blocks;
}

void swk_conv_run(const swk_conv *conv, const float *input, const float *residual, float *output,
                  int group_begin, int group_end, int row_begin, int row_end, int col_begin, int col_end,
                  float *workspace) {
    const swk_kernel_set *ks = swk_kernels_for(conv->isa);
    const swk_widen_fn widen = ks->widen ? ks->widen : swk_kernels_for(SWK_ISA_AVX2)->widen;
    const int nr = ks->nr;
    const int rows = conv->out_channels / conv->groups;
    const int k = (conv->in_channels / conv->groups) * conv->kernel_h * conv->kernel_w;
    const int panels = (rows + SWK_MR - 1) / SWK_MR;
    const long n = (long)conv->out_height * conv->out_width;
    const size_t element = swk_weight_element_size(conv->weight_type);
    const int kstep = k_step(k);
    float *bbuf = (float *)(((uintptr_t)workspace + 63) & ~(uintptr_t)63);
    float *abuf = bbuf + a_area_offset();

    for (int g = group_begin; g < group_end; g++) {
        for (int jc = col_begin; jc < col_end; jc += SWK_NC) {
            const int nc = col_end - jc < SWK_NC ? col_end - jc : SWK_NC;
            for (int pc = 0; pc < k; pc += kstep) {
                const int kc = k - pc < kstep ? k - pc : kstep;
                const int last = pc + kc == k;
                if (ks->pack) {
                    ks->pack(conv, input, g, pc, kc, jc, nc, bbuf);
                } else {
                    swk_pack_columns(conv, input, g, pc, kc, jc, nc, nr, bbuf);
                }
                for (int ic = row_begin; ic < row_end; ic += SWK_MC) {
                    const int mc = row_end - ic < SWK_MC ? row_end - ic : SWK_MC;
                    const size_t first_panel = (size_t)g * panels + (size_t)(ic / SWK_MR);
                    const float *ablock;
                    size_t astride;
                    if (conv->weight_type == SWK_WEIGHTS_F32) {
                        ablock = (const float *)conv->weights + (first_panel * k + pc) * SWK_MR;
                        astride = (size_t)k * SWK_MR;
                    } else {
                        astride = (size_t)kc * SWK_MR;
                        for (int i = 0; i * SWK_MR < mc; i++) {
                            const char *src = (const char *)conv->weights
                                + ((first_panel + i) * k + pc) * SWK_MR * element;
                            widen(src, abuf + i * astride, astride, conv->weight_type);
                        }
                        ablock = abuf;
                    }
                    for (int jr = 0; jr < nc; jr += nr) {
                        const int ncols = nc - jr < nr ? nc - jr : nr;
                        const float *bpanel = bbuf + (size_t)(jr / nr) * kc * nr;
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
                            ks->kernel(kc, ablock + (size_t)(ir / SWK_MR) * astride, bpanel, c, n, nrows, ncols,
                                       pc > 0, last ? &ep : NULL);
                        }
                    }
                }
            }
        }
    }
}
