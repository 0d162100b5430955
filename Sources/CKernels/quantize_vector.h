/* Vectorised activation quantizer, instantiated by the AVX2 and AVX-512 kernel files. Define before
 * including: QUANT_NAME, QUANT_TARGET, QUANT_WIDTH (floats per vector), and vector helpers qvec_t /
 * qint_t with QLOADU(p), QLOADN(p, n) (the first n floats, zeros after; reads nothing past them),
 * QMUL(a, b), QADD(a, b), QSET1(x), QCVT(v) (to int32, nearest even), QCLAMP(v, lo, hi) (float clamp, before
 * conversion, so huge values saturate), QOR_SHIFT(acc, i, bits) (acc | i << bits), QSTOREU(p, i),
 * QSTOREN(p, i, n) (the first n 32-bit lanes), QZEROF().
 * One row of four channels becomes one 32-bit word per pixel, byte t from channel t (absent: zero):
 * q = clamp(round_to_nearest_even(x * inverse + zero), 0, top). */
QUANT_TARGET static void QUANT_NAME(const float *const src[4], uint8_t *dst, int width, float inverse, float zero,
                                    float top) {
    const qvec_t scale = QSET1(inverse), offset = QSET1(zero);
    for (int x = 0; x < width; x += QUANT_WIDTH) {
        const int valid = width - x < QUANT_WIDTH ? width - x : QUANT_WIDTH;
        qint_t word = QCVT(QZEROF());
        for (int t = 0; t < 4; t++) {
            if (src[t] == NULL) continue;
            const qvec_t v = valid == QUANT_WIDTH ? QLOADU(src[t] + x) : QLOADN(src[t] + x, valid);
            word = QOR_SHIFT(word, QCVT(QCLAMP(QADD(QMUL(v, scale), offset), 0.0f, top)), 8 * t);
        }
        if (valid == QUANT_WIDTH) QSTOREU(dst + (size_t)x * 4, word);
        else QSTOREN(dst + (size_t)x * 4, word, valid);
    }
}
