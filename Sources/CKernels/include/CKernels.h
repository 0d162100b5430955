#ifndef SWSL_CKERNELS_H
#define SWSL_CKERNELS_H

/*
 * Hot loops of the swsl executor: a packed fp32 GEMM driven as an implicit-im2col convolution,
 * pools, and weight packing. Everything else (planning, threading, validation) lives in Swift.
 *
 * Instruction sets are chosen per call (`swk_isa`), never by global state, so tests can run the
 * portable fallback and the AVX2 path side by side. `swk_isa_supported` asks the CPU.
 *
 * Packed weight layout (SWK_PACKED_LAYOUT_VERSION 1), for a convolution with `out` output channels,
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
/** Version of the packed weight layout described above. */
#define SWK_PACKED_LAYOUT_VERSION 1

/** An instruction-set choice for the kernels. */
typedef enum {
    /** Plain C, any CPU. */
    SWK_ISA_PORTABLE = 0,
    /** AVX2 + FMA (+ F16C) intrinsics. */
    SWK_ISA_AVX2 = 1,
    /** AVX-512F intrinsics (weight widening with AVX2). Falls back to AVX2, then portable. */
    SWK_ISA_AVX512 = 2,
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
 * Packs C-order weights `[out][k]` (k = in/groups * kh * kw) of `element_size`-byte elements into
 * the packed layout at `dst` (swk_packed_weight_count elements). Padding rows are zero bytes.
 */
void swk_pack_weights(const void *src, void *dst, size_t element_size, int out_channels, int groups, int k);

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
} swk_conv;

/** Floats of scratch memory one `swk_conv_run` call needs. */
size_t swk_conv_workspace_count(const swk_conv *conv);

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
