/* Pools: max (padded with -infinity), average (ceil mode, uncounted padding), global average. */
#include <math.h>
#include "internal.h"

/* max that lets NaN through, as PyTorch's max pool does. */
static inline float max_nan(float m, float v) { return (v > m || v != v) ? v : m; }

/* Largest padded row the max pool handles in one piece (wider rows take the general path). */
#define SWK_POOL_ROW 4096

/* Max pool of one channel: per output row, the element-wise max of its input rows (contiguous, so it
 * vectorises) into a row padded with -infinity, then each output column's window of that row. */
static void max_pool_plane(const float *plane, float *out, int height, int width, int out_height, int out_width,
                           int kernel, int stride, int padding, float *row) {
    float *t = row + padding;
    for (int x = -padding; x < 0; x++) t[x] = -INFINITY;
    const int right = (out_width - 1) * stride - padding + kernel;
    for (int x = width; x < right; x++) t[x] = -INFINITY;
    for (int oy = 0; oy < out_height; oy++) {
        int y0 = oy * stride - padding, y1 = y0 + kernel;
        if (y0 < 0) y0 = 0;
        if (y1 > height) y1 = height;
        if (y1 <= y0) {
            for (int x = 0; x < width; x++) t[x] = -INFINITY;
        } else {
            const float *first = plane + (size_t)y0 * width;
            for (int x = 0; x < width; x++) t[x] = first[x];
            for (int y = y0 + 1; y < y1; y++) {
                const float *r = plane + (size_t)y * width;
                for (int x = 0; x < width; x++) t[x] = max_nan(t[x], r[x]);
            }
        }
        float *o = out + (size_t)oy * out_width;
        if (kernel == 3 && stride == 2) {
            for (int ox = 0; ox < out_width; ox++) {
                const float *w = t + 2 * ox - padding;
                o[ox] = max_nan(max_nan(w[0], w[1]), w[2]);
            }
        } else {
            for (int ox = 0; ox < out_width; ox++) {
                const float *w = t + ox * stride - padding;
                float m = w[0];
                for (int k = 1; k < kernel; k++) m = max_nan(m, w[k]);
                o[ox] = m;
            }
        }
    }
}

void swk_max_pool(const float *input, float *output, int height, int width, int out_height, int out_width,
                  int kernel, int stride, int padding, int c_begin, int c_end) {
    float row[SWK_POOL_ROW];
    const int needed = (out_width - 1) * stride + kernel > width + 2 * padding
        ? (out_width - 1) * stride + kernel : width + 2 * padding;
    for (int c = c_begin; c < c_end; c++) {
        const float *plane = input + (size_t)c * height * width;
        float *out = output + (size_t)c * out_height * out_width;
        if (needed <= SWK_POOL_ROW) {
            max_pool_plane(plane, out, height, width, out_height, out_width, kernel, stride, padding, row);
            continue;
        }
        /* Very wide rows: each output element straight from its clipped window. */
        for (int oy = 0; oy < out_height; oy++) {
            int y0 = oy * stride - padding, y1 = y0 + kernel;
            if (y0 < 0) y0 = 0;
            if (y1 > height) y1 = height;
            for (int ox = 0; ox < out_width; ox++) {
                int x0 = ox * stride - padding, x1 = x0 + kernel;
                if (x0 < 0) x0 = 0;
                if (x1 > width) x1 = width;
                float m = -INFINITY;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) m = max_nan(m, plane[(size_t)y * width + x]);
                }
                out[(size_t)oy * out_width + ox] = m;
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
