import ArgumentParser
import SWSLCore
import SWSLPipeline
import SWSLFormat
import SWSLExecutor
import SWMRuntime

/// `swsl-convert run MODEL --input x.npy --output logits.npy` or `run MODEL --image photo.jpg`:
/// run a `.swm` or the float reference of a checkpoint.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a .swm model, or the float reference of any checkpoint, on NCHW float32 input or on photos.",
        discussion: """
            Images (JPEG or PNG) are preprocessed as the .swm metadata says (ImageNet's transform for a \
            checkpoint): the shorter side resized with Pillow's bilinear filter, centre crop, normalised, \
            giving what torchvision's Resize/CenterCrop/ToTensor/Normalize give on the same file.
            """)

    @Argument(help: "A .swm file, or a checkpoint (then its float reference runs, BatchNorm unfolded).")
    var model: String

    @Option(help: "Input batch: a float32 C-order .npy of shape [N, C, H, W].")
    var input: String?

    @Option(name: .customLong("image"), help: ArgumentHelp(
        "A JPEG or PNG photo, or a folder of them (walked recursively, sorted), to classify; repeatable.",
        valueName: "photo.jpg|png|folder"))
    var images: [String] = []

    @Option(help: "Where to write the logits (.npy, float32 [N, classes]); default: print them.")
    var output: String?

    @Option(help: "Print the top K classes of each sample.")
    var top: Int = 5

    @Flag(help: "Print one JSON object per input on stdout (JSON Lines): its name, then the top K classes with index, label, probability and logit.")
    var json = false

    @OptionGroup var options: RunOptions

    func validate() throws {
        guard (input == nil) != images.isEmpty else {
            throw ValidationError("Give exactly one of --input x.npy and --image photo.jpg.")
        }
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
    }

    func run() throws {
        if let output {
            do { try AtomicFileWriter.checkReplaceable(output) } catch {
                throw CommandFailure(error)
            }
        }
        let loaded = try loadModel(model, int8: options.int8Mode)
        let classes = loaded.architecture.numClasses
        let names = loaded.classNames ?? (classes == ImageNetClasses.names.count ? ImageNetClasses.names : nil)
        var all: [Float] = []
        // With --output nothing is printed before the logits are written (a refused write leaves stdout empty);
        // without it, lines are printed as each batch finishes.
        var pending: [(name: String, sample: Int?)] = []  // the i-th is row i of `all`
        func emit(_ row: [Float], _ name: String, _ sample: Int?) {
            if output == nil { printTop(row, name: name, sample: sample, names: names) } else { pending.append((name, sample)) }
        }
        if images.isEmpty {
            let (values, shape) = try readInput()
            let (n, h, w) = (shape[0], shape[2], shape[3])
            all = try execute(loaded, input: values, batch: n, height: h, width: w, threads: options.threads)
            for s in 0..<n { emit(Array(all[s * classes..<(s + 1) * classes]), "sample \(s)", s) }
        } else {
            // Photos and folders of photos (ImageFolder: recursively, sorted), run in batches and printed as they go.
            var paths: [String] = []
            for image in images {
                if ImageFolder.isFolder(image) {
                    let folder: ImageFolder
                    do { folder = try ImageFolder(image) } catch { throw CommandFailure(error) }
                    guard !folder.images.isEmpty else { throw CommandFailure(place: image, "no .jpg, .jpeg or .png images") }
                    paths += folder.paths
                } else {
                    paths.append(image)
                }
            }
            let executor = PlanExecutor(plan: loaded.plan, threads: options.threads)
            let batches = stride(from: 0, to: paths.count, by: 16).map { Array(paths[$0..<min($0 + 16, paths.count)]) }
            try forEachImageBatch(batches, for: loaded) { index, values, shape in
                let batch = batches[index]
                let logits: [Float]
                do { logits = try executor.run(input: values, batch: shape[0], height: shape[2], width: shape[3]) } catch {
                    throw CommandFailure(place: model, error: error)
                }
                if output != nil { all += logits }
                for (s, path) in batch.enumerated() { emit(Array(logits[s * classes..<(s + 1) * classes]), path, nil) }
            }
        }
        if let output {
            do { try NPYArray(shape: [all.count / max(classes, 1), classes], values: all).write(path: output) } catch {
                throw CommandFailure(place: output, error: error)
            }
        }
        for (i, line) in pending.enumerated() {
            printTop(Array(all[i * classes..<(i + 1) * classes]), name: line.name, sample: line.sample, names: names)
        }
    }

    /// One input's top classes: a line for people, or a JSON line (`image`, or `input` and `sample`).
    private func printTop(_ row: [Float], name: String, sample: Int?, names: [String]?) {
        let ranked = SWMModel.Prediction.top(top, of: row, names: names)
        if json {
            let top: [JSONValue] = ranked.map { p in
                .object([("index", .int(Int64(p.index))), ("label", p.label.map { .string($0) } ?? .null),
                         ("probability", .double(Double(p.probability))), ("logit", .double(Double(p.logit)))])
            }
            let input: [(String, JSONValue)] = sample.map { [("input", .string(self.input ?? "")), ("sample", .int(Int64($0)))] }
                ?? [("image", .string(name))]
            print(JSONValue.object(input + [("top", .array(top))]).serialized(pretty: false))
            return
        }
        print(name + ": " + ranked.map(\.description).joined(separator: ", "))
    }

    private func readInput() throws -> ([Float], [Int]) {
        let path = input ?? ""
        let array: NPYArray
        do { array = try NPYArray.read(path: path) } catch {
            throw CommandFailure(place: path, error: error)
        }
        guard array.shape.count == 4 else {
            throw CommandFailure(place: path, "input must be [N, C, H, W], got \(array.shape)")
        }
        return (array.values, array.shape)
    }
}

/// The preprocessing a model asks for: its `.swm` metadata's (checked when the file was opened), or
/// ImageNet's for a checkpoint.
func imagePreprocessor(for model: LoadedModel) throws -> ImagePreprocessor {
    do { return try ImagePreprocessor(model.preprocessing) } catch { throw CommandFailure(place: model.path, error: error) }
}

/// Decodes and preprocesses `paths` for `model` into one NCHW batch; a bad image is printed and exits with 2.
func imageBatch(_ paths: [String], for model: LoadedModel) throws -> ([Float], [Int]) {
    let preprocessor = try batchPreprocessor(for: model)
    return (try decodeBatch(paths, preprocessor), [paths.count, 3, preprocessor.cropSize, preprocessor.cropSize])
}

/// The streaming loops' decoding (`run --image FOLDER`, `verify --image FOLDER`): batch i + 1 is decoded and
/// preprocessed on another thread while `body` runs batch i, so the models do not wait for the JPEG decoder and at
/// most two batches are held. Batches reach `body` in order; the first bad image stops the loop with its line.
func forEachImageBatch(_ batches: [[String]], for model: LoadedModel,
                       _ body: (_ index: Int, _ values: [Float], _ shape: [Int]) throws -> Void) throws {
    let preprocessor = try batchPreprocessor(for: model)
    func decodeAhead(_ i: Int) -> BackgroundWork<Result<[Float], any Error>> {
        let paths = batches[i]
        return BackgroundWork { Result { try decodeBatch(paths, preprocessor) } }
    }
    var ahead = batches.isEmpty ? nil : decodeAhead(0)
    for i in batches.indices {
        let values = try ahead!.wait().get()
        ahead = i + 1 < batches.count ? decodeAhead(i + 1) : nil
        do { try body(i, values, [batches[i].count, 3, preprocessor.cropSize, preprocessor.cropSize]) } catch {
            _ = ahead?.wait()  // no decoding outlives the loop
            throw error
        }
    }
}

private func batchPreprocessor(for model: LoadedModel) throws -> ImagePreprocessor {
    let preprocessor = try imagePreprocessor(for: model)
    guard model.architecture.inputChannels == 3 else {
        throw CommandFailure(place: model.path, "images need a 3-channel model, this one takes \(model.architecture.inputChannels)")
    }
    return preprocessor
}

private func decodeBatch(_ paths: [String], _ preprocessor: ImagePreprocessor) throws -> [Float] {
    var values: [Float] = []
    values.reserveCapacity(paths.count * 3 * preprocessor.cropSize * preprocessor.cropSize)
    for path in paths {
        do { values += try preprocessor.tensor(forImageAt: path) } catch {
            throw CommandFailure(error)
        }
    }
    return values
}


#if canImport(Glibc)
import Glibc
#endif
