/* Pools: max (padded with -infinity), average (ceil mode, uncounted padding), global average. */
#include <math.h>
#include "internal.h"

/* max that lets NaN through, as PyTorch's max pool does. */
static inline float max_nan(float m, float v) { return (v > m || v != v) ? v : m; }

/* Horizontal pass of one input row for output columns [first, first + count):
 * h[i] = max of the row over column first + i's window (clipped to the row). */
static void max_row(const float *row, float *h, int width, int first, int count, int kernel, int stride,
                    int padding) {
    /* Columns whose window lies inside the row: ox * stride - padding >= 0 and + kernel <= width. */
    int lo = (padding + stride - 1) / stride;
    int hi = width - kernel + padding >= 0 ? (width - kernel + padding) / stride + 1 : 0;
    if (lo < first) lo = first;
    if (hi > first + count) hi = first + count;
    if (lo > hi) lo = hi;
    for (int ox = first; ox < first + count; ox++) {
        if (ox == lo && hi > lo) {
            ox = hi - 1;
            continue;
        }
        int x0 = ox * stride - padding, x1 = x0 + kernel;
        if (x0 < 0) x0 = 0;
        if (x1 > width) x1 = width;
        float m = -INFINITY;
        for (int x = x0; x < x1; x++) m = max_nan(m, row[x]);
        h[ox - first] = m;
    }
    float *hh = h - first;
    for (int ox = lo; ox < hi; ox++) hh[ox] = -INFINITY;
    for (int t = 0; t < kernel; t++) {
        const float *r = row + t - padding;
        if (stride == 2) {
            /* The ResNet stem's pool; a constant stride lets the compiler vectorise. */
            for (int ox = lo; ox < hi; ox++) hh[ox] = max_nan(hh[ox], r[2 * ox]);
        } else {
            for (int ox = lo; ox < hi; ox++) hh[ox] = max_nan(hh[ox], r[ox * stride]);
        }
    }
}

void swk_max_pool(const float *input, float *output, int height, int width, int out_height, int out_width,
                  int kernel, int stride, int padding, int c_begin, int c_end) {
    float h[1024];
    for (int c = c_begin; c < c_end; c++) {
        const float *plane = input + (size_t)c * height * width;
        float *out = output + (size_t)c * out_height * out_width;
        for (int x0 = 0; x0 < out_width; x0 += 1024) {
            const int chunk = out_width - x0 < 1024 ? out_width - x0 : 1024;
            for (int oy = 0; oy < out_height; oy++) {
                int y0 = oy * stride - padding, y1 = y0 + kernel;
                if (y0 < 0) y0 = 0;
                if (y1 > height) y1 = height;
                float *o = out + (size_t)oy * out_width + x0;
                for (int ox = 0; ox < chunk; ox++) o[ox] = -INFINITY;
                for (int y = y0; y < y1; y++) {
                    const float *row = plane + (size_t)y * width;
                    max_row(row, h, width, x0, chunk, kernel, stride, padding);
                    for (int ox = 0; ox < chunk; ox++) o[ox] = max_nan(o[ox], h[ox]);
                }
            }
        }
    }
}

void swk_avg_pool_ceil(const float *input, float *output, int height, int width, int out_height, int out_width,
                       int kernel, int stride, int c_begin, int c_end) {
    for (int c = c_begin; c < c_end; c++) {
        const float *plane = input + (size_t)c * height * width;
        float *out = output + (size_t)c * out_height * out_width;
        for (int oy = 0; oy < out_height; oy++) {
            int y0 = oy * stride, y1 = y0 + kernel;
            if (y1 > height) y1 = height;
            for (int ox = 0; ox < out_width; ox++) {
                int x0 = ox * stride, x1 = x0 + kernel;
                if (x1 > width) x1 = width;
                float sum = 0.0f;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) sum += plane[(size_t)y * width + x];
                }
                out[(size_t)oy * out_width + ox] = sum / (float)((y1 - y0) * (x1 - x0));
            }
        }
    }
}

void swk_global_avg_pool(const float *input, float *output, int plane, int out_stride, int c_begin, int c_end) {
    for (int c = c_begin; c < c_end; c++) {
        const float *p = input + (size_t)c * plane;
        float sum = 0.0f;
        for (int i = 0; i < plane; i++) sum += p[i];
        output[(size_t)c * out_stride] = sum / (float)plane;
    }
}
