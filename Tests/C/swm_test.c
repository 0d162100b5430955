/*
 * The C interface (swm.h) from C: opens a .swm, runs PyTorch's golden input through it, holds the logits
 * to PyTorch's within int8's budget, writes them for an exact comparison with `swsl-convert run`, and
 * checks that hostile files and bad arguments are refused with a message, never a crash.
 *
 *   swm_test MODEL.swm INPUT.npy TORCH_LOGITS.npy LOGITS_OUT.raw IMAGE [HOSTILE.swm ...]
 *
 * Built and run by scripts/test-embedding.sh. Exit 0 when every check holds; each failure prints a line.
 */
#include "swm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* A float32 little-endian C-order .npy (version 1 or 2): its values, and how many. */
static float *read_npy(const char *path, size_t *count) {
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "cannot open %s\n", path); exit(2); }
    unsigned char head[12];
    if (fread(head, 1, 10, f) != 10 || memcmp(head, "\x93NUMPY", 6) != 0) { fprintf(stderr, "%s: not .npy\n", path); exit(2); }
    size_t header = head[8] | (size_t)head[9] << 8, start = 10;
    if (head[6] >= 2) {
        if (fread(head + 10, 1, 2, f) != 2) exit(2);
        header |= (size_t)head[10] << 16 | (size_t)head[11] << 24;
        start = 12;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    size_t bytes = (size_t)size - start - header;
    fseek(f, (long)(start + header), SEEK_SET);
    float *values = malloc(bytes);
    if (!values || fread(values, 1, bytes, f) != bytes) { fprintf(stderr, "%s: short read\n", path); exit(2); }
    fclose(f);
    *count = bytes / sizeof(float);
    return values;
}

static double cosine(const float *a, const float *b, int n) {
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < n; i++) { ab += (double)a[i] * b[i]; aa += (double)a[i] * a[i]; bb += (double)b[i] * b[i]; }
    return ab / sqrt(aa * bb);
}

static int argmax(const float *a, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) if (a[i] > a[best]) best = i;
    return best;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: %s MODEL.swm INPUT.npy TORCH_LOGITS.npy LOGITS_OUT.raw IMAGE [HOSTILE.swm ...]\n", argv[0]);
        return 2;
    }
    CHECK(swm_api_version() == SWM_API_VERSION, "library interface %d, header %d", swm_api_version(), SWM_API_VERSION);
    CHECK(strcmp(swm_last_error(), "") == 0, "an error before any call: %s", swm_last_error());

    swm_options options = {0};
    options.threads = 2;
    options.check_crc = 1;
    swm_model *model = swm_open(argv[1], &options);
    if (!model) { fprintf(stderr, "FAIL: swm_open(%s): %s\n", argv[1], swm_last_error()); return 1; }
    int classes = swm_classes(model), channels = swm_input_channels(model);
    CHECK(channels == 3, "input channels %d", channels);

    /* PyTorch's golden input [N, 3, H, W] (square) and its logits [N, classes]. */
    size_t input_count, torch_count;
    float *input = read_npy(argv[2], &input_count);
    float *torch = read_npy(argv[3], &torch_count);
    int batch = (int)(torch_count / (size_t)classes);
    int side = (int)lrint(sqrt((double)input_count / batch / channels));
    CHECK((size_t)batch * classes == torch_count && (size_t)batch * channels * side * side == input_count,
          "golden shapes: %zu inputs, %zu logits for %d classes", input_count, torch_count, classes);
    float *logits = calloc((size_t)batch * classes, sizeof(float));
    CHECK(swm_run(model, input, batch, side, side, logits, (size_t)batch * classes) == 0, "swm_run: %s", swm_last_error());
    for (int s = 0; s < batch; s++) {
        double c = cosine(logits + s * classes, torch + s * classes, classes);
        CHECK(c >= 0.99, "sample %d: cosine %.6f against PyTorch, below int8's 0.99", s, c);
        CHECK(argmax(logits + s * classes, classes) == argmax(torch + s * classes, classes), "sample %d: top-1 differs from PyTorch", s);
    }
    FILE *out = fopen(argv[4], "wb");
    CHECK(out && fwrite(logits, sizeof(float), (size_t)batch * classes, out) == (size_t)batch * classes, "cannot write %s", argv[4]);
    if (out) fclose(out);

    /* Top-k of the first sample: sorted, probabilities summing to at most 1, the first is the argmax. */
    int indices[5];
    float probabilities[5];
    int k = swm_top_k(model, logits, 5, indices, probabilities);
    CHECK(k == (classes < 5 ? classes : 5), "swm_top_k gave %d", k);
    CHECK(k < 1 || indices[0] == argmax(logits, classes), "top-1 %d is not the argmax", indices[0]);
    for (int i = 1; i < k; i++) CHECK(probabilities[i] <= probabilities[i - 1], "top-k not sorted at %d", i);
    CHECK(swm_class_name(model, -1) == NULL && swm_class_name(model, classes) == NULL, "a name out of range");
    const char *json = swm_metadata_json(model);
    CHECK(json && json[0] == '{' && strstr(json, "\"architecture\"") && strstr(json, "\"preprocessing\""), "metadata: %s", json ? json : "NULL");

    /* A photo, preprocessed by the library as the metadata says, at the model's input size. */
    int size = swm_input_size(model);
    size_t image_count = (size_t)3 * size * size;
    float *image = malloc(image_count * sizeof(float));
    CHECK(swm_image_input(model, argv[5], image, image_count) == 0, "swm_image_input: %s", swm_last_error());
    CHECK(swm_run(model, image, 1, size, size, logits, (size_t)classes) == 0, "swm_run on the photo: %s", swm_last_error());
    CHECK(swm_image_input(model, argv[5], image, image_count - 1) == -1 && strstr(swm_last_error(), "holds"),
          "a short image buffer: %s", swm_last_error());
    CHECK(swm_image_input(model, argv[1], image, image_count) == -1 && strstr(swm_last_error(), argv[1]),
          "a .swm as an image: %s", swm_last_error());

    /* Bad arguments: refused with a message, nothing written past the buffers. */
    CHECK(swm_run(model, input, batch, side, side, logits, (size_t)batch * classes - 1) == -1 && strstr(swm_last_error(), "logits holds"),
          "a short logits buffer: %s", swm_last_error());
    CHECK(swm_run(model, input, 0, side, side, logits, (size_t)classes) == -1, "batch 0 accepted");
    CHECK(swm_run(model, input, 1, 1 << 20, 1 << 20, logits, (size_t)classes) == -1, "a 2^40-pixel input accepted");
    CHECK(swm_run(model, NULL, 1, side, side, logits, (size_t)classes) == -1 && strstr(swm_last_error(), "NULL"), "NULL input accepted");
    CHECK(swm_run(NULL, input, 1, side, side, logits, (size_t)classes) == -1, "NULL model accepted");
    CHECK(swm_top_k(model, logits, 0, indices, probabilities) == -1, "k = 0 accepted");
    swm_options bad = {0};
    bad.int8_arithmetic = 7;
    CHECK(swm_open(argv[1], &bad) == NULL && strstr(swm_last_error(), "int8_arithmetic"), "int8_arithmetic 7 accepted");
    CHECK(swm_open(NULL, NULL) == NULL, "a NULL path accepted");
    swm_close(NULL);
    swm_close(model);

    /* Hostile and broken files: NULL, and a message naming the file. */
    for (int i = 6; i < argc; i++) {
        swm_model *m = swm_open(argv[i], &options);
        CHECK(m == NULL, "%s: opened", argv[i]);
        if (m) { swm_close(m); continue; }
        CHECK(strstr(swm_last_error(), argv[i]) != NULL, "%s: the message does not name the file: %s", argv[i], swm_last_error());
        printf("refused: %s\n", swm_last_error());
    }
    free(input); free(torch); free(logits); free(image);
    if (failures) { fprintf(stderr, "%d check(s) failed\n", failures); return 1; }
    printf("C interface: %d inputs, %d classes, logits within int8's budget of PyTorch's; %d hostile files refused\n",
           batch, classes, argc - 6);
    return 0;
}
