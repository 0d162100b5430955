/* Which kernels an instruction-set choice runs on this CPU. */
#include "internal.h"

int swk_isa_supported(swk_isa isa) {
    switch (isa) {
    case SWK_ISA_PORTABLE:
        return 1;
    case SWK_ISA_AVX2:
#if defined(__x86_64__) || defined(__i386__)
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#else
        return 0;
#endif
    case SWK_ISA_AVX512:
#if defined(__x86_64__) || defined(__i386__)
        return swk_isa_supported(SWK_ISA_AVX2) && __builtin_cpu_supports("avx512f");
#else
        return 0;
#endif
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
