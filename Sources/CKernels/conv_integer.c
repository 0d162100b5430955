/* The integer convolution: activations quantized once per layer into channel quads, weights in tap
 * quads, int8 x uint8 -> int32 sums over the whole reduction, one epilogue per output.
 *
 * Quantized input (swk_quantize_input): [groups][Q][Hp][Wp][4] bytes, Q = ceil(Cg / 4) channel quads
 * per group, Hp = H + 2 * padding, Wp = W + 2 * padding, byte t of pixel (y, x) of quad q holding channel
 * g * Cg + 4q + t at (y - padding, x - padding); the border and the channels past Cg are zero (the
 * quantized value of 0.0). A convolution then needs no bounds checks: reduction quad (tap, q) of output
 * position (oy, ox) is the 32-bit word at (oy * stride + kh, ox * stride + kw) of plane q.
 *
 * Tap-quad weights (swk_pack_weights_tap_quads): element [g][p][kq][r][t] with kq = (kh * KW + kw) * Q + q
 * holds weight[g * Mg + p * SWK_QMR + r][4q + t][kh][kw] (zero past Mg rows or Cg channels): the
 * reduction runs tap by tap over channel quads, the order the packer reads the quantized input in.
 *
 * The driver packs, per column block, the quads of every reduction index for NR-column panels (the
 * kernel set's packer, pack_quads.h: runs of 32-bit words), then runs the microkernel over the whole reduction for each SWK_QMR x NR tile: sums
 * stay in int32 registers until the epilogue. Small planes (the prepacked path, swk_conv_integer_prepacks) have every
 * panel packed once per image, after the quantized input and in pieces threads share (swk_prepack_quads), so tasks
 * cut output rows as finely as they like without packing anything twice. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "internal.h"

/* Bytes of packed quads one column block may hold (the B block, meant to stay in L2; large enough that
 * late layers, whose few columns fit whole, stream their weights once). */
#define SWK_QB_BYTES (384 * 1024)


/* Bytes past the last plane the direct kernels may read (their last columns run past the planes). */
#define SWK_QUANTIZED_SLACK 256

/* The weight scales of a convolution without its own (conv->scale NULL). */
static const float unit_scales[SWK_QMR] = {1, 1, 1, 1, 1, 1, 1, 1};

size_t swk_quantized_input_size(const swk_conv *conv) {
    const size_t hp = (size_t)conv->in_height + 2 * (size_t)conv->padding;
    const size_t wp = (size_t)conv->in_width + 2 * (size_t)conv->padding;
    return (size_t)conv->groups * (size_t)swk_quads_per_group(conv) * hp * wp * 4 + SWK_QUANTIZED_SLACK;
}

size_t swk_tap_quad_weight_count(int out_channels, int groups, int in_channels, int kernel_h, int kernel_w) {
    const size_t rows = (size_t)(out_channels / groups);
    const size_t panels = (rows + SWK_QMR - 1) / SWK_QMR;
    const size_t quads = (size_t)(in_channels / groups + 3) / 4;
    return (size_t)groups * panels * (size_t)kernel_h * kernel_w * quads * SWK_QMR * 4;
}

void swk_pack_weights_tap_quads(const int8_t *plain, int8_t *dst, int out_channels, int groups, int in_channels,
                                int kernel_h, int kernel_w) {
    const int rows = out_channels / groups, cg = in_channels / groups;
    const int panels = (rows + SWK_QMR - 1) / SWK_QMR, quads = (cg + 3) / 4, taps = kernel_h * kernel_w;
    for (int g = 0; g < groups; g++) {
        for (int p = 0; p < panels; p++) {
            for (int tap = 0; tap < taps; tap++) {
                for (int q = 0; q < quads; q++) {
                    for (int r = 0; r < SWK_QMR; r++) {
                        for (int t = 0; t < 4; t++) {
                            const int row = p * SWK_QMR + r, channel = 4 * q + t;
                            *dst++ = row < rows && channel < cg
                                ? plain[((size_t)(g * rows + row) * cg + channel) * taps + tap] : 0;
                        }
                    }
                }
            }
        }
    }
}

void swk_quantize_input(const swk_conv *conv, const float *input, uint8_t *dst, float inverse, int zero_point,
                        int quad_begin, int quad_end) {
    const swk_int8_kernel_set *iks = swk_int8_kernels_of(conv);
    const int h = conv->in_height, w = conv->in_width, pad = conv->padding;
    const int cg = conv->in_channels / conv->groups, quads = swk_quads_per_group(conv);
    const size_t wp = (size_t)w + 2 * (size_t)pad, hp = (size_t)h + 2 * (size_t)pad;
    const size_t plane = (size_t)h * w;
    const int levels = swk_levels(conv);
    const int zero = zero_point < 0 ? 0 : zero_point > levels ? levels : zero_point;
    /* Without padding the rows of a plane are contiguous: one call quantizes it whole. */
    const int rows = pad == 0 ? 1 : h, width = pad == 0 ? h * w : w;
    for (int index = quad_begin; index < quad_end; index++) {
        const int g = index / quads, q = index % quads;
        uint8_t *out = dst + (size_t)index * hp * wp * 4;
        const float *planes[4];
        for (int t = 0; t < 4; t++) planes[t] = 4 * q + t < cg ? input + (size_t)(g * cg + 4 * q + t) * plane : NULL;
        /* The border holds the quantized 0.0: the zero point. */
        memset(out, zero, (size_t)pad * wp * 4);
        for (int y = 0; y < rows; y++) {
            uint8_t *line = out + ((size_t)(y + pad) * wp) * 4;
            memset(line, zero, (size_t)pad * 4);
            const float *src[4];
            for (int t = 0; t < 4; t++) src[t] = planes[t] ? planes[t] + (size_t)y * width : NULL;
            iks->quantize_row(src, line + (size_t)pad * 4, width, inverse, (float)zero, (float)levels);
            memset(line + ((size_t)pad + width) * 4, zero, (size_t)pad * 4);
        }
        memset(out + ((size_t)(h + pad) * wp) * 4, zero, (size_t)pad * wp * 4);
    }
}

void swk_min_max_value(const float *x, size_t n, float *min, float *max) {
    float lo[16], hi[16];
    for (int j = 0; j < 16; j++) { lo[j] = INFINITY; hi[j] = -INFINITY; }
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        for (int j = 0; j < 16; j++) {
            lo[j] = x[i + j] < lo[j] ? x[i + j] : lo[j];
            hi[j] = x[i + j] > hi[j] ? x[i + j] : hi[j];
        }
    }
    for (; i < n; i++) {
        lo[0] = x[i] < lo[0] ? x[i] : lo[0];
        hi[0] = x[i] > hi[0] ? x[i] : hi[0];
    }
    float a = INFINITY, b = -INFINITY;
    for (int j = 0; j < 16; j++) {
        a = lo[j] < a ? lo[j] : a;
        b = hi[j] > b ? hi[j] : b;
    }
    *min = a;
    *max = b;
}

/* Bytes of the packed column block in the integer workspace (the widened weight panel follows it): at
 * least one panel of the set's columns. */
static size_t column_block_bytes(const swk_conv *conv) {
    const swk_int8_kernel_set *iks = swk_int8_kernels_of(conv);
    const size_t kq = (size_t)conv->kernel_h * conv->kernel_w * swk_quads_per_group(conv);
    const size_t least = kq * 4 * (size_t)iks->nr;
    return least > SWK_QB_BYTES ? least : SWK_QB_BYTES;
}

size_t swk_integer_workspace_bytes(const swk_conv *conv) {
    const int kq = conv->kernel_h * conv->kernel_w * swk_quads_per_group(conv);
    const swk_int8_kernel_set *iks = swk_int8_kernels_of(conv);
    const size_t block = column_block_bytes(conv);
    const size_t panel = iks->widen ? swk_widened_panel_bytes(kq) : 0;
    /* One mark per quad of the column block's panels (block / (4 nr) at most). */
    const size_t marks = iks->mark ? block / (4 * (size_t)iks->nr) : 0;
    return 64 + block + panel + marks;
}

/* Stride-1 convolutions with a direct microkernel: no packing. Output positions are walked as "wide"
 * columns of the padded input (row length Wp, so reduction quad (tap, q) of wide column x is word
 * x + kh * Wp + kw of plane q); the kernel_w - 1 columns per row past the output width are computed and
 * dropped by the kernel's lane mask. */
static void run_direct(const swk_conv *conv, const swk_int8_kernel_set *iks, const uint8_t *quantized,
                       const float *residual, float *output, int group_begin, int group_end, int row_begin,
                       int row_end, int col_begin, int col_end, float *max) {
    const int nr = iks->nr;
    const int rows = conv->out_channels / conv->groups, panels = (rows + SWK_QMR - 1) / SWK_QMR;
    const int quads = swk_quads_per_group(conv), taps = conv->kernel_h * conv->kernel_w;
    const int kq = taps * quads;
    const long n = (long)conv->out_height * conv->out_width;
    const long wp = (long)conv->in_width + 2L * conv->padding;
    const long plane = ((long)conv->in_height + 2L * conv->padding) * wp;
    long offsets[SWK_DIRECT_MAX_TAPS];
    for (int kh = 0, t = 0; kh < conv->kernel_h; kh++) {
        for (int kw = 0; kw < conv->kernel_w; kw++) offsets[t++] = kh * wp + kw;
    }
    long wide_begin, wide_end;
    swk_wide_range(conv, col_begin, col_end, &wide_begin, &wide_end);
    uint32_t masks[SWK_DIRECT_CHUNK];
    long starts[SWK_DIRECT_CHUNK];
    for (int g = group_begin; g < group_end; g++) {
        const uint32_t *base = (const uint32_t *)quantized + (size_t)g * quads * plane;
        for (long chunk = wide_begin; chunk < wide_end; chunk += (long)SWK_DIRECT_CHUNK * nr) {
            const int count = swk_wide_panels(conv, chunk, wide_end, nr, masks, NULL, starts);
            for (int ir = row_begin; ir < row_end; ir += SWK_QMR) {
                const int nrows = row_end - ir < SWK_QMR ? row_end - ir : SWK_QMR;
                const long row = (long)g * rows + ir;
                const int8_t *apanel = conv->quad_weights + ((size_t)g * panels + (size_t)(ir / SWK_QMR)) * kq * SWK_QMR * 4;
                for (int p = 0; p < count; p++) {
                    if (masks[p] == 0) continue;
                    const long column = starts[p];
                    if (p + 1 < count && masks[p + 1] != 0) {
                        /* The next tile's output and residual lines, requested while this one computes. */
                        for (int r = 0; r < nrows; r++) {
                            const float *next = output + (row + r) * n + starts[p + 1];
                            __builtin_prefetch(next, 1);
                            __builtin_prefetch(next + 16, 1);
                            if (residual) {
                                __builtin_prefetch(residual + (row + r) * n + starts[p + 1], 0);
                                __builtin_prefetch(residual + (row + r) * n + starts[p + 1] + 16, 0);
                            }
                        }
                    }
                    swk_epilogue ep = {
                        NULL, NULL,
                        conv->post_bias ? conv->post_bias + row : NULL,
                        residual ? residual + row * n + column : NULL,
                        n, conv->relu, max,
                    };
                    iks->direct(taps, quads, offsets, plane, apanel, base + chunk + (long)p * nr, output + row * n + column, n,
                                nrows, masks[p], &ep, conv->scale ? conv->scale + row : unit_scales, conv->input_scale);
                }
            }
        }
    }
}

int swk_conv_integer_is_direct(const swk_conv *conv) {
    const swk_int8_kernel_set *iks = swk_int8_kernels_of(conv);
    return iks->direct && conv->stride == 1 && conv->kernel_h * conv->kernel_w <= SWK_DIRECT_MAX_TAPS && iks->nr <= 32;
}

/* Bytes of the packed quads of every output position (whole panels) of one group, when the prepacked path
 * holds them all; the marks (iks->mark) follow them. */
static size_t prepacked_quad_bytes(const swk_conv *conv) {
    const swk_int8_kernel_set *iks = swk_int8_kernels_of(conv);
    const size_t kq = (size_t)conv->kernel_h * conv->kernel_w * swk_quads_per_group(conv);
    const size_t n = (size_t)conv->out_height * conv->out_width;
    return (n + (size_t)iks->nr - 1) / (size_t)iks->nr * kq * (size_t)iks->nr * 4;
}

/* Bytes of the marks after the prepacked quads (one per quad and panel), 0 for sets without marks. */
static size_t prepacked_mark_bytes(const swk_conv *conv) {
    const swk_int8_kernel_set *iks = swk_int8_kernels_of(conv);
    return iks->mark ? prepacked_quad_bytes(conv) / (4 * (size_t)iks->nr) : 0;
}

/* Where the packed quads start in the prepared bytes: after the quantized input, on a cache line. */
static size_t prepacked_offset(const swk_conv *conv) { return (swk_quantized_input_size(conv) + 63) / 64 * 64; }

int swk_conv_integer_prepacks(const swk_conv *conv) {
    return conv->groups == 1 && prepacked_quad_bytes(conv) + prepacked_mark_bytes(conv) <= SWK_PREPACKED_BYTES;
}

size_t swk_prepacked_input_size(const swk_conv *conv) {
    return prepacked_offset(conv) + prepacked_quad_bytes(conv) + prepacked_mark_bytes(conv);
}

int swk_prepack_pieces(const swk_conv *conv) {
    const int nr = swk_int8_kernels_of(conv)->nr;
    return (conv->out_height * conv->out_width + nr - 1) / nr;
}

/* The prepacked path's packed panel `panel` in the prepared bytes, and that panel's marks (NULL for sets without). */
static uint32_t *prepacked_panel(const swk_conv *conv, const uint8_t *prepared, int panel) {
    const size_t kq = (size_t)conv->kernel_h * conv->kernel_w * swk_quads_per_group(conv);
    return (uint32_t *)(prepared + prepacked_offset(conv)) + (size_t)panel * kq * (size_t)swk_int8_kernels_of(conv)->nr;
}

static uint8_t *prepacked_marks(const swk_conv *conv, const uint8_t *prepared, int panel) {
    const size_t kq = (size_t)conv->kernel_h * conv->kernel_w * swk_quads_per_group(conv);
    if (!swk_int8_kernels_of(conv)->mark) return NULL;
    return (uint8_t *)prepared + prepacked_offset(conv) + prepacked_quad_bytes(conv) + (size_t)panel * kq;
}

/* Packs columns [col0, col0 + nc) of group g into panels at `dst` and, for sets that choose their step by it, marks
 * their quads into `marks`: both integer paths' packing. */
static void pack_and_mark(const swk_conv *conv, const swk_int8_kernel_set *iks, const uint8_t *quantized, int g, int col0,
                          int nc, uint32_t *dst, uint8_t *marks) {
    iks->pack(conv, quantized, g, col0, nc, dst);
    if (iks->mark) {
        iks->mark(conv->kernel_h * conv->kernel_w * swk_quads_per_group(conv), (nc + iks->nr - 1) / iks->nr, dst, marks);
    }
}

void swk_prepack_quads(const swk_conv *conv, uint8_t *prepared, int panel_begin, int panel_end) {
    const swk_int8_kernel_set *iks = swk_int8_kernels_of(conv);
    const int nr = iks->nr, n = conv->out_height * conv->out_width;
    if (panel_begin >= panel_end) return;
    const int col0 = panel_begin * nr, col1 = panel_end * nr < n ? panel_end * nr : n;
    pack_and_mark(conv, iks, prepared, 0, col0, col1 - col0, prepacked_panel(conv, prepared, panel_begin),
                  prepacked_marks(conv, prepared, panel_begin));
}

/* The rows x columns of one packed column block (columns [jc, jc + nc) of group g, its panels at `bbuf`, their marks
 * at `high`): per row panel, its weights (widened once into `widened` where the set reads another form), then every
 * tile of the block. */
static void run_block(const swk_conv *conv, const swk_int8_kernel_set *iks, const uint32_t *bbuf, const uint8_t *high,
                      const float *residual, float *output, int g, int row_begin, int row_end, int jc, int nc,
                      void *widened, float *max) {
    const int nr = iks->nr;
    const int rows = conv->out_channels / conv->groups;
    const int panels = (rows + SWK_QMR - 1) / SWK_QMR;
    const int kq = conv->kernel_h * conv->kernel_w * swk_quads_per_group(conv);
    const long n = (long)conv->out_height * conv->out_width;
    for (int ir = row_begin; ir < row_end; ir += SWK_QMR) {
        const int nrows = row_end - ir < SWK_QMR ? row_end - ir : SWK_QMR;
        const long row = (long)g * rows + ir;
        const int8_t *quads = conv->quad_weights + ((size_t)g * panels + (size_t)(ir / SWK_QMR)) * kq * SWK_QMR * 4;
        const void *apanel = quads;
        if (iks->widen) {
            iks->widen(kq, quads, widened);
            apanel = widened;
        }
        for (int jr = 0; jr < nc; jr += nr) {
            const int ncols = nc - jr < nr ? nc - jr : nr;
            const long column = jc + jr;
            /* The next tile's output and residual lines, requested while this tile computes: with
             * short reductions (1x1 convolutions) the epilogue otherwise waits on them. */
            if (jr + nr < nc) {
                for (int r = 0; r < nrows; r++) {
                    const float *next = output + (row + r) * n + column + nr;
                    __builtin_prefetch(next, 1);
                    __builtin_prefetch(next + 16, 1);
                    if (residual) {
                        __builtin_prefetch(residual + (row + r) * n + column + nr, 0);
                        __builtin_prefetch(residual + (row + r) * n + column + nr + 16, 0);
                    }
                }
            }
            swk_epilogue ep = {
                NULL, NULL,
                conv->post_bias ? conv->post_bias + row : NULL,
                residual ? residual + row * n + column : NULL,
                n, conv->relu, max,
            };
            iks->kernel(kq, apanel, (const uint8_t *)(bbuf + (size_t)(jr / nr) * kq * nr),
                        iks->mark ? high + (size_t)(jr / nr) * kq : NULL, output + row * n + column, n, nrows, ncols, 0,
                        &ep, conv->scale ? conv->scale + row : unit_scales, conv->input_scale);
        }
    }
}

float swk_conv_run_integer(const swk_conv *conv, swk_conv_path path, const uint8_t *quantized, const float *residual,
                           float *output, int group_begin, int group_end, int row_begin, int row_end, int col_begin,
                           int col_end, void *workspace) {
    const swk_int8_kernel_set *iks = swk_int8_kernels_of(conv);
    float max = -INFINITY;
    if (col_begin >= col_end || row_begin >= row_end) return max;
    if (path == SWK_PATH_INTEGER_DIRECT) {
        run_direct(conv, iks, quantized, residual, output, group_begin, group_end, row_begin, row_end, col_begin, col_end,
                   &max);
        return max;
    }
    const int nr = iks->nr;
    const int kq = conv->kernel_h * conv->kernel_w * swk_quads_per_group(conv);
    const size_t bytes = column_block_bytes(conv);
    uint32_t *bbuf = (uint32_t *)(((uintptr_t)workspace + 63) & ~(uintptr_t)63);
    /* The set's widened weight panel, rewritten once per (column block, row panel) and read by every tile. */
    void *widened = (uint8_t *)bbuf + bytes;
    if (path == SWK_PATH_INTEGER_PREPACKED && conv->groups == 1 && col_begin % nr == 0) {
        /* Every panel was packed (and marked) by swk_prepack_quads: this task only reads its own. */
        if (group_begin > 0 || group_end < 1) return max;
        run_block(conv, iks, prepacked_panel(conv, quantized, col_begin / nr), prepacked_marks(conv, quantized, col_begin / nr),
                  residual, output, 0, row_begin, row_end, col_begin, col_end - col_begin, widened, &max);
        return max;
    }
    int block = (int)(bytes / ((size_t)kq * 4) / (size_t)nr) * nr;
    if (block > SWK_NC) block = SWK_NC;
    /* The set's marks of the block's quads (iks->mark), made once per column block. */
    uint8_t *high = (uint8_t *)widened + (iks->widen ? swk_widened_panel_bytes(kq) : 0);
    for (int g = group_begin; g < group_end; g++) {
        for (int jc = col_begin; jc < col_end; jc += block) {
            const int nc = col_end - jc < block ? col_end - jc : block;
            pack_and_mark(conv, iks, quantized, g, jc, nc, bbuf, high);
            run_block(conv, iks, bbuf, high, residual, output, g, row_begin, row_end, jc, nc, widened, &max);
        }
    }
    return max;
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
