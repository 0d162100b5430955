import ArgumentParser
import Crypto
import SWSLCheckpoint
import SWSLCore
import SWSLExecutor
import SWSLFormat
import SWSLRuntime
import SWSLSchema
import SWSLTransform
#if canImport(Glibc)
import Glibc
#endif

extension Precision: ExpressibleByArgument {}
extension WeightLayout: ExpressibleByArgument {}

/// `swsl-convert [convert] IN OUT`: read → canonical schema → fold BatchNorm → quantize → write `.swm`.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a checkpoint into a .swm model file (the default command).",
        discussion: "IN is any checkpoint `inspect` reads. OUT is written atomically: a failed or interrupted conversion leaves no OUT and an existing OUT untouched.")

    @Argument(help: "The checkpoint to convert.")
    var input: String

    @Argument(help: "The .swm file to write.")
    var output: String

    @Option(help: "Weight precision: int8 (default), fp16 or fp32.")
    var precision: Precision = .int8

    @Flag(help: "Quantize int8 weights with one scale per tensor instead of one per output channel.")
    var perTensor = false

    @Option(help: "Weight layout: packed (default; what the kernels read, so the file runs as mapped) or oihw (PyTorch's C order, for other readers).")
    var weightLayout: WeightLayout = .packed

    @Option(help: ArgumentHelp(
        "int8: activation ranges to store: 'synthetic' (default: \(CalibrationDefaults.syntheticSamples) generated images, approximate), 'none', or real inputs: a float32 [N, C, H, W] .npy preprocessed like `run --input`, a photo, or a folder of JPEG/PNG photos.",
        valueName: "synthetic|none|PATH"))
    var calibrate: String?

    @Option(help: "Use at most this many calibration samples (default \(CalibrationDefaults.fileSamples) from a file or folder, \(CalibrationDefaults.syntheticSamples) synthetic).")
    var calibrationSamples: Int?

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    func validate() throws {
        guard !output.isEmpty else { throw ValidationError("OUT must not be empty") }
        if precision != .int8, let calibrate, calibrate != "none" {
            throw ValidationError("--calibrate \(calibrate) applies to int8 only (activation scales are for 8-bit activations)")
        }
        if let n = calibrationSamples, n < 1 { throw ValidationError("--calibration-samples must be at least 1") }
    }

    func run() throws {
        var phases = PhaseTimer()
        var calibrationNote: String?
        let progress = Progress(enabled: isatty(2) == 1 && !json)
        // Before any work: an OUT that is the input, a folder or not a regular file is refused now
        // (files read later, such as ONNX external data, are checked again when OUT is written).
        if SameFile.check(input, output) {
            throw CommandFailure(place: output, "is the input file; refusing to write over it")
        }
        do { try AtomicFileWriter.checkReplaceable(output) } catch {
            throw CommandFailure(error)
        }
        if SWMFile.isSWM(path: input) {
            throw CommandFailure(place: input, "is already a .swm model; convert takes a PyTorch, ONNX or safetensors checkpoint")
        }
        // The provenance hash runs beside the conversion, on the other core.
        let path = input
        let digest = BackgroundWork { SHA256Digest.hex(path: path) }
        progress.say("reading \(input)")
        let checkpoint = try withInputErrors { () throws(CheckpointError) in try CheckpointReader.read(path: input) }
        phases.lap("read")
        let model: CanonicalModel
        do { model = try SchemaMapper.map(checkpoint) } catch {
            throw CommandFailure(place: input, "\(error)")
        }
        phases.lap("map")
        var info = stat()
        let sourceSize = stat(input, &info) == 0 ? Int(info.st_size) : 0
        progress.say("folding and quantizing \(model.architecture.name ?? "model")")
        var source = SourceInfo(
            fileName: String(input.split(separator: "/").last ?? Substring(input)), size: sourceSize,
            sha256: "", format: checkpoint.format.rawValue,
            wrapper: checkpoint.wrapper, prefix: checkpoint.prefix)
        var options = ConversionOptions(precision: precision, granularity: perTensor ? .perTensor : .perChannel,
                                        layout: weightLayout)
        var conversion = Converter.convert(model, source: source, options: options)
        phases.lap("fold_quantize")
        if precision == .int8, let calibration = try calibrateActivations(conversion, model: model, progress: progress) {
            conversion.setActivationScales(calibration.scales)
            options.calibration = calibration.metadata
            calibrationNote = calibration.note
            phases.lap("calibrate")
        }
        // Write the tensors while the hash finishes; the metadata (with the hash) goes in last.
        var draft = source
        draft.sha256 = String(repeating: "0", count: 64)
        progress.say("writing \(output)")
        let pending: SWMPendingFile
        do {
            pending = try SWMPendingFile(path: output, tensors: conversion.tensors,
                                         metadataDraft: Converter.metadata(model, source: draft, options: options, sqnr: conversion.sqnr))
        } catch {
            throw CommandFailure(place: output, "\(error)")
        }
        phases.lap("write")
        source.sha256 = digest.wait()
        conversion.metadata = Converter.metadata(model, source: source, options: options, sqnr: conversion.sqnr)
        phases.lap("sha256")
        let written: Int
        do { written = try pending.finish(metadata: conversion.metadata) } catch {
            throw CommandFailure(place: output, "\(error)")
        }
        phases.lap("commit")
        let summary = ConversionSummary(input: input, output: output, architecture: model.architecture,
                                        precision: precision, sourceBytes: sourceSize, outputBytes: written,
                                        worst: conversion.worstSQNR, calibration: calibrationNote, phases: phases.laps)
        print(json ? summary.json.serialized(pretty: true) : summary.text)
    }
}

enum CalibrationDefaults {
    static let syntheticSamples = 4
    static let fileSamples = 64
}

extension Convert {
    /// What calibration gives the conversion: scales per canonical conv path, the metadata entry,
    /// a line for the summary.
    struct CalibrationOutcome {
        let scales: [String: Float]
        let metadata: JSONValue
        let note: String
    }

    /// Runs the converted model (int8 weights, float activations; no float copy of the weights) on
    /// the calibration inputs; nil with `--calibrate none`. Float activations give the ranges without
    /// the integer path's rounding noise, which inflates maxima on narrow layers (measured: up to 10%
    /// on the tiny fixtures, against PyTorch's float model).
    func calibrateActivations(_ conversion: Conversion, model: CanonicalModel, progress: Progress) throws -> CalibrationOutcome? {
        let source = calibrate ?? "synthetic"
        if source == "none" { return nil }
        let channels = model.architecture.inputChannels
        let preprocessing = Preprocessing.imageNet
        let inputs: CalibrationInputs
        if source == "synthetic" {
            inputs = .synthetic(count: calibrationSamples ?? CalibrationDefaults.syntheticSamples, channels: channels,
                                size: preprocessing.inputSize)
        } else {
            let preprocessor = ImagePreprocessor(resizeSize: preprocessing.resizeSize, cropSize: preprocessing.inputSize,
                                                 mean: preprocessing.mean, std: preprocessing.std)
            do {
                inputs = try CalibrationInputs.load(path: source, channels: channels, preprocessor: preprocessor,
                                                    limit: calibrationSamples ?? CalibrationDefaults.fileSamples)
            } catch {
                throw CommandFailure(place: "--calibrate", "\(error)")
            }
        }
        progress.say("calibrating activations on \(inputs.samples) \(inputs.source == "synthetic" ? "synthetic " : "")sample(s)")
        let result: Calibration.Result
        do {
            let plan = try SWMPlanLoader.plan(tensors: conversion.tensors, architecture: model.architecture.fileReport(),
                                              what: output)
            result = try Calibration.run(plan: plan, inputs: inputs.values, samples: inputs.samples,
                                         height: inputs.height, width: inputs.width)
        } catch {
            throw CommandFailure(place: input, "calibration failed: \(error)")
        }
        let metadata = JSONValue.object([
            ("method", .string("max")),
            ("samples", .int(Int64(inputs.samples))),
            ("source", .string(inputs.source)),
            ("input_size", .array([.int(Int64(inputs.height)), .int(Int64(inputs.width))])),
            ("scale", .string("input_scale = max / 255, activations unsigned 8-bit")),
        ])
        let note = "\(inputs.samples) \(inputs.source == "synthetic" ? "synthetic samples" : "samples from \(inputs.source)") (max), \(result.ranges.count) layers"
        return CalibrationOutcome(scales: result.inputScales, metadata: metadata, note: note)
    }
}

/// Wall-clock time of each phase of a command.
struct PhaseTimer {
    private let clock = ContinuousClock()
    private var last: ContinuousClock.Instant
    private(set) var laps: [(String, Double)] = []

    init() { last = clock.now }

    /// Records the time since the previous lap under `name`, in seconds.
    mutating func lap(_ name: String) {
        let now = clock.now
        let d = (now - last).components
        laps.append((name, Double(d.seconds) + Double(d.attoseconds) / 1e18))
        last = now
    }
}

/// Progress lines on stderr, only when stderr is a terminal.
struct Progress {
    let enabled: Bool
    func say(_ message: String) { if enabled { printError("… \(message)") } }
}

/// True when two paths name the same existing file.
enum SameFile {
    static func check(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}

/// Hex SHA-256 of a checkpoint's file bytes.
enum SHA256Digest {
    static func hex(path: String) -> String {
        guard let file = try? ByteStorage.map(path: path) else { return "" }
        var hasher = SHA256()
        // Piece by piece, each piece's pages evicted behind the hash: the file never all counts as resident.
        file.forEachPiece { hasher.update(bufferPointer: $0) }
        return hasher.finalize().map { String($0, radix: 16).leftPadded(2) }.joined()
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
