#ifndef SWSL_CKERNELS_INTERNAL_H
#define SWSL_CKERNELS_INTERNAL_H

#include "include/CKernels.h"

/* Cache blocking of the convolution driver (see conv.c). SWK_MC is a multiple of SWK_MR and
 * SWK_NC a multiple of every microkernel's NR. */
#define SWK_KC 256
#define SWK_MC 96
#define SWK_NC 512
/* Widest microkernel tile (columns). */
#define SWK_NR_MAX 32

/* What a microkernel applies to its tile after the last K block. Pointers are already moved to
 * the tile's first row (pre_bias, scale, post_bias) or first element (residual); NULL when absent.
 * `max` (integer kernels only; NULL when not wanted): raised to the largest value the tile stores. */
typedef struct {
    const float *pre_bias;
    const float *scale;
    const float *post_bias;
    const float *residual;
    long ldr;
    int relu;
    float *max;
} swk_epilogue;

/* C[mr x nr] (+)= A[kc panel of SWK_MR] * B[kc panel of NR]; then the epilogue when `ep` is non-NULL.
 * `accumulate` adds the tile's current contents (later K blocks). */
typedef void (*swk_microkernel_fn)(int kc, const float *a, const float *b, float *c, long ldc,
                                   int mr, int nr, int accumulate, const swk_epilogue *ep);

/* Converts `n` packed weight elements of `type` (F16 or I8) to float, unscaled. */
typedef void (*swk_widen_fn)(const void *src, float *dst, size_t n, swk_weight_type type);

/* Columns of the matrix-vector path (1x1 convolutions over at most this many positions). */
#define SWK_NARROW 4

/* acc[r][c] += sum over kc of a[k * SWK_MR + r] * x[k * ldx + c], for c < cols <= SWK_NARROW. */
typedef void (*swk_narrow_fn)(int kc, const float *a, const float *x, long ldx, int cols,
                              float acc[SWK_MR][SWK_NARROW]);

/* Packs im2col columns for a kernel set's NR (see swk_pack_columns). */
typedef void (*swk_pack_fn)(const swk_conv *conv, const float *input, int g, int k0, int kc, int col0, int nc,
                            float *dst);

/* Direct float microkernel for stride-1 convolutions (conv_direct.c): C[mr x NR] = A . B over the whole
 * reduction, mr <= 2 * SWK_MR rows from two consecutive weight panels (`a`, then `a + k * SWK_MR`, k the
 * reduction length; the second read only when mr > SWK_MR), k in the packed layout's (channel, kh, kw) order, B row k read in place at
 * b + c * plane + kh * wp + kw (a "wide" row of the padded input; lanes outside `loadable` are not
 * read). `valid` marks the columns that are real outputs, stored consecutively (as the integer direct
 * kernel), after the full epilogue. */
typedef void (*swk_direct_fn)(int channels, int kernel_h, int kernel_w, long plane, long wp, const float *a,
                              const float *b, float *c, long ldc, int mr, uint32_t valid, uint32_t loadable,
                              const swk_epilogue *ep);

/* The kernels of one instruction set; every slot but `direct` is filled (the AVX-512 table takes the
 * AVX2 widen and narrow kernels: every AVX-512 CPU has AVX2); `direct` is NULL where the set has none. */
typedef struct {
    int nr;
    swk_microkernel_fn kernel;
    swk_widen_fn widen;
    swk_pack_fn pack;
    swk_narrow_fn narrow;
    swk_direct_fn direct;
} swk_kernel_set;

/* Integer microkernel: C[mr x nr] (+)= float(A_s8 . B_u8) * (wscale[r] * xscale) over `kq` groups of
 * four reduction indices (A panels of SWK_QMR rows, mr <= SWK_QMR: tap quads, or the set's widened form
 * where it has a `widen` step), then the epilogue (without its scale) when `ep` is non-NULL. `high` is the
 * panel's marks from the set's `mark` step (NULL for sets without one). Every set computes the exact int32
 * sums: no intermediate saturation for any int8 weight and 8-bit activation. */
typedef void (*swk_qkernel_fn)(int kq, const void *a, const uint8_t *b, const uint8_t *high, float *c, long ldc,
                               int mr, int nr, int accumulate, const swk_epilogue *ep, const float *wscale,
                               float xscale);

/* Marks the reduction quads of `panels` packed column panels (consecutive, kq quads of nr words each, from
 * `block`): high[p * kq + q] is nonzero when some activation byte of panel p's quad q is 128 or more. */
typedef void (*swk_mark_quads_fn)(int kq, int panels, const uint32_t *block, uint8_t *high);

/* Rewrites one tap-quad weight panel (`kq` quads of SWK_QMR rows) into the form a set's microkernel reads
 * (`dst`: swk_widened_panel_bytes(kq) bytes). */
typedef void (*swk_widen_panel_fn)(int kq, const int8_t *a, void *dst);

/* Bytes of one widened weight panel: kq quads x SWK_QMR rows x (four int16 and the four int8 they came from). */
static inline size_t swk_widened_panel_bytes(int kq) {
    return (size_t)kq * SWK_QMR * 4 * (sizeof(int16_t) + sizeof(int8_t));
}

/* Quantizes one row of `width` pixels of four channels (`src[t]` NULL: absent, zero) into 32-bit words,
 * byte t from channel t: q = clamp(round_to_nearest_even(x * inverse + zero), 0, top), `top` the conv's levels. */
typedef void (*swk_quantize_row_fn)(const float *const src[4], uint8_t *dst, int width, float inverse, float zero,
                                    float top);

/* Packs the quads of output columns [col0, col0 + nc) of group g into panels (pack_quads.h). */
typedef void (*swk_pack_quads_fn)(const swk_conv *conv, const uint8_t *quantized, int g, int col0, int nc,
                                  uint32_t *dst);

/* Direct integer microkernel for stride-1 convolutions: no packing, B read in place. Reduction quad
 * (t, q), t < taps, q < quads, is the NR words at b + tap_offsets[t] + q * plane (a "wide" row of the
 * padded input: columns past the output width are computed and dropped). `valid` has a bit per column
 * that is a real output; those results are stored consecutively from each row of c (and the
 * residual read consecutively). The epilogue is the integer one (swk_qkernel_fn). */
typedef void (*swk_qkernel_direct_fn)(int taps, int quads, const long *tap_offsets, long plane, const int8_t *a,
                                      const uint32_t *b, float *c, long ldc, int mr, uint32_t valid,
                                      const swk_epilogue *ep, const float *wscale, float xscale);

/* Channel quads per group of an integer convolution's quantized input. */
static inline int swk_quads_per_group(const swk_conv *conv) { return (conv->in_channels / conv->groups + 3) / 4; }

/* The integer kernels of one instruction set: tile width, the row quantizer, the packer, the
 * microkernel, the direct microkernel (NULL where the set has none: the packer serves every stride),
 * the weight-panel rewrite its microkernel reads (NULL: it reads tap quads as they are), and the marking of
 * packed quads whose activations reach 128 (NULL: the microkernel needs no marks). Every set takes all
 * SWK_ACTIVATION_LEVELS levels and computes the same integers. */
typedef struct {
    /* What the set multiplies with, for records ("avx512-vnni", "avx-vnni", "avx2", "portable"). */
    const char *name;
    int nr;
    swk_quantize_row_fn quantize_row;
    swk_pack_quads_fn pack;
    swk_qkernel_fn kernel;
    swk_qkernel_direct_fn direct;
    swk_widen_panel_fn widen;
    swk_mark_quads_fn mark;
} swk_int8_kernel_set;

/* The largest quantized activation of an integer convolution (its `activation_levels`, 0 meaning 255). */
static inline int swk_levels(const swk_conv *conv) {
    return conv->activation_levels > 0 && conv->activation_levels < SWK_ACTIVATION_LEVELS ? conv->activation_levels
                                                                                          : SWK_ACTIVATION_LEVELS;
}

/* The integer kernels for `isa` on this CPU, for activations of up to `levels` (SWK_ACTIVATION_LEVELS, or
 * SWK_ACTIVATION_LEVELS_7BIT: a set may have a faster table for 7-bit activations). */
const swk_int8_kernel_set *swk_int8_kernels_for(swk_isa isa, int levels);

/* The integer kernels a convolution runs with (its ISA and activation levels). */
static inline const swk_int8_kernel_set *swk_int8_kernels_of(const swk_conv *conv) {
    return swk_int8_kernels_for(conv->isa, swk_levels(conv));
}

extern const swk_int8_kernel_set swk_portable_int8_kernels;
#if defined(__x86_64__) || defined(__i386__)
extern const swk_int8_kernel_set swk_avx2_int8_kernels;
extern const swk_int8_kernel_set swk_avx2_7bit_int8_kernels;
extern const swk_int8_kernel_set swk_avx_vnni_int8_kernels;
extern const swk_int8_kernel_set swk_vnni_int8_kernels;
#endif


/* Copies the part of a padded convolution's input one (column block, K block) reads into `buffer` with
 * explicit zero borders; `view`, `view_k0` and `view_col0` then describe it as an unpadded input.
 * Returns 0 when it does not fit. */
int swk_pad_block(const swk_conv *conv, const float *input, int g, int k0, int kc, int col0, int nc, float *buffer,
                  swk_conv *view, int *view_k0, int *view_col0);

/* The paths behind swk_conv_prepare / swk_conv_execute (conv_path.c), one entry each. */
/** Bytes of `conv`'s quantized input: [groups][ceil((in / groups) / 4)][H + 2p][W + 2p][4], zero borders. */
size_t swk_quantized_input_size(const swk_conv *conv);

/**
 * Quantizes channel quads [quad_begin, quad_end) (of groups x ceil((in / groups) / 4)) of one image's
 * float input [in][H][W] into `dst` (swk_quantized_input_size bytes, padded by conv->padding):
 * q = clamp(round_to_nearest_even(x * inverse + zero_point), 0, swk_levels(conv)), the border
 * `zero_point` (the quantized 0.0; NaN becomes 0). Zero point 0 takes non-negative inputs, as after a
 * ReLU; a signed input (the stem's) needs the zero point, and its sums then carry zero_point times each
 * output channel's weight sum, which the caller takes out of `post_bias`.
 */
void swk_quantize_input(const swk_conv *conv, const float *input, uint8_t *dst, float inverse, int zero_point,
                        int quad_begin, int quad_end);

/**
 * The integer convolution of one image over its quantized input (swk_quantize_input), for groups,
 * output rows (`row_begin` a multiple of SWK_QMR) and positions as swk_conv_run; `pre_bias` is ignored (must be folded), the
 * epilogue is `v = float(sum) * (scale[m] * input_scale); v += post_bias[m]; v += residual; relu`.
 * `workspace` holds swk_conv_workspace_count(conv) floats, private to the caller. Returns the largest
 * value it wrote (-infinity when none): the next layer's range without another pass over the output.
 */
/** 1 when `conv` can run without packing (a direct microkernel: stride 1, VNNI); conv_path.c asks it once. */
int swk_conv_integer_is_direct(const swk_conv *conv);

/* Bytes the prepacked path's packed quads and marks may take (one group, every output position), beside the
 * quantized input: twice a column block (SWK_QB_BYTES, 384 KB), so that at 224 px every layer of ResNet-50's stages 3
 * and 4 qualifies (stage 3's 3 x 3: 479 KB). */
#define SWK_PREPACKED_BYTES (768 * 1024)

/* 1 when `conv` (integer, not direct) takes the prepacked path: one group, its packed quads and their marks within
 * SWK_PREPACKED_BYTES. */
int swk_conv_integer_prepacks(const swk_conv *conv);

/* The prepacked path's prepared bytes: the quantized input, then on a cache line the packed quads of every output
 * position ([panel][kq][nr] words, as pack_quads.h writes them), then the set's marks of them. */
size_t swk_prepacked_input_size(const swk_conv *conv);

/* Column panels of the prepacked path's second preparation stage, and that stage: packs (and marks) panels
 * [panel_begin, panel_end) from the quantized input at the start of `prepared`. */
int swk_prepack_pieces(const swk_conv *conv);
void swk_prepack_quads(const swk_conv *conv, uint8_t *prepared, int panel_begin, int panel_end);

/* `path`: the integer path conv_path.c chose (packed, prepacked or direct), so the driver does not decide it again.
 * `quantized` is the prepared input (for the prepacked path, with its packed quads). */
float swk_conv_run_integer(const swk_conv *conv, swk_conv_path path, const uint8_t *quantized, const float *residual,
                           float *output, int group_begin, int group_end, int row_begin, int row_end, int col_begin,
                           int col_end, void *workspace);

/**
 * Computes output channels [group * Mg + row_begin, group * Mg + row_end) of groups
 * [group_begin, group_end) at output positions [col_begin, col_end) (row-major over out_height x
 * out_width). `row_begin` must be a multiple of SWK_MR. `input` is [in_channels][in_height][in_width],
 * `output` and `residual` (nullable) are [out_channels][out_height][out_width].
 * `workspace` holds swk_conv_workspace_count floats, 64-byte aligned, private to the caller.
 */
void swk_conv_run(const swk_conv *conv, const float *input, const float *residual, float *output,
                  int group_begin, int group_end, int row_begin, int row_end, int col_begin, int col_end,
                  float *workspace);

/**
 * The direct float convolution (conv_direct.c), for stride 1 where swk_conv_float_is_direct says so:
 * `input` is the padded copy swk_pad_input makes (swk_padded_input_count floats) when conv->padding > 0,
 * else the activations themselves. Same arguments, epilogue and workspace as swk_conv_run; sums run
 * over the whole reduction in registers.
 */
int swk_conv_float_is_direct(const swk_conv *conv);
size_t swk_padded_input_count(const swk_conv *conv);
void swk_pad_input(const swk_conv *conv, const float *input, float *dst, int c_begin, int c_end);
void swk_conv_run_direct(const swk_conv *conv, const float *input, const float *residual, float *output,
                         int group_begin, int group_end, int row_begin, int row_end, int col_begin, int col_end,
                         float *workspace);

/* Workspace layout of the float driver (float offsets). */
size_t swk_workspace_b_offset(void);
size_t swk_workspace_a_offset(void);
size_t swk_workspace_pad_offset(void);
/* Floats the float GEMM driver (conv.c) needs in its workspace. */
size_t swk_gemm_workspace_count(void);

/* The direct drivers (float: conv_direct.c, integer: conv_integer.c) walk output positions as "wide"
 * columns of the padded input (row length Wp = in_width + 2 * padding; kernel_w - 1 columns per row
 * past the output width are computed and dropped). Panels are worked out SWK_DIRECT_CHUNK at a time. */
#define SWK_DIRECT_CHUNK 16
/* Taps the direct kernels take (kernels up to 7 x 7). */
#define SWK_DIRECT_MAX_TAPS 49

/* The wide columns of output positions [col_begin, col_end): [*begin, *end). */
void swk_wide_range(const swk_conv *conv, int col_begin, int col_end, long *begin, long *end);

/* The panels of `nr` wide columns from `chunk` (at most SWK_DIRECT_CHUNK, none past `end`): per panel the
 * lanes that are real outputs (`valid`), the lanes inside [chunk, end) (`loadable`, may be NULL), and the
 * output position of its first real lane (`start`, -1 when none). Returns the number of panels. */
int swk_wide_panels(const swk_conv *conv, long chunk, long end, int nr, uint32_t *valid, uint32_t *loadable, long *start);

/* Floats of workspace the direct float driver needs for `conv` (one widened weight panel). */
size_t swk_direct_workspace_count(const swk_conv *conv);

/* Bytes of workspace the integer driver needs for `conv` (its packed column block, aligned). */
size_t swk_integer_workspace_bytes(const swk_conv *conv);

/* The kernels for `isa`, or the portable ones when this CPU cannot run it. */
const swk_kernel_set *swk_kernels_for(swk_isa isa);

extern const swk_kernel_set swk_portable_kernels;
#if defined(__x86_64__) || defined(__i386__)
extern const swk_kernel_set swk_avx2_kernels;
extern const swk_kernel_set swk_avx512_kernels;
/* AVX2 kernels the AVX-512 table shares. */
void swk_widen_avx2(const void *src, float *dst, size_t n, swk_weight_type type);
void swk_narrow_avx2(int kc, const float *a, const float *x, long ldx, int cols, float acc[SWK_MR][SWK_NARROW]);
#endif

/* Implicit im2col: columns [col0, col0 + nc) and reduction indices [k0, k0 + kc) of group g, packed as
 * [ceil(nc / nr)][kc][nr] with zero columns past nc. */
void swk_pack_columns(const swk_conv *conv, const float *input, int g, int k0, int kc, int col0, int nc,
                      int nr, float *dst);

/* swk_pack_columns for 16-column panels with AVX2 moves, and for 32-column ones with AVX-512 moves. */
void swk_pack_columns_avx2(const swk_conv *conv, const float *input, int g, int k0, int kc, int col0, int nc,
                           float *dst);
void swk_pack_columns_avx512(const swk_conv *conv, const float *input, int g, int k0, int kc, int col0, int nc,
                             float *dst);

/* The epilogue on one value, in the documented order (no contraction across statements). */
static inline float swk_epilogue_scalar(float v, const swk_epilogue *ep, int row, long column) {
    if (ep->pre_bias) v = v + ep->pre_bias[row];
    if (ep->scale) v = v * ep->scale[row];
    if (ep->post_bias) v = v + ep->post_bias[row];
    if (ep->residual) v = v + ep->residual[row * ep->ldr + column];
    if (ep->relu) v = v > 0.0f ? v : 0.0f;
    return v;
}

/* IEEE binary16 bits to float, exactly. */
static inline float swk_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu;
    uint32_t mantissa = h & 0x3ffu;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {
            /* Subnormal: normalise. */
            int e = -1;
            do { mantissa <<= 1; e++; } while ((mantissa & 0x400u) == 0);
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((mantissa & 0x3ffu) << 13);
        }
    } else if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float f;
    __builtin_memcpy(&f, &bits, sizeof f);
    return f;
}

#endif
