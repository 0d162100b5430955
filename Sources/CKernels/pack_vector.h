/* The vectorised implicit im2col, instantiated once per instruction set by pack_avx2.c and
 * pack_avx512.c. Before including, define:
 *   PACK_NAME           the function's name
 *   PACK_TARGET         its target attribute
 *   PACK_NR             columns of a panel (the microkernel's NR)
 *   PACK_WIDTH          floats in one vector
 *   vec_t, mask_t       the vector and lane-mask types
 *   MASK(n)             a mask of the first n lanes (0 <= n <= PACK_WIDTH)
 *   LOAD(m, p)          masked load (lanes off the mask read nothing and are 0)
 *   STORE(p, m, v)      masked store
 *   ZERO()              a zero vector
 *   LOADU(p), STOREU(p, v)  whole-vector unaligned load and store
 *   EVENS(lo, hi)       lanes 0, 2, 4, ... of the 2 * PACK_WIDTH floats in lo:hi
 * The result equals swk_pack_columns with nr = PACK_NR. */

/* Columns [j, j + length) of one im2col row: src[t * stride] (stride 1 or 2), or zeros when src is NULL. */
PACK_TARGET static inline void deal(float *dst, size_t panel_stride, int j, const float *src, int stride, int length) {
    while (length > 0) {
        const int offset = j % PACK_NR;
        int chunk = PACK_NR - offset < length ? PACK_NR - offset : length;
        float *d = dst + (size_t)(j / PACK_NR) * panel_stride + offset;
        j += chunk;
        length -= chunk;
        while (chunk > 0) {
            const int n = chunk < PACK_WIDTH ? chunk : PACK_WIDTH;
            vec_t v;
            if (n == PACK_WIDTH && stride == 1) {
                STOREU(d, src ? LOADU(src) : ZERO());
                if (src) src += n;
                d += n;
                chunk -= n;
                continue;
            }
            if (src == NULL) {
                v = ZERO();
            } else if (stride == 1) {
                v = LOAD(MASK(n), src);
                src += n;
            } else {
                /* Even elements of the next 2n - 1 floats, never reading past the last one needed. */
                const int reach = 2 * n - 1;
                const vec_t lo = LOAD(MASK(reach < PACK_WIDTH ? reach : PACK_WIDTH), src);
                const vec_t hi = reach > PACK_WIDTH ? LOAD(MASK(reach - PACK_WIDTH), src + PACK_WIDTH) : ZERO();
                v = EVENS(lo, hi);
                src += 2 * n;
            }
            STORE(d, MASK(n), v);
            d += n;
            chunk -= n;
        }
    }
}

/* Strides above 2, one element at a time. */
static inline void deal_strided(float *dst, size_t panel_stride, int j, const float *src, int stride, int length) {
    for (int t = 0; t < length; t++, j++) {
        dst[(size_t)(j / PACK_NR) * panel_stride + j % PACK_NR] = src[(size_t)t * stride];
    }
}

/* Copies `length` samples src[t * stride] (stride 1 or 2) to the panels from (panel, offset) on,
 * advancing both. */
PACK_TARGET static inline void deal_run(float **panel, int *offset, size_t panel_stride, const float *src, int stride,
                                        int length) {
    while (length > 0) {
        int chunk = PACK_NR - *offset < length ? PACK_NR - *offset : length;
        float *d = *panel + *offset;
        length -= chunk;
        *offset += chunk;
        if (*offset == PACK_NR) {
            *offset = 0;
            *panel += panel_stride;
        }
        while (chunk > 0) {
            const int n = chunk < PACK_WIDTH ? chunk : PACK_WIDTH;
            vec_t v;
            if (stride == 1) {
                v = n == PACK_WIDTH ? LOADU(src) : LOAD(MASK(n), src);
            } else {
                const int reach = 2 * n - 1;
                const vec_t lo = LOAD(MASK(reach < PACK_WIDTH ? reach : PACK_WIDTH), src);
                const vec_t hi = reach > PACK_WIDTH ? LOAD(MASK(reach - PACK_WIDTH), src + PACK_WIDTH) : ZERO();
                v = EVENS(lo, hi);
            }
            if (n == PACK_WIDTH) {
                STOREU(d, v);
            } else {
                STORE(d, MASK(n), v);
            }
            src += (size_t)n * stride;
            d += n;
            chunk -= n;
        }
    }
}

/* No padding: every window lies inside the input, so each output row's columns are one strided run of
 * one input row. No bounds checks, no divisions inside the loops. */
PACK_TARGET static void pack_inside(const swk_conv *conv, const float *input, int g, int k0, int kc, int col0, int nc,
                                    float *dst) {
    const int kh = conv->kernel_h, kw = conv->kernel_w, s = conv->stride;
    const int h = conv->in_height, w = conv->in_width, ow = conv->out_width;
    const int cg = conv->in_channels / conv->groups;
    const int taps = kh * kw;
    const size_t panel_stride = (size_t)kc * PACK_NR;
    const int padded = (nc + PACK_NR - 1) / PACK_NR * PACK_NR;
    const int oy0 = col0 / ow, ox0 = col0 % ow;
    int ci = k0 / taps, tap = k0 % taps;
    int ky = tap / kw, kx = tap % kw;
    for (int k = 0; k < kc; k++) {
        const float *plane = input + (size_t)(g * cg + ci) * h * w;
        float *panel = dst + (size_t)k * PACK_NR;
        int offset = 0;
        int remaining = nc, oy = oy0, ox = ox0;
        while (remaining > 0) {
            const int length = ow - ox < remaining ? ow - ox : remaining;
            deal_run(&panel, &offset, panel_stride, plane + (size_t)(oy * s + ky) * w + ox * s + kx, s, length);
            remaining -= length;
            ox = 0;
            oy++;
        }
        if (padded > nc) deal(dst + (size_t)k * PACK_NR, panel_stride, nc, NULL, 1, padded - nc);
        if (++kx == kw) {
            kx = 0;
            if (++ky == kh) {
                ky = 0;
                ci++;
            }
        }
    }
}

PACK_TARGET void PACK_NAME(const swk_conv *conv, const float *input, int g, int k0, int kc, int col0, int nc,
                           float *dst) {
    const int pointwise_conv = conv->kernel_h == 1 && conv->kernel_w == 1 && conv->stride == 1;
    if (conv->padding == 0 && conv->stride <= 2 && !pointwise_conv) {
        pack_inside(conv, input, g, k0, kc, col0, nc, dst);
        return;
    }
    const int kh = conv->kernel_h, kw = conv->kernel_w, s = conv->stride, p = conv->padding;
    const int h = conv->in_height, w = conv->in_width, ow = conv->out_width;
    const int cg = conv->in_channels / conv->groups;
    const int taps = kh * kw;
    const size_t panel_stride = (size_t)kc * PACK_NR;
    const int padded = (nc + PACK_NR - 1) / PACK_NR * PACK_NR;
    const int pointwise = kh == 1 && kw == 1 && s == 1 && p == 0;
    int ci = k0 / taps, tap = k0 % taps;
    int ky = tap / kw, kx = tap % kw;
    for (int k = 0; k < kc; k++) {
        const float *plane = input + (size_t)(g * cg + ci) * h * w;
        float *d = dst + (size_t)k * PACK_NR;
        if (pointwise) {
            /* Row k of the im2col matrix is input channel k. */
            deal(d, panel_stride, 0, plane + col0, 1, nc);
        } else {
            /* Walk the block's columns one output row at a time. */
            int col = col0, oy = col0 / ow, ox = col0 % ow;
            while (col < col0 + nc) {
                const int length = ow - ox < col0 + nc - col ? ow - ox : col0 + nc - col;
                const int j = col - col0;
                const int iy = oy * s - p + ky;
                const int ix0 = ox * s - p + kx;
                int lo = 0, hi = 0;
                if (iy >= 0 && iy < h) {
                    lo = ix0 < 0 ? (-ix0 + s - 1) / s : 0;
                    if (lo > length) lo = length;
                    hi = ix0 >= w ? 0 : (w - ix0 + s - 1) / s;
                    if (hi > length) hi = length;
                    if (hi < lo) hi = lo;
                }
                deal(d, panel_stride, j, NULL, 1, lo);
                if (hi > lo) {
                    const float *src = plane + (size_t)iy * w + ix0 + lo * s;
                    if (s <= 2) {
                        deal(d, panel_stride, j + lo, src, s, hi - lo);
                    } else {
                        deal_strided(d, panel_stride, j + lo, src, s, hi - lo);
                    }
                }
                deal(d, panel_stride, j + hi, NULL, 1, length - hi);
                col += length;
                ox = 0;
                oy++;
            }
        }
        deal(d, panel_stride, nc, NULL, 1, padded - nc);
        if (++kx == kw) {
            kx = 0;
            if (++ky == kh) {
                ky = 0;
                ci++;
            }
        }
    }
}
