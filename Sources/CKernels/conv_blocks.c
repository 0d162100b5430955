/* The float convolution driver's workspace layout and the zero-bordered copy of a padded input block
 * (conv.c), and the wide-column walk both direct drivers share (conv_direct.c, conv_integer.c).
 * Helpers only: nothing here calls a driver (conv_path.c sizes each path's workspace). */
#include <stdint.h>
#include <string.h>
#include "internal.h"

static size_t round_up(size_t value, size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

/* Floats of the zero-bordered input copy one block may use (see pad_block). */
#define SWK_PAD_CAPACITY (64 * 1024)

/* Float offsets inside the (64-byte aligned) workspace: the packed B block, the widened A block, the
 * padded-input copy. */
size_t swk_workspace_b_offset(void) { return 0; }
size_t swk_workspace_a_offset(void) { return round_up((size_t)(SWK_KC + 4) * (SWK_NC + SWK_NR_MAX), 16); }
size_t swk_workspace_pad_offset(void) { return swk_workspace_a_offset() + round_up((size_t)SWK_MC * SWK_KC, 16); }

/* Floats the float GEMM driver's workspace needs: the blocks above and the padded-input copy. */
size_t swk_gemm_workspace_count(void) { return swk_workspace_pad_offset() + round_up(SWK_PAD_CAPACITY, 16) + 16; }

/* Copies what one (column block, K block) of a padded convolution reads -- its input channels, the
 * input rows its output rows reach, every column a window reaches -- into `buffer` with the zero
 * border made explicit. `view` then describes that copy as an unpadded input, with the block's first
 * reduction index and column in `view_k0` and `view_col0`, so the packer needs no bounds checks.
 * Returns 0 when the copy would not fit SWK_PAD_CAPACITY floats. */
int swk_pad_block(const swk_conv *conv, const float *input, int g, int k0, int kc, int col0, int nc,
                     float *buffer, swk_conv *view, int *view_k0, int *view_col0) {
    const int kh = conv->kernel_h, kw = conv->kernel_w, s = conv->stride, p = conv->padding;
    const int h = conv->in_height, w = conv->in_width, ow = conv->out_width;
    const int taps = kh * kw, cg = conv->in_channels / conv->groups;
    const int first_channel = k0 / taps, channels = (k0 + kc - 1) / taps - first_channel + 1;
    const int first_out_row = col0 / ow, last_out_row = (col0 + nc - 1) / ow;
    const int first_row = first_out_row * s - p;
    const int rows = (last_out_row - first_out_row) * s + kh;
    const int width = (ow - 1) * s + kw;
    if ((size_t)channels * rows * width > SWK_PAD_CAPACITY) return 0;
    const int copy_end = p + w < width ? p + w : width;
    for (int c = 0; c < channels; c++) {
        const float *plane = input + (size_t)(g * cg + first_channel + c) * h * w;
        float *out = buffer + (size_t)c * rows * width;
        for (int r = 0; r < rows; r++, out += width) {
            const int iy = first_row + r;
            if (iy < 0 || iy >= h) {
                memset(out, 0, (size_t)width * sizeof(float));
                continue;
            }
            const int lead = p < width ? p : width;
            memset(out, 0, (size_t)lead * sizeof(float));
            if (copy_end > p) memcpy(out + p, plane + (size_t)iy * w, (size_t)(copy_end - p) * sizeof(float));
            if (width > copy_end && copy_end >= lead) {
                memset(out + copy_end, 0, (size_t)(width - copy_end) * sizeof(float));
            }
        }
    }
    *view = *conv;
    view->in_channels = channels;
    view->groups = 1;
    view->in_height = rows;
    view->in_width = width;
    view->padding = 0;
    *view_k0 = k0 - first_channel * taps;
    *view_col0 = col0 - first_out_row * ow;
    return 1;
}

void swk_wide_range(const swk_conv *conv, int col_begin, int col_end, long *begin, long *end) {
    const long ow = conv->out_width, wp = (long)conv->in_width + 2L * conv->padding;
    *begin = (col_begin / ow) * wp + col_begin % ow;
    *end = ((col_end - 1) / ow) * wp + (col_end - 1) % ow + 1;
}

int swk_wide_panels(const swk_conv *conv, long chunk, long end, int nr, uint32_t *valid, uint32_t *loadable, long *start) {
    const long ow = conv->out_width, wp = (long)conv->in_width + 2L * conv->padding;
    int count = 0;
    for (long x0 = chunk; x0 < end && count < SWK_DIRECT_CHUNK; x0 += nr, count++) {
        uint32_t mask = 0, load = 0;
        long first = -1;
        for (int lane = 0; lane < nr && x0 + lane < end; lane++) {
            const long x = x0 + lane;
            load |= 1u << lane;
            if (x % wp < ow) {
                mask |= 1u << lane;
                if (first < 0) first = (x / wp) * ow + x % wp;
            }
        }
        valid[count] = mask;
        if (loadable) loadable[count] = load;
        start[count] = first;
    }
    return count;
}
