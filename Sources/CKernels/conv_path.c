/* The path one convolution takes (float GEMM, direct float, integer), decided here and nowhere else,
 * so callers prepare and run any convolution the same way; and the workspace each path needs. The only
 * file that names the three drivers (conv.c, conv_direct.c, conv_integer.c); none of them calls back. */
#include <math.h>
#include "internal.h"

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

size_t swk_conv_workspace_count(const swk_conv *conv) {
    const size_t floats = swk_gemm_workspace_count();
    const size_t integer = (swk_integer_workspace_bytes(conv) + 3) / 4;
    const size_t direct = swk_direct_workspace_count(conv);
    const size_t most = floats > integer ? floats : integer;
    return most > direct ? most : direct;
}
