/* Which kernels an instruction-set choice runs on this CPU: the one dispatch of CKernels, for the
 * float and the integer kernel tables (every slot of every table is filled). */
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
    }
    return 0;
}

const swk_kernel_set *swk_kernels_for(swk_isa isa) {
#if defined(__x86_64__) || defined(__i386__)
    if (isa == SWK_ISA_AVX512 && swk_isa_supported(SWK_ISA_AVX512)) return &swk_avx512_kernels;
    if ((isa == SWK_ISA_AVX2 || isa == SWK_ISA_AVX512) && swk_isa_supported(SWK_ISA_AVX2)) return &swk_avx2_kernels;
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
    if ((isa == SWK_ISA_AVX2 || isa == SWK_ISA_AVX512) && swk_isa_supported(SWK_ISA_AVX2)) return &swk_avx2_int8_kernels;
#else
    (void)isa;
#endif
    return &swk_portable_int8_kernels;
}

int swk_activation_levels(swk_isa isa) { return swk_int8_kernels_for(isa)->levels; }

int swk_int8_tile_columns(swk_isa isa) { return swk_int8_kernels_for(isa)->nr; }

