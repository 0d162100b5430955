/* The implicit im2col that feeds the microkernels. (Weights come packed by SWSLFormat's
 * PackedWeightLayout, the layout described in CKernels.h.) */
#include <stdint.h>
#include <string.h>
#include "internal.h"

size_t swk_weight_element_size(swk_weight_type type) {
    switch (type) {
    case SWK_WEIGHTS_F32: return 4;
    case SWK_WEIGHTS_F16: return 2;
    case SWK_WEIGHTS_I8: return 1;
    }
    return 4;
}

size_t swk_packed_weight_count(int out_channels, int groups, int k) {
    size_t rows = (size_t)(out_channels / groups);
    size_t panels = (rows + SWK_MR - 1) / SWK_MR;
    return (size_t)groups * panels * SWK_MR * (size_t)k;
}

/* 1x1, stride 1, no padding: row k of the im2col matrix is input channel k, read as one stream and
 * dealt out to the panels. */
static void pack_pointwise(const swk_conv *conv, const float *input, int g, int k0, int kc, int col0, int nc,
                           int nr, float *dst) {
    const size_t plane = (size_t)conv->in_height * conv->in_width;
    const int cg = conv->in_channels / conv->groups;
    const int full = nc / nr, tail = nc % nr;
    const size_t panel_stride = (size_t)kc * nr;
    for (int k = 0; k < kc; k++) {
        const float *src = input + (size_t)(g * cg + k0 + k) * plane + (size_t)col0;
        float *d = dst + (size_t)k * nr;
        for (int p = 0; p < full; p++) {
            for (int j = 0; j < nr; j++) d[j] = src[j];
            src += nr;
            d += panel_stride;
        }
        if (tail) {
            for (int j = 0; j < tail; j++) d[j] = src[j];
            for (int j = tail; j < nr; j++) d[j] = 0.0f;
        }
    }
}

/* Writes columns [j, j + length) of one im2col row into the panels: src[t * stride] for column j + t,
 * or zeros when src is NULL. */
static inline void deal(float *dst, size_t panel_stride, int nr, int j, const float *src, int stride, int length) {
    while (length > 0) {
        const int offset = j % nr;
        const int chunk = nr - offset < length ? nr - offset : length;
        float *restrict d = dst + (size_t)(j / nr) * panel_stride + offset;
        if (src == NULL) {
            for (int u = 0; u < chunk; u++) d[u] = 0.0f;
        } else if (stride == 1) {
            const float *restrict s = src;
            for (int u = 0; u < chunk; u++) d[u] = s[u];
            src += chunk;
        } else {
            for (int u = 0; u < chunk; u++) d[u] = src[u * stride];
            src += (size_t)chunk * stride;
        }
        j += chunk;
        length -= chunk;
    }
}

/* Deals `length` consecutive im2col columns starting at column j (of the block) into the panels:
 * column j + t takes row[ix0 + t * stride], or 0 outside [0, width) or when row is NULL. */
static inline void deal_row(float *dst, size_t panel_stride, int nr, int j, const float *row, int ix0, int stride,
                            int length, int width) {
    if (row == NULL) {
        deal(dst, panel_stride, nr, j, NULL, stride, length);
        return;
    }
    int lo = 0, hi = length;
    if (ix0 < 0) lo = (-ix0 + stride - 1) / stride;
    if (lo > length) lo = length;
    int limit = ix0 >= width ? 0 : (width - ix0 + stride - 1) / stride;
    if (hi > limit) hi = limit;
    if (hi < lo) hi = lo;
    deal(dst, panel_stride, nr, j, NULL, stride, lo);
    deal(dst, panel_stride, nr, j + lo, row + ix0 + lo * stride, stride, hi - lo);
    deal(dst, panel_stride, nr, j + hi, NULL, stride, length - hi);
}

void swk_pack_columns(const swk_conv *conv, const float *input, int g, int k0, int kc, int col0, int nc,
                      int nr, float *dst) {
    const int kh = conv->kernel_h, kw = conv->kernel_w, s = conv->stride, p = conv->padding;
    const int h = conv->in_height, w = conv->in_width, ow = conv->out_width;
    if (kh == 1 && kw == 1 && s == 1 && p == 0) {
        pack_pointwise(conv, input, g, k0, kc, col0, nc, nr, dst);
        return;
    }
    const int cg = conv->in_channels / conv->groups;
    const int taps = kh * kw;
    const size_t panel_stride = (size_t)kc * nr;
    const int padded = (nc + nr - 1) / nr * nr;
    int ci = k0 / taps, tap = k0 % taps;
    int ky = tap / kw, kx = tap % kw;
    for (int k = 0; k < kc; k++) {
        const float *plane = input + (size_t)(g * cg + ci) * h * w;
        float *d = dst + (size_t)k * nr;
        /* Walk the block's columns one output row at a time. */
        int col = col0, oy = col0 / ow, ox = col0 % ow;
        while (col < col0 + nc) {
            int length = ow - ox < col0 + nc - col ? ow - ox : col0 + nc - col;
            int iy = oy * s - p + ky;
            const float *row = (iy >= 0 && iy < h) ? plane + (size_t)iy * w : NULL;
            deal_row(d, panel_stride, nr, col - col0, row, ox * s - p + kx, s, length, w);
            col += length;
            ox = 0;
            oy++;
        }
        for (int j = nc; j < padded; j++) d[(size_t)(j / nr) * panel_stride + j % nr] = 0.0f;
        if (++kx == kw) {
            kx = 0;
            if (++ky == kh) {
                ky = 0;
                ci++;
            }
        }
    }
}
