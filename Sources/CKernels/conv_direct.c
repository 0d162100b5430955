/* The direct float convolution for stride 1: no im2col, no K blocks. The input is read in place as
 * "wide" rows of the padded input (swk_pad_input makes that copy when the convolution pads; without
 * padding the activations are used as they are): output column x of a wide row reads word
 * x + kh * Wp + kw of each input channel's plane, so B rows are contiguous and the columns past the
 * output width (kernel_w - 1 per row) are computed and dropped by the kernel's lane mask. Weights are
 * the packed layout's panels (float32 in place, float16 / int8 widened once per panel), the reduction
 * runs whole in registers, the epilogue once per output. */
#include <stdint.h>
#include <string.h>
#include "internal.h"

int swk_conv_float_is_direct(const swk_conv *conv) {
    const swk_kernel_set *ks = swk_kernels_for(conv->isa);
    return ks->direct != NULL && ks->nr == 32 && conv->stride == 1
        && conv->kernel_h * conv->kernel_w <= SWK_DIRECT_MAX_TAPS
        && (long)conv->out_height * conv->out_width >= 16;
}

size_t swk_padded_input_count(const swk_conv *conv) {
    if (conv->padding == 0) return 0;
    return (size_t)conv->in_channels * ((size_t)conv->in_height + 2 * (size_t)conv->padding)
        * ((size_t)conv->in_width + 2 * (size_t)conv->padding);
}

void swk_pad_input(const swk_conv *conv, const float *input, float *dst, int c_begin, int c_end) {
    const int h = conv->in_height, w = conv->in_width, p = conv->padding;
    const size_t wp = (size_t)w + 2 * (size_t)p, hp = (size_t)h + 2 * (size_t)p;
    for (int c = c_begin; c < c_end; c++) {
        const float *src = input + (size_t)c * h * w;
        float *out = dst + (size_t)c * hp * wp;
        memset(out, 0, (size_t)p * wp * sizeof(float));
        for (int y = 0; y < h; y++) {
            float *line = out + (size_t)(y + p) * wp;
            memset(line, 0, (size_t)p * sizeof(float));
            memcpy(line + p, src + (size_t)y * w, (size_t)w * sizeof(float));
            memset(line + p + w, 0, (size_t)p * sizeof(float));
        }
        memset(out + (size_t)(h + p) * wp, 0, (size_t)p * wp * sizeof(float));
    }
}

void swk_conv_run_direct(const swk_conv *conv, const float *input, const float *residual, float *output,
                         int group_begin, int group_end, int row_begin, int row_end, int col_begin, int col_end,
                         float *workspace) {
    const swk_kernel_set *ks = swk_kernels_for(conv->isa);
    const int nr = ks->nr;
    if (col_begin >= col_end || row_begin >= row_end) return;
    const int rows = conv->out_channels / conv->groups, panels = (rows + SWK_MR - 1) / SWK_MR;
    const int cg = conv->in_channels / conv->groups, taps = conv->kernel_h * conv->kernel_w;
    const size_t k = (size_t)cg * taps;
    const long n = (long)conv->out_height * conv->out_width;
    const long wp = (long)conv->in_width + 2L * conv->padding;
    const long plane = ((long)conv->in_height + 2L * conv->padding) * wp;
    long wide_begin, wide_end;
    swk_wide_range(conv, col_begin, col_end, &wide_begin, &wide_end);
    const size_t element = swk_weight_element_size(conv->weight_type);
    float *abuf = (float *)(((uintptr_t)workspace + 63) & ~(uintptr_t)63);
    uint32_t valid[SWK_DIRECT_CHUNK], loadable[SWK_DIRECT_CHUNK];
    long starts[SWK_DIRECT_CHUNK];
    for (int g = group_begin; g < group_end; g++) {
        const float *base = input + (size_t)g * cg * plane;
        for (long chunk = wide_begin; chunk < wide_end; chunk += (long)SWK_DIRECT_CHUNK * nr) {
            const int count = swk_wide_panels(conv, chunk, wide_end, nr, valid, loadable, starts);
            /* Two 6-row panels per tile (12 rows): each B row loaded serves both. */
            for (int ir = row_begin; ir < row_end; ir += 2 * SWK_MR) {
                const int nrows = row_end - ir < 2 * SWK_MR ? row_end - ir : 2 * SWK_MR;
                const long row = (long)g * rows + ir;
                const size_t panel = (size_t)g * panels + (size_t)(ir / SWK_MR);
                const size_t used = nrows > SWK_MR ? 2 : 1;
                const float *a;
                if (conv->weight_type == SWK_WEIGHTS_F32) {
                    a = (const float *)conv->weights + panel * k * SWK_MR;
                } else {
                    ks->widen((const char *)conv->weights + panel * k * SWK_MR * element, abuf, used * k * SWK_MR,
                              conv->weight_type);
                    a = abuf;
                }
                for (int p = 0; p < count; p++) {
                    if (valid[p] == 0) continue;
                    const long column = starts[p];
                    swk_epilogue ep = {
                        conv->pre_bias ? conv->pre_bias + row : NULL,
                        conv->scale ? conv->scale + row : NULL,
                        conv->post_bias ? conv->post_bias + row : NULL,
                        residual ? residual + row * n + column : NULL,
                        n, conv->relu, NULL,
                    };
                    ks->direct(cg, conv->kernel_h, conv->kernel_w, plane, wp, a, base + chunk + (long)p * nr,
                               output + row * n + column, n, nrows, valid[p], loadable[p], &ep);
                }
            }
        }
    }
}

size_t swk_direct_workspace_count(const swk_conv *conv) {
    return (size_t)(conv->in_channels / (conv->groups > 0 ? conv->groups : 1)) * conv->kernel_h * conv->kernel_w
        * 2 * SWK_MR + 16;
}
