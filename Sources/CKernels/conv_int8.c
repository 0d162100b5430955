/* The integer arithmetic's weight side: int8 weights laid out in quads of four reduction indices
 * (the VNNI / maddubs shape), and the range helper. The driver (conv.c) runs both arithmetics. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "internal.h"

size_t swk_quad_weight_count(int out_channels, int groups, int k) {
    size_t rows = (size_t)(out_channels / groups);
    size_t panels = (rows + SWK_MR - 1) / SWK_MR;
    return (size_t)groups * panels * (size_t)((k + 3) / 4) * SWK_MR * 4;
}

void swk_pack_weights_quads(const int8_t *plain, int8_t *dst, int out_channels, int groups, int k) {
    const int rows = out_channels / groups;
    const int panels = (rows + SWK_MR - 1) / SWK_MR;
    const int quads = (k + 3) / 4;
    for (int g = 0; g < groups; g++) {
        for (int p = 0; p < panels; p++) {
            for (int q = 0; q < quads; q++) {
                for (int r = 0; r < SWK_MR; r++) {
                    for (int t = 0; t < 4; t++) {
                        const int row = p * SWK_MR + r, kk = 4 * q + t;
                        *dst++ = (row < rows && kk < k) ? plain[(size_t)(g * rows + row) * k + kk] : 0;
                    }
                }
            }
        }
    }
}

float swk_max_value(const float *x, size_t n) {
    /* Sixteen independent maxima (the element-wise loop vectorises), folded at the end. */
    float m[16];
    for (int j = 0; j < 16; j++) m[j] = -INFINITY;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        for (int j = 0; j < 16; j++) m[j] = x[i + j] > m[j] ? x[i + j] : m[j];
    }
    for (; i < n; i++) m[0] = x[i] > m[0] ? x[i] : m[0];
    float result = -INFINITY;
    for (int j = 0; j < 16; j++) result = m[j] > result ? m[j] : result;
    return result;
}
