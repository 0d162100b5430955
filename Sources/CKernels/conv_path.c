/* The path one convolution takes (float GEMM, direct float, integer packed, prepacked or direct), decided here and nowhere else
 * (swk_conv_choose_path, once per descriptor),
 * so callers prepare and run any convolution the same way; and the workspace each path needs. The only
 * file that names the three drivers (conv.c, conv_direct.c, conv_integer.c); none of them calls back. */
#include <math.h>
#include "internal.h"

static swk_conv_path decide(const swk_conv *conv) {
    if (conv->weight_type == SWK_WEIGHTS_I8 && conv->quad_weights != NULL) {
        if (swk_conv_integer_is_direct(conv)) return SWK_PATH_INTEGER_DIRECT;
        return swk_conv_integer_prepacks(conv) ? SWK_PATH_INTEGER_PREPACKED : SWK_PATH_INTEGER_PACKED;
    }
    return swk_conv_float_is_direct(conv) ? SWK_PATH_FLOAT_DIRECT : SWK_PATH_FLOAT_GEMM;
}

void swk_conv_choose_path(swk_conv *conv) { conv->path = decide(conv); }

/* The path `conv` takes: the one chosen when its descriptor was made, else decided now. */
static swk_conv_path path_of(const swk_conv *conv) {
    return conv->path != SWK_PATH_UNDECIDED ? (swk_conv_path)conv->path : decide(conv);
}

static int is_integer(swk_conv_path path) {
    return path == SWK_PATH_INTEGER_PACKED || path == SWK_PATH_INTEGER_DIRECT || path == SWK_PATH_INTEGER_PREPACKED;
}

/* Bytes of the prepared input for `path`. */
static size_t prepared_bytes(const swk_conv *conv, swk_conv_path path) {
    if (path == SWK_PATH_INTEGER_PREPACKED) return swk_prepacked_input_size(conv);
    if (is_integer(path)) return swk_quantized_input_size(conv);
    if (path == SWK_PATH_FLOAT_DIRECT) return swk_padded_input_count(conv) * sizeof(float);
    return 0;
}

/* A multiple of 64, so one image's prepared input after another's keeps the cache-line alignment the packed panels
 * are read with. */
size_t swk_conv_prepared_bytes(const swk_conv *conv) { return (prepared_bytes(conv, path_of(conv)) + 63) / 64 * 64; }

int swk_conv_prepare_stages(const swk_conv *conv) {
    const swk_conv_path path = path_of(conv);
    if (path == SWK_PATH_INTEGER_PREPACKED) return 2;
    return prepared_bytes(conv, path) > 0 ? 1 : 0;
}

int swk_conv_prepare_pieces(const swk_conv *conv, int stage) {
    const swk_conv_path path = path_of(conv);
    if (stage < 0 || stage >= swk_conv_prepare_stages(conv)) return 0;
    if (stage == 1) return swk_prepack_pieces(conv);
    return is_integer(path) ? conv->groups * swk_quads_per_group(conv) : conv->in_channels;
}

void swk_conv_prepare(const swk_conv *conv, int stage, const float *input, void *prepared, float inverse, int zero_point,
                      int begin, int end) {
    const swk_conv_path path = path_of(conv);
    if (stage < 0 || stage >= swk_conv_prepare_stages(conv)) return;
    if (stage == 1) {
        swk_prepack_quads(conv, prepared, begin, end);
    } else if (is_integer(path)) {
        swk_quantize_input(conv, input, prepared, inverse, zero_point, begin, end);
    } else {
        swk_pad_input(conv, input, prepared, begin, end);
    }
}

swk_conv_split swk_conv_split_kind(const swk_conv *conv) {
    switch (path_of(conv)) {
    case SWK_PATH_INTEGER_DIRECT:
    case SWK_PATH_FLOAT_DIRECT:
        return SWK_SPLIT_FREE;
    case SWK_PATH_INTEGER_PREPACKED:
        return SWK_SPLIT_ROWS;
    default:
        return SWK_SPLIT_PACKS;
    }
}

float swk_conv_execute(const swk_conv *conv, const float *input, const void *prepared, const float *residual, float *output,
                       int group_begin, int group_end, int row_begin, int row_end, int col_begin, int col_end,
                       float *workspace) {
    const swk_conv_path path = path_of(conv);
    switch (path) {
    case SWK_PATH_INTEGER_PACKED:
    case SWK_PATH_INTEGER_DIRECT:
    case SWK_PATH_INTEGER_PREPACKED:
        return swk_conv_run_integer(conv, path, prepared, residual, output, group_begin, group_end, row_begin, row_end,
                                    col_begin, col_end, workspace);
    case SWK_PATH_FLOAT_DIRECT:
        swk_conv_run_direct(conv, swk_padded_input_count(conv) > 0 ? prepared : input, residual, output, group_begin,
                            group_end, row_begin, row_end, col_begin, col_end, workspace);
        return -INFINITY;
    default:
        swk_conv_run(conv, input, residual, output, group_begin, group_end, row_begin, row_end, col_begin, col_end, workspace);
        return -INFINITY;
    }
}

size_t swk_conv_workspace_count(const swk_conv *conv) {
    const size_t floats = swk_gemm_workspace_count();
    const size_t integer = (swk_integer_workspace_bytes(conv) + 3) / 4;
    const size_t direct = swk_direct_workspace_count(conv);
    const size_t most = floats > integer ? floats : integer;
    return most > direct ? most : direct;
}
