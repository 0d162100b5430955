// One float convolution through the library's own driver (swk_conv_execute, AVX2 kernels, one thread), against the
// 6 x 16 FMA loop alone (Benchmarks/f32_inner_loop.c's) timed just before it: the layer's share of what the loop
// reaches at that moment, so the VM's drifting speed cancels out of the ratio. Random weights and inputs, bias and
// ReLU in the epilogue.
//
//     cc -O2 -I Sources/CKernels/include -I Sources/CCPU/include Benchmarks/layer_efficiency.c
//        Sources/CKernels/*.c Sources/CCPU/cpu.c -lm -o /tmp/layer_efficiency   (one line)
//     /tmp/layer_efficiency IN_CHANNELS OUT_CHANNELS SIZE KERNEL [STRIDE [REPETITIONS]]
//
// e.g. `/tmp/layer_efficiency 128 128 28 3` (ResNet-50's stage-2 3 x 3). Environment: COLD=N rotates N copies of the
// weights, outputs and residuals (N x the layer's bytes past the caches: weights as a whole model streams them),
// RES=1 adds a residual to the epilogue. Prints five lines: the best of REPETITIONS (default 20) runs of the layer,
// its GFLOP/s, the loop's and the share.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "CKernels.h"
#include "f32_loop.h"

#define LOOP_KC 192
static float loop_a[LOOP_KC * 6] __attribute__((aligned(64))), loop_b[LOOP_KC * 16] __attribute__((aligned(64)));
static float loop_c[16];

static double loop_gflops(void) {
    const long calls = 100000;
    const double t = now();
    for (long i = 0; i < calls; i++) loop6x16(LOOP_KC, loop_a, loop_b, loop_c);
    return 2.0 * calls * LOOP_KC * 12 * 8 / (now() - t) / 1e9;
}

static float *floats(size_t count) {
    float *p = aligned_alloc(64, (count * sizeof(float) + 63) / 64 * 64);
    if (!p) {
        perror("aligned_alloc");
        exit(1);
    }
    return p;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s IN_CHANNELS OUT_CHANNELS SIZE KERNEL [STRIDE [REPETITIONS]]\n", argv[0]);
        return 2;
    }
    if (!swk_isa_supported(SWK_ISA_AVX2)) {
        fprintf(stderr, "skipped: this CPU has no AVX2 + FMA\n");
        return 0;
    }
    swk_conv conv;
    memset(&conv, 0, sizeof conv);
    conv.in_channels = atoi(argv[1]);
    conv.out_channels = atoi(argv[2]);
    conv.in_height = conv.in_width = atoi(argv[3]);
    conv.kernel_h = conv.kernel_w = atoi(argv[4]);
    conv.stride = argc > 5 ? atoi(argv[5]) : 1;
    const int repetitions = argc > 6 ? atoi(argv[6]) : 20;
    conv.padding = conv.kernel_h / 2;
    conv.groups = 1;
    conv.out_height = conv.out_width = (conv.in_height + 2 * conv.padding - conv.kernel_h) / conv.stride + 1;
    conv.weight_type = SWK_WEIGHTS_F32;
    conv.isa = SWK_ISA_AVX2;
    conv.relu = 1;
    const int copies = getenv("COLD") ? atoi(getenv("COLD")) > 0 ? atoi(getenv("COLD")) : 1 : 1;
    const int residual = getenv("RES") != NULL;

    const size_t k = (size_t)conv.in_channels * conv.kernel_h * conv.kernel_w;
    const size_t weight_count = swk_packed_weight_count(conv.out_channels, 1, (int)k);
    const size_t in_count = (size_t)conv.in_channels * conv.in_height * conv.in_width;
    const size_t out_count = (size_t)conv.out_channels * conv.out_height * conv.out_width;
    float **weights = malloc(sizeof(float *) * copies), **outputs = malloc(sizeof(float *) * copies);
    float **residuals = malloc(sizeof(float *) * copies);
    srand(1);
    for (int i = 0; i < copies; i++) {
        weights[i] = floats(weight_count);
        outputs[i] = floats(out_count);
        residuals[i] = floats(out_count);
        for (size_t j = 0; j < weight_count; j++) weights[i][j] = (float)(rand() % 200 - 100) * 1e-3f;
        for (size_t j = 0; j < out_count; j++) outputs[i][j] = 0.0f, residuals[i][j] = 0.5f;
    }
    float *input = floats(in_count), *bias = calloc(conv.out_channels, sizeof(float));
    for (size_t j = 0; j < in_count; j++) input[j] = (float)(rand() % 100) * 1e-2f;
    conv.post_bias = bias;
    conv.weights = weights[0];
    swk_conv_choose_path(&conv);
    float *workspace = floats(swk_conv_workspace_count(&conv) + 16);
    const size_t prepared_bytes = swk_conv_prepared_bytes(&conv);
    void *prepared = prepared_bytes ? floats(prepared_bytes / sizeof(float) + 1) : NULL;
    const double flops = 2.0 * (double)out_count * (double)k;

    for (int line = 0; line < 5; line++) {
        const double loop = loop_gflops();
        double best = 1e30;
        for (int r = 0; r < repetitions; r++) {
            conv.weights = weights[r % copies];
            const double t = now();
            for (int stage = 0; stage < swk_conv_prepare_stages(&conv); stage++) {
                swk_conv_prepare(&conv, stage, input, prepared, 1.0f, 0, 0, swk_conv_prepare_pieces(&conv, stage));
            }
            swk_conv_execute(&conv, input, prepared, residual ? residuals[r % copies] : NULL, outputs[r % copies], 0, 1,
                             0, conv.out_channels, 0, conv.out_height * conv.out_width, workspace);
            const double seconds = now() - t;
            if (seconds < best) best = seconds;
        }
        const double layer = flops / best / 1e9;
        printf("%d -> %d, %dx%d, %dx%d stride %d (path %d): %.3f ms, %.1f GFLOP/s; loop alone %.1f GFLOP/s: %.0f%%\n",
               conv.in_channels, conv.out_channels, conv.in_height, conv.in_width, conv.kernel_h, conv.kernel_w,
               conv.stride, conv.path, best * 1e3, layer, loop, 100.0 * layer / loop);
    }
    return loop_c[0] == 42.0f;
}
