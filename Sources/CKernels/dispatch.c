/* Which kernels an instruction-set choice runs on this CPU: the one dispatch of CKernels, for the
 * float and the integer kernel tables; and the path one convolution takes (float GEMM, direct float,
 * integer), so callers prepare and run any convolution the same way. */
#include <math.h>
#include "internal.h"
#include "swsl_cpu.h"

int swk_isa_supported(swk_isa isa) {
    switch (isa) {
    case SWK_ISA_PORTABLE:
        return 1;
    case SWK_ISA_AVX2:
        return swsl_cpu_has(SWSL_CPU_AVX2_FMA_F16C);
    case SWK_ISA_AVX512:
        return swsl_cpu_has(SWSL_CPU_AVX2_FMA_F16C | SWSL_CPU_AVX512F);
    case SWK_ISA_AVX_VNNI:
        return swsl_cpu_has(SWSL_CPU_AVX2_FMA_F16C | SWSL_CPU_AVXVNNI);
    }
    return 0;
}

const swk_kernel_set *swk_kernels_for(swk_isa isa) {
#if defined(__x86_64__) || defined(__i386__)
    if (isa == SWK_ISA_AVX512 && swk_isa_supported(SWK_ISA_AVX512)) return &swk_avx512_kernels;
    if (isa != SWK_ISA_PORTABLE && swk_isa_supported(SWK_ISA_AVX2)) return &swk_avx2_kernels;
#else
    (void)isa;
#endif
    return &swk_portable_kernels;
}

int swk_tile_columns(swk_isa isa) { return swk_kernels_for(isa)->nr; }

const swk_int8_kernel_set *swk_int8_kernels_for(swk_isa isa) {
#if defined(__x86_64__) || defined(__i386__)
    if (isa == SWK_ISA_AVX512 && swk_isa_supported(SWK_ISA_AVX512) && swsl_cpu_has(SWSL_CPU_AVX512VNNI)) {
        return &swk_vnni_int8_kernels;
    }
    if ((isa == SWK_ISA_AVX512 || isa == SWK_ISA_AVX_VNNI) && swk_isa_supported(SWK_ISA_AVX_VNNI)) {
        return &swk_avx_vnni_int8_kernels;
    }
    if (isa != SWK_ISA_PORTABLE && swk_isa_supported(SWK_ISA_AVX2)) return &swk_avx2_int8_kernels;
#else
    (void)isa;
#endif
    return &swk_portable_int8_kernels;
}

int swk_int8_tile_columns(swk_isa isa) { return swk_int8_kernels_for(isa)->nr; }

const char *swk_int8_kernel_name(swk_isa isa) { return swk_int8_kernels_for(isa)->name; }

/* MARK: the path one convolution takes (float GEMM, direct float, integer) */

static int conv_is_integer(const swk_conv *conv) {
    return conv->weight_type == SWK_WEIGHTS_I8 && conv->quad_weights != NULL;
}

size_t swk_conv_prepared_bytes(const swk_conv *conv) {
    if (conv_is_integer(conv)) return swk_quantized_input_size(conv);
    if (swk_conv_float_is_direct(conv)) return swk_padded_input_count(conv) * sizeof(float);
    return 0;
}

int swk_conv_prepare_pieces(const swk_conv *conv) {
    if (conv_is_integer(conv)) return conv->groups * swk_quads_per_group(conv);
    return swk_conv_prepared_bytes(conv) > 0 ? conv->in_channels : 0;
}

void swk_conv_prepare(const swk_conv *conv, const float *input, void *prepared, float inverse, int zero_point, int begin,
                      int end) {
    if (conv_is_integer(conv)) {
        swk_quantize_input(conv, input, prepared, inverse, zero_point, begin, end);
    } else if (swk_conv_prepared_bytes(conv) > 0) {
        swk_pad_input(conv, input, prepared, begin, end);
    }
}

int swk_conv_splits_freely(const swk_conv *conv) {
    return conv_is_integer(conv) ? swk_conv_integer_is_direct(conv) : swk_conv_float_is_direct(conv);
}

float swk_conv_execute(const swk_conv *conv, const float *input, const void *prepared, const float *residual, float *output,
                       int group_begin, int group_end, int row_begin, int row_end, int col_begin, int col_end,
                       float *workspace) {
    if (conv_is_integer(conv)) {
        return swk_conv_run_integer(conv, prepared, residual, output, group_begin, group_end, row_begin, row_end, col_begin,
                                    col_end, workspace);
    }
    if (swk_conv_float_is_direct(conv)) {
        swk_conv_run_direct(conv, swk_padded_input_count(conv) > 0 ? prepared : input, residual, output, group_begin,
                            group_end, row_begin, row_end, col_begin, col_end, workspace);
    } else {
        swk_conv_run(conv, input, residual, output, group_begin, group_end, row_begin, row_end, col_begin, col_end, workspace);
    }
    return -INFINITY;
}
