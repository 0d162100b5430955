/* Vectorised activation quantizer, instantiated by the AVX2 and AVX-512 kernel files. Define before
 * including: QUANT_NAME, QUANT_TARGET, QUANT_NR (panel columns), QUANT_WIDTH (floats per vector), and
 * vector helpers qvec_t / qint_t with QLOAD(p), QMUL(a, b), QSET1(x), QCVT(v) (to int32, nearest even),
 * QCLAMP(v, lo, hi) (float clamp, before conversion, so huge values saturate), QOR_SHIFT(acc, i, bits) (acc | i << bits), QSTORE(p, i), QZEROF(),
 * QLOADN(p, n) (the first n floats, zeros after; reads nothing past them). QUANT_POINTWISE_NAME names the
 * fused pointwise packer.
 * Four reduction rows of one column become the four bytes of one 32-bit lane, byte t for row 4q + t. */
QUANT_TARGET static void QUANT_NAME(const float *src, uint8_t *dst, int panels, int kc, float inverse, int levels) {
    const int quads = (kc + 3) / 4;
    const qvec_t scale = QSET1(inverse);
    const float top = (float)levels;
    for (int p = 0; p < panels; p++) {
        const float *panel = src + (size_t)p * kc * QUANT_NR;
        uint8_t *out = dst + (size_t)p * quads * QUANT_NR * 4;
        for (int q = 0; q < quads; q++) {
            for (int j = 0; j < QUANT_NR; j += QUANT_WIDTH) {
                qint_t word = QCVT(QZEROF());
                for (int t = 0; t < 4; t++) {
                    const int k = 4 * q + t;
                    if (k >= kc) break;
                    const qint_t value = QCVT(QCLAMP(QMUL(QLOAD(panel + (size_t)k * QUANT_NR + j), scale), 0.0f, top));
                    word = QOR_SHIFT(word, value, 8 * t);
                }
                QSTORE(out + ((size_t)q * QUANT_NR + j) * 4, word);
            }
        }
    }
}

/* 1x1 stride-1 convolutions: quantizes and interleaves straight from the input planes (four channels
 * per quad), skipping the float im2col block. Same output as packing then QUANT_NAME. */
QUANT_TARGET static void QUANT_POINTWISE_NAME(const swk_conv *conv, const float *input, int g, int k0, int kc,
                                              int col0, int nc, uint8_t *dst, float inverse, int levels) {
    const size_t plane = (size_t)conv->in_height * conv->in_width;
    const int cg = conv->in_channels / conv->groups;
    const int quads = (kc + 3) / 4;
    const int panels = (nc + QUANT_NR - 1) / QUANT_NR;
    const qvec_t scale = QSET1(inverse);
    const float top = (float)levels;
    for (int q = 0; q < quads; q++) {
        const float *rows[4];
        for (int t = 0; t < 4; t++) {
            rows[t] = 4 * q + t < kc ? input + (size_t)(g * cg + k0 + 4 * q + t) * plane + col0 : NULL;
        }
        for (int p = 0; p < panels; p++) {
            uint8_t *out = dst + ((size_t)p * quads + q) * QUANT_NR * 4;
            for (int j = 0; j < QUANT_NR; j += QUANT_WIDTH) {
                const int column = p * QUANT_NR + j;
                const int valid = nc - column < QUANT_WIDTH ? (nc - column > 0 ? nc - column : 0) : QUANT_WIDTH;
                qint_t word = QCVT(QZEROF());
                for (int t = 0; t < 4; t++) {
                    if (rows[t] == NULL || valid == 0) continue;
                    const qvec_t x = valid == QUANT_WIDTH ? QLOADU(rows[t] + column) : QLOADN(rows[t] + column, valid);
                    word = QOR_SHIFT(word, QCVT(QCLAMP(QMUL(x, scale), 0.0f, top)), 8 * t);
                }
                QSTORE(out + (size_t)j * 4, word);
            }
        }
    }
}
