/*
 * swm.h — run .swm models (the int8 / fp16 / fp32 ResNet files swsl-convert writes) from C, C++, Rust,
 * Go, or Python through ctypes. The library is libswm (`swift build -c release --product swm` builds
 * .build/release/libswm.so); it holds the .swm reader and the executor, no model converter.
 *
 * Interface version 1 (SWM_API_VERSION). Additions keep the version's existing functions and struct
 * layouts; a change to either raises it.
 *
 * Errors: every function that can fail returns NULL or a negative number, and swm_last_error() then
 * says why in one line that names the file and, for a broken file, the rule of the .swm spec it breaks
 * (Formats/SWM.md): the same refusals as `swsl-convert inspect` and `run`. Nothing is thrown or
 * longjmp'd across this interface; a hostile file is refused, never executed, and never crashes the caller.
 *
 * Ownership: the caller owns every buffer it passes in (the library only reads `input`, only writes
 * `logits`, `indices` and `probabilities`, and keeps no pointer to any of them after the call). Strings
 * the library returns belong to it: those from swm_metadata_json and swm_class_name live until
 * swm_close on their model; swm_last_error's until the next failing call on the same thread. Never free them.
 *
 * Threads: a swm_model may be used from several threads; its runs are serialised (each uses the
 * model's own worker threads). For runs in parallel, open the file once per thread: the weights are
 * mapped, not copied, so each extra model costs only its activation buffers. swm_close must not race
 * with other calls on the same model. swm_last_error is per thread.
 *
 * Memory: the weights stay in the file's read-only mapping until swm_close; the file must not be
 * truncated or rewritten while a model has it open.
 */
#ifndef SWM_H
#define SWM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The interface version this header describes; swm_api_version() gives the library's. */
#define SWM_API_VERSION 1

/* An opened, validated .swm model with its executor. Opaque. */
typedef struct swm_model swm_model;

/* How int8 weights are multiplied (swm_options.int8_arithmetic). */
enum swm_int8_arithmetic {
    SWM_INT8_INTEGER = 0,      /* default: activations quantized to 8 bits, exact int32 sums, same on every CPU */
    SWM_INT8_DEQUANTIZED = 1,  /* int8 weights widened to float, float activations */
    SWM_INT8_INTEGER_7BIT = 2  /* integer with 7-bit activations */
};

/* Options for swm_open; all zero (or a NULL pointer) means the defaults. */
typedef struct swm_options {
    int threads;             /* worker threads per run; 0: the machine's online processors */
    int int8_arithmetic;     /* an enum swm_int8_arithmetic value */
    int check_crc;           /* nonzero: check every tensor's CRC-32 when opening (reads the whole file once) */
    int dynamic_activations; /* nonzero: measure each input's activation ranges, ignoring ones the file stores */
} swm_options;

/* The interface version of the library (SWM_API_VERSION of the header it was built with). */
int swm_api_version(void);

/* Maps and validates the .swm at `path` and prepares it to run. NULL on failure (swm_last_error). */
swm_model *swm_open(const char *path, const swm_options *options);

/* Unmaps the file and frees the model and every string it returned. NULL is ignored. */
void swm_close(swm_model *model);

/* Logits per input (the number of classes). */
int swm_classes(const swm_model *model);

/* Channels the input must have (3 for RGB). */
int swm_input_channels(const swm_model *model);

/* The side, in pixels, of the images the model was trained on (its preprocessing's crop, 224 for ImageNet). */
int swm_input_size(const swm_model *model);

/*
 * Runs the model on `input`: float32, NCHW, C order, `batch` x swm_input_channels x `height` x `width`,
 * preprocessed as the model expects (swm_metadata_json: "preprocessing"). Writes batch x swm_classes
 * logits, row by row, to `logits`, which holds `logits_capacity` floats. 0 on success, -1 on failure.
 * Bounds: batch <= 65536, sides <= 32768, at most 2^28 input floats (1 GiB), and at most 8 GiB of
 * activations for the run; larger inputs are refused before anything is allocated for them.
 */
int swm_run(swm_model *model, const float *input, int batch, int height, int width,
            float *logits, size_t logits_capacity);

/*
 * The model input for the JPEG or PNG file at `image_path`: decoded, resized, centre-cropped and
 * normalised as the model's preprocessing says (torchvision's evaluation transform), written to `input`
 * (1 x 3 x swm_input_size x swm_input_size floats; `input_capacity` floats available). 0 or -1.
 */
int swm_image_input(swm_model *model, const char *image_path, float *input, size_t input_capacity);

/*
 * The `k` most probable classes of one row of logits (swm_classes floats), most probable first:
 * their indices and softmax probabilities (either output may be NULL). Returns how many were written
 * (k, or swm_classes when smaller), -1 on failure.
 */
int swm_top_k(const swm_model *model, const float *logits, int k, int *indices, float *probabilities);

/* The name of class `index` from the file's metadata; NULL when the file has no names or index is out of range. */
const char *swm_class_name(const swm_model *model, int index);

/* The file's metadata as JSON (architecture, preprocessing, classes, provenance, quantization, report,
   verification record), byte for byte as stored. */
const char *swm_metadata_json(const swm_model *model);

/* Why the last failing call on this thread failed; "" when none has. */
const char *swm_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* SWM_H */
