#ifndef SWSL_CKERNELS_H
#define SWSL_CKERNELS_H

/*
 * Hot loops of the swsl executor: a packed GEMM driven as an implicit-im2col convolution (float32
 * arithmetic on float32 / float16 / int8 weights), an integer convolution (int8 x uint8 -> int32 on
 * activations quantized once per layer), pools, and weight packing. Everything else (planning,
 * threading, validation) lives in Swift.
 *
 * Instruction sets are chosen per call (`swk_isa`), never by global state, so tests can run the
 * portable fallback, AVX2 and AVX-512 side by side. `swk_isa_supported` asks the CPU; a choice the
 * CPU lacks runs the next narrower kernels. Files: conv.c (the one convolution driver, float and
 * conv_blocks.c (the float driver's workspace and padded blocks), conv_integer.c (the integer
 * convolution: quantized input, tap-quad weights, its driver), pack*.c (im2col), microkernel_*.c (per
 * instruction set; the portable file holds both arithmetics' reference kernels), kernel_config.c (the one
 * kernel-table choice: ISA support, tables, tiles; calls only the CPU probe), conv_path.c (the one place
 * a convolution's path is decided and each path's workspace sized; the only caller of the drivers), pool.c.
 *
 * Packed weight layout (SWK_PACKED_LAYOUT_VERSION 1; written by SWSLFormat's PackedWeightLayout,
 * which checks its panel height against SWK_MR), for a convolution with `out` output channels,
 * `groups` groups and K = (in / groups) * kh * kw:
 *   Mg = out / groups rows per group, P = ceil(Mg / SWK_MR) panels per group;
 *   element [g][p][k][r] at index ((g * P + p) * K + k) * SWK_MR + r holds
 *   weight[g * Mg + p * SWK_MR + r][k] (k in PyTorch's (in, kh, kw) order), or 0 when
 *   p * SWK_MR + r >= Mg. Elements are float32, IEEE binary16 or int8, little-endian, no gaps.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Rows (output channels) of one packed weight panel. Part of the packed layout. */
#define SWK_MR 6
/** Rows (output channels) of one panel of the integer kernels' tap-quad weights (an internal layout). */
#define SWK_QMR 8
/** Version of the packed weight layout described above. */
#define SWK_PACKED_LAYOUT_VERSION 1

/** An instruction-set choice for the kernels. */
typedef enum {
    /** Plain C, any CPU. */
    SWK_ISA_PORTABLE = 0,
    /** AVX2 + FMA (+ F16C) intrinsics. */
    SWK_ISA_AVX2 = 1,
    /** AVX-512F intrinsics (weight widening with AVX2; integer kernels with AVX-512 VNNI where the CPU has it,
     * else AVX-VNNI, else AVX2's). Falls back to AVX2, then portable. */
    SWK_ISA_AVX512 = 2,
    /** The AVX2 kernels, with the 256-bit AVX-VNNI `vpdpbusd` integer kernels. Falls back to AVX2, then portable. */
    SWK_ISA_AVX_VNNI = 3,
} swk_isa;

/** Element type of packed weights. */
typedef enum {
    SWK_WEIGHTS_F32 = 0,
    SWK_WEIGHTS_F16 = 1,
    SWK_WEIGHTS_I8 = 2,
} swk_weight_type;

/** Returns 1 when this CPU can run `isa`. */
int swk_isa_supported(swk_isa isa);

/** Output positions one microkernel tile covers for `isa` (work is best split at multiples of it). */
int swk_tile_columns(swk_isa isa);

/** Bytes of one element of `type`. */
size_t swk_weight_element_size(swk_weight_type type);

/** Number of elements of the packed weights of a convolution (see the layout above). */
size_t swk_packed_weight_count(int out_channels, int groups, int k);

/**
 * One 2-D convolution over one image, with a fused epilogue per output element:
 *   v = sum; v += pre_bias[m]; v *= scale[m]; v += post_bias[m]; v += residual; v = max(v, 0)
 * each step only when its pointer is non-null (relu when `relu` is non-zero), each a separate
 * rounding (multiply then add, no fused multiply-add), as PyTorch's CPU batch norm does.
 * For int8 and float16 weights the sum is over the stored integers / halves; put the weight scales
 * in `scale`.
 */
typedef struct {
    int in_channels, in_height, in_width;
    int out_channels, out_height, out_width;
    int kernel_h, kernel_w, stride, padding, groups;
    swk_weight_type weight_type;
    /** Packed weights (see the layout above). */
    const void *weights;
    const float *pre_bias;
    const float *scale;
    const float *post_bias;
    int relu;
    swk_isa isa;
    /**
     * Integer arithmetic only (swk_conv_run_integer): the step the input was quantized with
     * (swk_quantize_input), and the int8 weights in tap quads (swk_pack_weights_tap_quads).
     * `scale[m] * input_scale` turns the int32 sums back into floats before the epilogue.
     */
    float input_scale;
    const int8_t *quad_weights;
    /**
     * Integer arithmetic only: the largest quantized activation, SWK_ACTIVATION_LEVELS (255; 0 means it)
     * or 127 (7-bit activations, `--int8 integer-7bit`: the same on every CPU; AVX2 then multiplies with
     * `vpmaddubsw`, whose int16 pair sums cannot saturate below 128 levels).
     */
    int activation_levels;
    /**
     * The path the convolution takes (swk_conv_path), decided once by swk_conv_choose_path when the descriptor
     * is made; SWK_PATH_UNDECIDED (0) makes each call decide it again.
     */
    int path;
} swk_conv;

/** The paths of a convolution, chosen in conv_path.c alone. */
typedef enum {
    SWK_PATH_UNDECIDED = 0,
    /** Float implicit-im2col GEMM (conv.c). */
    SWK_PATH_FLOAT_GEMM = 1,
    /** Float direct kernel over a zero-bordered copy or the input itself (conv_direct.c). */
    SWK_PATH_FLOAT_DIRECT = 2,
    /** Integer: quantized quads packed per column block for the microkernel (conv_integer.c). */
    SWK_PATH_INTEGER_PACKED = 3,
    /** Integer: the direct microkernel reading the quantized quads in place (conv_integer.c). */
    SWK_PATH_INTEGER_DIRECT = 4,
    /**
     * Integer, small planes: quantized quads packed once per image for every output position (a second
     * preparation stage), shared by every task, so tasks cut output rows freely (conv_integer.c).
     */
    SWK_PATH_INTEGER_PREPACKED = 5,
} swk_conv_path;

/** Decides `conv->path` from its geometry, weights and instruction set; call once a descriptor is complete. */
void swk_conv_choose_path(swk_conv *conv);

/**
 * Integer arithmetic (conv_integer.c has the layouts). Int8 weights in tap quads: element
 * [g][p][kq][r][t], kq = (kh * kernel_w + kw) * Q + q, Q = ceil((in / groups) / 4), r < SWK_QMR, holds
 * weight[g * Mg + p * SWK_QMR + r][4q + t][kh][kw], zero past Mg rows or in / groups channels. An
 * internal layout, built from C-order `[out][in / groups][kh][kw]` int8 weights at plan build.
 */
size_t swk_tap_quad_weight_count(int out_channels, int groups, int in_channels, int kernel_h, int kernel_w);
void swk_pack_weights_tap_quads(const int8_t *plain, int8_t *dst, int out_channels, int groups, int in_channels,
                                int kernel_h, int kernel_w);


/** The smallest and largest of x[0 ..< n] (+infinity and -infinity for n = 0). */
void swk_min_max_value(const float *x, size_t n, float *min, float *max);


/**
 * Largest quantized activation of the integer arithmetic: activations are unsigned 8-bit on every
 * instruction set, and every kernel set computes the same exact int32 sums (AVX2 uses `vpmaddubsw`
 * where a reduction quad's activations stay below 128, where its int16 pair sums cannot saturate, and int16
 * pairs with `vpmaddwd` elsewhere), so an int8 model gives the same integers on every CPU.
 */
#define SWK_ACTIVATION_LEVELS 255
/** The 7-bit alternative's largest activation (`swk_conv.activation_levels`). */
#define SWK_ACTIVATION_LEVELS_7BIT 127

/** Output positions one integer microkernel tile covers for `isa`. */
int swk_int8_tile_columns(swk_isa isa);

/**
 * The integer kernels `isa` runs on this CPU, by the instructions they multiply with: "avx512-vnni"
 * (`vpdpbusd` zmm), "avx-vnni" (`vpdpbusd` ymm), "avx2" (`vpmaddubsw`, and `vpmaddwd` on int16 pairs where
 * an activation reaches 128) or "portable". A static string.
 */
const char *swk_int8_kernel_name(swk_isa isa);

/** Largest element of x[0 ..< n] (-infinity for n = 0). */
float swk_max_value(const float *x, size_t n);

/** Floats of scratch memory one `swk_conv_execute` call on `conv` needs. */
size_t swk_conv_workspace_count(const swk_conv *conv);


/**
 * Any convolution, down the path it takes (conv_path.c; the paths are internal.h's): the float GEMM,
 * the direct float kernels (stride 1, AVX-512), or the integer arithmetic (when `quad_weights` is set;
 * `input_scale` is then the step the input was prepared with). Per image, the input is first prepared
 * into swk_conv_prepared_bytes bytes (0: read in place, nothing to prepare; a multiple of 64, and `prepared` must be
 * 64-byte aligned): quantized into channel quads,
 * q = clamp(round_to_nearest_even(x * inverse + zero_point), 0, activation_levels) (zero point 0
 * takes non-negative inputs, as after a ReLU), or copied with zero borders (direct float), in the stages
 * below. swk_conv_execute then computes output
 * channels [group * Mg + row_begin, group * Mg + row_end) of groups [group_begin, group_end) at output
 * positions [col_begin, col_end) (row-major over out_height x out_width; `row_begin` a multiple of the
 * arithmetic's panel height, SWK_MR or SWK_QMR) of one image: `input` [in_channels][in_height][in_width],
 * `output` and `residual` (nullable) [out_channels][out_height][out_width], with the epilogue above;
 * `workspace` holds swk_conv_workspace_count floats, 64-byte aligned, private to the caller. It returns
 * the largest value written for integer convolutions (the next layer's range without another pass),
 * -infinity otherwise.
 *
 * Preparation runs in swk_conv_prepare_stages stages, numbered from 0 (none: the input is read in place): stage 0
 * quantizes or pads; stage 1, on small integer planes, packs the quantized quads of every output position. Each stage
 * comes in swk_conv_prepare_pieces pieces that threads may share out; every piece of a stage must be done before the
 * next stage starts (stage 1 reads what stage 0 wrote).
 * swk_conv_split_kind says what cutting a convolution into tasks costs: SWK_SPLIT_PACKS, each task packs its own
 * columns (rows cut finer repeat that packing); SWK_SPLIT_FREE, nothing (direct kernels); SWK_SPLIT_ROWS, nothing
 * when rows are cut (the packed quads were prepared), while columns cut finer repeat the weight panels' preparation.
 */
typedef enum {
    SWK_SPLIT_PACKS = 0,
    SWK_SPLIT_FREE = 1,
    SWK_SPLIT_ROWS = 2,
} swk_conv_split;
size_t swk_conv_prepared_bytes(const swk_conv *conv);
int swk_conv_prepare_stages(const swk_conv *conv);
int swk_conv_prepare_pieces(const swk_conv *conv, int stage);
void swk_conv_prepare(const swk_conv *conv, int stage, const float *input, void *prepared, float inverse, int zero_point,
                      int begin, int end);
swk_conv_split swk_conv_split_kind(const swk_conv *conv);
float swk_conv_execute(const swk_conv *conv, const float *input, const void *prepared, const float *residual, float *output,
                       int group_begin, int group_end, int row_begin, int row_end, int col_begin, int col_end,
                       float *workspace);

/** Max pool (padding counts as -infinity) of channels [c_begin, c_end) of one image; floor mode. */
void swk_max_pool(const float *input, float *output, int height, int width, int out_height, int out_width,
                  int kernel, int stride, int padding, int c_begin, int c_end);

/**
 * Average pool without padding, ceil mode, count_include_pad = False (windows clipped to the input,
 * divided by the number of elements they cover), channels [c_begin, c_end) of one image.
 */
void swk_avg_pool_ceil(const float *input, float *output, int height, int width, int out_height,
                       int out_width, int kernel, int stride, int c_begin, int c_end);

/**
 * Global average pool of channels [c_begin, c_end) of one image: output[c * out_stride] is the mean
 * of input[c][0 ..< plane].
 */
void swk_global_avg_pool(const float *input, float *output, int plane, int out_stride, int c_begin, int c_end);

/* Atomics on a `long` (Swift's Int), for the executor's thread pool without the Synchronization
 * module (macOS 15+). Sequentially consistent unless the name says acquire / release / relaxed. */
static inline long swk_atomic_load(const long *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static inline long swk_atomic_load_acquire(const long *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline long swk_atomic_load_relaxed(const long *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static inline void swk_atomic_store(long *p, long value) { __atomic_store_n(p, value, __ATOMIC_SEQ_CST); }
static inline void swk_atomic_store_relaxed(long *p, long value) { __atomic_store_n(p, value, __ATOMIC_RELAXED); }
static inline long swk_atomic_add(long *p, long value) { return __atomic_fetch_add(p, value, __ATOMIC_SEQ_CST); }
static inline long swk_atomic_add_release(long *p, long value) {
    return __atomic_fetch_add(p, value, __ATOMIC_RELEASE);
}
/** Replaces *p by `desired` if it equals `expected`; returns 1 when it did (acquire-release). */
static inline int swk_atomic_compare_exchange(long *p, long expected, long desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/** A spin-wait hint to the CPU (PAUSE on x86), for thread pools that busy-wait briefly. */
static inline void swk_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#ifdef __cplusplus
}
#endif

#endif
