/* The kernel configuration: which float and integer kernel tables an instruction-set choice runs on
 * this CPU, and their tiles. It calls only the CPU probe; the convolution drivers ask it for their
 * tables, and conv_path.c, which alone names the drivers, decides each convolution's path. */
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

const swk_int8_kernel_set *swk_int8_kernels_for(swk_isa isa, int levels) {
#if defined(__x86_64__) || defined(__i386__)
    if (isa == SWK_ISA_AVX512 && swk_isa_supported(SWK_ISA_AVX512) && swsl_cpu_has(SWSL_CPU_AVX512VNNI)) {
        return &swk_vnni_int8_kernels;
    }
    if ((isa == SWK_ISA_AVX512 || isa == SWK_ISA_AVX_VNNI) && swk_isa_supported(SWK_ISA_AVX_VNNI)) {
        return &swk_avx_vnni_int8_kernels;
    }
    if (isa != SWK_ISA_PORTABLE && swk_isa_supported(SWK_ISA_AVX2)) {
        return levels <= SWK_ACTIVATION_LEVELS_7BIT ? &swk_avx2_7bit_int8_kernels : &swk_avx2_int8_kernels;
    }
#else
    (void)isa;
#endif
    (void)levels;
    return &swk_portable_int8_kernels;
}

int swk_int8_tile_columns(swk_isa isa) { return swk_int8_kernels_for(isa, SWK_ACTIVATION_LEVELS)->nr; }

const char *swk_int8_kernel_name(swk_isa isa) { return swk_int8_kernels_for(isa, SWK_ACTIVATION_LEVELS)->name; }
