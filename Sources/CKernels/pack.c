/* Weight packing and the implicit im2col that feeds the microkernels. */
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

void swk_pack_weights(const void *src, void *dst, size_t element_size, int out_channels, int groups, int k) {
    const unsigned char *in = src;
    unsigned char *out = dst;
    int rows = out_channels / groups;
    int panels = (rows + SWK_MR - 1) / SWK_MR;
    for (int g = 0; g < groups; g++) {
        for (int p = 0; p < panels; p++) {
            unsigned char *panel = out + ((size_t)(g * panels + p) * (size_t)k * SWK_MR) * element_size;
            for (int r = 0; r < SWK_MR; r++) {
                int row = p * SWK_MR + r;
                for (int kk = 0; kk < k; kk++) {
                    unsigned char *d = panel + ((size_t)kk * SWK_MR + (size_t)r) * element_size;
                    if (row < rows) {
                        memcpy(d, in + ((size_t)(g * rows + row) * (size_t)k + (size_t)kk) * element_size, element_size);
                    } else {
                        memset(d, 0, element_size);
                    }
                }
            }
        }
    }
}

/* 1x1, stride 1, no padding: column j of the im2col matrix is input position j. */
static void pack_pointwise(const swk_conv *conv, const float *input, int g, int k0, int kc, int col0, int nc,
                           int nr, float *dst) {
    size_t plane = (size_t)conv->in_height * conv->in_width;
    int cg = conv->in_channels / conv->groups;
    for (int c0 = 0; c0 < nc; c0 += nr) {
        int width = nc - c0 < nr ? nc - c0 : nr;
        float *panel = dst + (size_t)(c0 / nr) * kc * nr;
        const float *src = input + (size_t)(g * cg + k0) * plane + (size_t)(col0 + c0);
        for (int k = 0; k < kc; k++) {
            float *d = panel + (size_t)k * nr;
            memcpy(d, src + (size_t)k * plane, (size_t)width * sizeof(float));
            for (int j = width; j < nr; j++) d[j] = 0.0f;
        }
    }
}

/* A stretch of a panel's columns that lie on one output row. */
typedef struct {
    int oy, ox, length, offset;
} column_run;

/* Copies `length` input samples ix0, ix0 + stride, ... of one row (zero outside [0, width)). */
static inline void gather_row(float *d, const float *row, int ix0, int stride, int length, int width) {
    int lo = 0, hi = length;
    if (ix0 < 0) lo = (-ix0 + stride - 1) / stride;
    if (lo > length) lo = length;
    int limit = ix0 >= width ? 0 : (width - ix0 + stride - 1) / stride;
    if (hi > limit) hi = limit;
    if (hi < lo) hi = lo;
    for (int t = 0; t < lo; t++) d[t] = 0.0f;
    if (stride == 1) {
        if (hi > lo) memcpy(d + lo, row + ix0 + lo, (size_t)(hi - lo) * sizeof(float));
    } else {
        for (int t = lo; t < hi; t++) d[t] = row[ix0 + t * stride];
    }
    for (int t = hi; t < length; t++) d[t] = 0.0f;
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
    column_run runs[SWK_NR_MAX];
    for (int c0 = 0; c0 < nc; c0 += nr) {
        int width = nc - c0 < nr ? nc - c0 : nr;
        float *panel = dst + (size_t)(c0 / nr) * kc * nr;
        /* Split the panel's columns into runs on one output row. */
        int count = 0;
        int col = col0 + c0;
        int oy = col / ow, ox = col % ow;
        for (int j = 0; j < width;) {
            int length = ow - ox < width - j ? ow - ox : width - j;
            runs[count++] = (column_run){oy, ox, length, j};
            j += length;
            ox = 0;
            oy += 1;
        }
        int ci = (k0 / taps), tap = k0 % taps;
        int ky = tap / kw, kx = tap % kw;
        for (int k = 0; k < kc; k++) {
            float *d = panel + (size_t)k * nr;
            const float *plane = input + (size_t)(g * cg + ci) * h * w;
            for (int r = 0; r < count; r++) {
                const column_run run = runs[r];
                int iy = run.oy * s - p + ky;
                if (iy < 0 || iy >= h) {
                    for (int t = 0; t < run.length; t++) d[run.offset + t] = 0.0f;
                } else {
                    gather_row(d + run.offset, plane + (size_t)iy * w, run.ox * s - p + kx, s, run.length, w);
                }
            }
            for (int j = width; j < nr; j++) d[j] = 0.0f;
            if (++kx == kw) {
                kx = 0;
                if (++ky == kh) {
                    ky = 0;
                    ci++;
                }
            }
        }
    }
}
