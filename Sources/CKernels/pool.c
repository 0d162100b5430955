/* Pools: max (padded with -infinity), average (ceil mode, uncounted padding), global average. */
#include <math.h>
#include "internal.h"

void swk_max_pool(const float *input, float *output, int height, int width, int out_height, int out_width,
                  int kernel, int stride, int padding, int c_begin, int c_end) {
    for (int c = c_begin; c < c_end; c++) {
        const float *plane = input + (size_t)c * height * width;
        float *out = output + (size_t)c * out_height * out_width;
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
                    const float *row = plane + (size_t)y * width;
                    for (int x = x0; x < x1; x++) {
                        float v = row[x];
                        if (v > m || isnan(v)) m = v;
                    }
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
