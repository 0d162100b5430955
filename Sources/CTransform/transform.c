#include "swsl_transform.h"

#include <math.h>
#include <string.h>

void swsl_fold_rows(const float *src, size_t rows, size_t per_row, const double *scale, float *dst) {
    for (size_t r = 0; r < rows; r++) {
        const float *s = src + r * per_row;
        float *d = dst + r * per_row;
        if (scale == NULL) {
            if (d != s) memcpy(d, s, per_row * sizeof(float));
            continue;
        }
        const double k = scale[r];
        for (size_t j = 0; j < per_row; j++) d[j] = (float)((double)s[j] * k);
    }
}

static float peak_of(const float *w, size_t n) {
    float peak = 0.0f;
    for (size_t j = 0; j < n; j++) {
        float a = fabsf(w[j]);
        if (a > peak) peak = a;
    }
    return peak;
}

static void quantize(const float *w, size_t n, float scale, int8_t *q, double *signal, double *noise) {
    double sig = 0.0, err = 0.0;
    for (size_t j = 0; j < n; j++) {
        float v = nearbyintf(w[j] / scale);
        if (v > 127.0f) v = 127.0f;
        if (v < -127.0f) v = -127.0f;
        q[j] = (int8_t)v;
        double x = (double)w[j];
        double e = x - (double)v * (double)scale;
        sig += x * x;
        err += e * e;
    }
    *signal += sig;
    *noise += err;
}

void swsl_fold_quantize(const float *src, size_t rows, size_t per_row, const double *fold_scale,
                        int per_channel, float *work, int8_t *out, float *out_scales,
                        double *signal, double *noise) {
    if (per_channel) {
        for (size_t r = 0; r < rows; r++) {
            swsl_fold_rows(src + r * per_row, 1, per_row, fold_scale ? fold_scale + r : NULL, work);
            float peak = peak_of(work, per_row);
            float scale = peak > 0.0f ? peak / 127.0f : 1.0f;
            out_scales[r] = scale;
            double s = 0.0, e = 0.0;
            quantize(work, per_row, scale, out + r * per_row, &s, &e);
            *signal += s;
            *noise += e;
        }
    } else {
        size_t n = rows * per_row;
        swsl_fold_rows(src, rows, per_row, fold_scale, work);
        float peak = peak_of(work, n);
        float scale = peak > 0.0f ? peak / 127.0f : 1.0f;
        out_scales[0] = scale;
        quantize(work, n, scale, out, signal, noise);
    }
}

void swsl_to_half(const float *src, size_t count, uint16_t *dst) {
    for (size_t i = 0; i < count; i++) {
        _Float16 h = (_Float16)src[i];
        memcpy(&dst[i], &h, sizeof h);
    }
}
