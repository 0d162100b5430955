/* Integer (u8 activations x s8 weights) GEMM microkernels, 8 x 16 tile, AVX2: for all 255 levels, vpmaddubsw on
 * the reduction quads whose activations stay below 128 and vpmaddwd on int16 pairs on the others; vpmaddubsw
 * throughout for 7-bit activations. Compiled for AVX2 by function attribute only. */
#if defined(__x86_64__) || defined(__i386__)
#include "qs8_avx2_tile.h"

/* AVX2 without VNNI. vpmaddubsw's int16 pair sums saturate when activations reach 128 (255 x 127 x 2 > 32767),
 * so each reduction quad takes one of two exact steps, chosen by its own activations:
 * - every activation byte of the quad's columns below 128 (the common case after a ReLU, whose input range is
 *   set by its largest value; mark_quads_avx2 marks the others once per column block, in `high`): vpmaddubsw +
 *   vpmaddwd with ones, three operations per 32 multiply-adds, whose int16 pair sums cannot saturate (127 x 128 x 2 <= 32768, the extreme being -32512);
 * - otherwise: vpmaddwd on int16 operands, each column's quad split into its even bytes (x0, x2) and odd bytes
 *   (x1, x3) (an and and a shift, shared by four rows) against the weight pairs (w0, w2), (w1, w3), with its own
 *   add: about a third more vector operations (Zen 3: 4.21 against 2.76 ns per 256 multiply-adds,
 *   Benchmarks/int8_inner_loops.c).
 * Both give the exact int32 sums, so the choice changes no result. The weight panel comes in both forms
 * (widen_panel_avx2): per quad and four rows, the widened pairs, then the tap-quad words as they are. */
#define AVX2_WIDE_BYTES 32  /* four rows' (w0, w2), (w1, w3) int16 pairs */
#define AVX2_HALF_BYTES 48  /* those, then the four rows' tap-quad words */

/* Row r of the four-row pass over a quad with an activation at or above 128: int16 pairs, exact. */
#define AVX2_QROW(r, x0, x1)                                                                         \
    we = _mm256_set1_epi32(w[2 * (r)]);                                                              \
    wo = _mm256_set1_epi32(w[2 * (r) + 1]);                                                          \
    x0 = _mm256_add_epi32(x0, _mm256_madd_epi16(e0, we));                                            \
    x1 = _mm256_add_epi32(x1, _mm256_madd_epi16(e1, we));                                            \
    x0 = _mm256_add_epi32(x0, _mm256_madd_epi16(o0, wo));                                            \
    x1 = _mm256_add_epi32(x1, _mm256_madd_epi16(o1, wo))

/* Row r of a one-vector pass (rows 0-3 at w, 4-7 at the next half): its even and odd weight pairs against the
 * column vector's even and odd bytes. */
#define AVX2_QROW_NARROW(r, x)                                                                       \
    w = (const int32_t *)(ap + ((r) / 4) * AVX2_HALF_BYTES);                                         \
    we = _mm256_set1_epi32(w[2 * ((r) % 4)]);                                                        \
    wo = _mm256_set1_epi32(w[2 * ((r) % 4) + 1]);                                                    \
    x = _mm256_add_epi32(x, _mm256_madd_epi16(e0, we));                                              \
    x = _mm256_add_epi32(x, _mm256_madd_epi16(o0, wo))

/* vpmaddubsw + vpmaddwd with ones: exact while the activation bytes stay below 128. */
#define MADDUBS_STEP(x, b, w) x = _mm256_add_epi32(x, _mm256_madd_epi16(_mm256_maddubs_epi16(b, w), ones))

/* The tap-quad words of the half whose widened pairs start at hp. */
#define AVX2_QUAD_WORDS(hp) ((const int32_t *)((hp) + AVX2_WIDE_BYTES))

/* qkernel_avx2 for a panel with one or two real columns (49 = 3 x 16 + 1 at 7 x 7): per column, its quad's bytes as
 * the int16 pairs (x0, x2), (x1, x3) in alternate words against the widened pairs of four rows per vector: two
 * vpmaddwd and two adds per quad and column for all eight rows, for every activation level, where a column
 * vector's pass spends a step per row. Row r's sum is its two words' sum. */
AVX2 static void qkernel_avx2_columns(int kq, const uint8_t *a, const uint8_t *b, float *c, long ldc, int mr, int nr,
                                      int accumulate, const swk_epilogue *ep, const float *wscale, float xscale) {
    const __m256i low = _mm256_set1_epi32(0x00FF00FF);
    __m256i acc[2][2] = {{_mm256_setzero_si256(), _mm256_setzero_si256()}, {_mm256_setzero_si256(), _mm256_setzero_si256()}};
    for (int q = 0; q < kq; q++, a += 2 * AVX2_HALF_BYTES, b += AVX2_NR * 4) {
        const __m256i top = _mm256_loadu_si256((const __m256i *)a);
        const __m256i bottom = _mm256_loadu_si256((const __m256i *)(a + AVX2_HALF_BYTES));
        for (int j = 0; j < nr; j++) {
            const __m256i x = _mm256_set1_epi32(((const int32_t *)b)[j]);
            const __m256i pairs = _mm256_blend_epi32(_mm256_and_si256(x, low), _mm256_srli_epi16(x, 8), 0xAA);
            acc[j][0] = _mm256_add_epi32(acc[j][0], _mm256_madd_epi16(top, pairs));
            acc[j][1] = _mm256_add_epi32(acc[j][1], _mm256_madd_epi16(bottom, pairs));
        }
    }
    int32_t words[2][2][8] = {{{0}}};
    for (int j = 0; j < nr; j++) {
        _mm256_storeu_si256((__m256i *)words[j][0], acc[j][0]);
        _mm256_storeu_si256((__m256i *)words[j][1], acc[j][1]);
    }
    for (int half = 0; half * 4 < mr; half++) {
        __m256i sums[4][2];
        for (int r = 0; r < 4; r++) {
            sums[r][0] = _mm256_setr_epi32(words[0][half][2 * r] + words[0][half][2 * r + 1],
                                           words[1][half][2 * r] + words[1][half][2 * r + 1], 0, 0, 0, 0, 0, 0);
            sums[r][1] = _mm256_setzero_si256();
        }
        finish_quad_half((const __m256i (*)[2])sums, half, c, ldc, mr, nr, accumulate, ep, wscale, xscale);
    }
}

AVX2 static void qkernel_avx2(int kq, const void *a, const uint8_t *b, const uint8_t *high, float *c, long ldc, int mr,
                              int nr, int accumulate, const swk_epilogue *ep, const float *wscale, float xscale) {
    const __m256i low = _mm256_set1_epi32(0x00FF00FF);
    const __m256i ones = _mm256_set1_epi16(1);
    if (nr <= 2) {
        qkernel_avx2_columns(kq, a, b, c, ldc, mr, nr, accumulate, ep, wscale, xscale);
        return;
    }
    if (nr <= 8) {
        /* A panel's last few columns (49 = 3 x 16 + 1 at 7 x 7): half the work of a full tile. */
        QUAD_PASS_NARROW(a, 2 * AVX2_HALF_BYTES, AVX2_NR * 4, {
            const __m256i b0 = _mm256_load_si256((const __m256i *)bp);
            if (!high[q]) {
                TAP_QUAD_ROWS_NARROW(MADDUBS_STEP, AVX2_QUAD_WORDS(ap), AVX2_QUAD_WORDS(ap + AVX2_HALF_BYTES))
            } else {
                const __m256i e0 = _mm256_and_si256(b0, low), o0 = _mm256_srli_epi16(b0, 8);
                const int32_t *w;
                __m256i we, wo;
                AVX2_QROW_NARROW(0, s0); AVX2_QROW_NARROW(1, s1); AVX2_QROW_NARROW(2, s2); AVX2_QROW_NARROW(3, s3);
                AVX2_QROW_NARROW(4, s4); AVX2_QROW_NARROW(5, s5); AVX2_QROW_NARROW(6, s6); AVX2_QROW_NARROW(7, s7);
            }
        })
        return;
    }
    QUAD_PASS(a, 2 * AVX2_HALF_BYTES, AVX2_NR * 4, {
        const __m256i b0 = _mm256_load_si256((const __m256i *)bp);
        const __m256i b1 = _mm256_load_si256((const __m256i *)(bp + 32));
        if (!high[q]) {
            TAP_QUAD_ROWS(MADDUBS_STEP, AVX2_QUAD_WORDS(ap))
        } else {
            const __m256i e0 = _mm256_and_si256(b0, low), o0 = _mm256_srli_epi16(b0, 8);
            const __m256i e1 = _mm256_and_si256(b1, low), o1 = _mm256_srli_epi16(b1, 8);
            const int32_t *w = (const int32_t *)ap;
            __m256i we, wo;
            AVX2_QROW(0, s00, s01);
            AVX2_QROW(1, s10, s11);
            AVX2_QROW(2, s20, s21);
            AVX2_QROW(3, s30, s31);
        }
    })
}
#undef AVX2_QROW
#undef AVX2_QROW_NARROW
#undef AVX2_QUAD_WORDS

/* 7-bit activations (levels <= 127): every quad takes qkernel_avx2's vpmaddubsw step, on tap quads as they are. */
AVX2 static void qkernel_avx2_7bit(int kq, const void *a, const uint8_t *b, const uint8_t *high, float *c, long ldc,
                                   int mr, int nr, int accumulate, const swk_epilogue *ep, const float *wscale, float xscale) {
    const __m256i ones = _mm256_set1_epi16(1);
    if (nr <= 8) {
        QUAD_PASS_NARROW(a, SWK_QMR * 4, AVX2_NR * 4, {
            const __m256i b0 = _mm256_load_si256((const __m256i *)bp);
            TAP_QUAD_ROWS_NARROW(MADDUBS_STEP, (const int32_t *)ap, (const int32_t *)ap + 4)
        })
        return;
    }
    TAP_QUAD_PASS(MADDUBS_STEP)
}
#undef MADDUBS_STEP

/* Tap quads [w0 w1 w2 w3] of one panel to qkernel_avx2's form: per quad and half (rows 0-3, 4-7), the rows'
 * int16 pairs (w0, w2) and (w1, w3), sign-extended, then their tap-quad words as they are (AVX2_HALF_BYTES). */
AVX2 static void widen_panel_avx2(int kq, const int8_t *a, void *dst) {
    uint8_t *out = dst;
    for (int q = 0; q < kq; q++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(a + (size_t)q * SWK_QMR * 4));
        const __m256i even = _mm256_srai_epi16(_mm256_slli_epi16(v, 8), 8);
        const __m256i odd = _mm256_srai_epi16(v, 8);
        const __m256i lo = _mm256_unpacklo_epi32(even, odd), hi = _mm256_unpackhi_epi32(even, odd);
        _mm256_storeu_si256((__m256i *)out, _mm256_permute2x128_si256(lo, hi, 0x20));
        _mm_storeu_si128((__m128i *)(out + AVX2_WIDE_BYTES), _mm256_castsi256_si128(v));
        _mm256_storeu_si256((__m256i *)(out + AVX2_HALF_BYTES), _mm256_permute2x128_si256(lo, hi, 0x31));
        _mm_storeu_si128((__m128i *)(out + AVX2_HALF_BYTES + AVX2_WIDE_BYTES), _mm256_extracti128_si256(v, 1));
        out += 2 * AVX2_HALF_BYTES;
    }
}

/* The marks qkernel_avx2 chooses its step by (swk_mark_quads_fn): a vpor and a vpmovmskb per quad of the column
 * block, once, rather than in each of the tile's two four-row passes for every row panel. */
AVX2 static void mark_quads_avx2(int kq, int panels, const uint32_t *block, uint8_t *high) {
    const __m256i *quad = (const __m256i *)block;
    for (size_t i = 0; i < (size_t)kq * (size_t)panels; i++, quad += 2) {
        high[i] = _mm256_movemask_epi8(_mm256_or_si256(_mm256_load_si256(quad), _mm256_load_si256(quad + 1))) != 0;
    }
}

const swk_int8_kernel_set swk_avx2_int8_kernels = {
    .name = "avx2", .nr = AVX2_NR, .quantize_row = quantize_row_avx2, .pack = pack_quads_avx2, .kernel = qkernel_avx2,
    .direct = NULL, .widen = widen_panel_avx2, .mark = mark_quads_avx2,
};

/* 7-bit activations (levels <= 127): the saturating vpmaddubsw form is exact, on tap quads as they are. */
const swk_int8_kernel_set swk_avx2_7bit_int8_kernels = {
    .name = "avx2", .nr = AVX2_NR, .quantize_row = quantize_row_avx2, .pack = pack_quads_avx2,
    .kernel = qkernel_avx2_7bit, .direct = NULL, .widen = NULL,
};
#endif
