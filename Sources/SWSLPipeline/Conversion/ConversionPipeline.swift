#if canImport(Glibc)
import Glibc
#endif
import SWSLCheckpoint
import Synchronization
import SWSLCore
import SWSLExecutor
import SWSLFormat
import SWSLSchema
import SWSLTransform
import SWSLNetwork
import SWMRuntime

/// Where a conversion's activation ranges come from (int8 only).
public enum CalibrationSource: Sendable, Equatable {
    /// No ranges stored: the integer path measures every input at run time.
    case none
    /// `samples` deterministic generated images in the normalised ImageNet range (approximate).
    case synthetic(samples: Int)
    /// Real inputs: a float32 `[N, C, H, W]` `.npy`, one photo, or a folder of photos; at most `limit` samples.
    case inputs(path: String, limit: Int)

    /// Samples used by default: 4 synthetic images, at most 64 from a file or folder.
    public static let defaultSyntheticSamples = 4
    /// The cap on samples read from a calibration file or folder (`.inputs(path:limit:)`).
    public static let defaultFileSamples = 64
}

/// One conversion: read → canonical schema → fold BatchNorm → quantize → calibrate → write `.swm`.
public struct ConversionRequest: Sendable {
    /// Path of the source checkpoint (PyTorch, ONNX or safetensors); a `.swm` is refused.
    public var input: String
    /// Path of the `.swm` to write; must not be the input file, and is replaced atomically.
    public var output: String
    /// Precision, quantization granularity and weight layout (activation scales are filled in by calibration).
    public var options: ConversionOptions
    /// Where int8 activation ranges come from (none by default: the integer path measures each
    /// input); ignored for fp16 and fp32.
    public var calibration: CalibrationSource
    /// How calibrated values become ranges.
    public var method: CalibrationMethod
    /// Verify the converted model against the source's float reference before writing, on verify's
    /// default inputs, and store the record in the metadata; a failure writes nothing.
    public var verify = false
    /// `--precision auto`: int8, with the layers that keep the logits' cosine below this target (on
    /// the calibration inputs, or verify's default inputs) moved to float16 one by one; nil: off.
    public var autoTarget: Double?

    /// Defaults: int8 per-channel packed weights, no stored activation ranges.
    public init(input: String, output: String, options: ConversionOptions = ConversionOptions(),
                calibration: CalibrationSource = .none, method: CalibrationMethod = .max) {
        self.input = input
        self.output = output
        self.options = options
        self.calibration = calibration
        self.method = method
    }
}

/// What a conversion did.
public struct ConversionReport: Sendable {
    /// The architecture the schema inferred, as written to the file.
    public let architecture: ResNetArchitecture
    /// Weight precision of the written file (from `ConversionRequest.options`).
    public let precision: Precision
    /// Size of the input file in bytes (0 when it could not be `stat`ed).
    public let sourceBytes: Int
    /// Size of the written `.swm` in bytes.
    public let outputBytes: Int
    /// The tensor with the lowest weight SQNR and that SQNR in dB (int8 files; nil otherwise).
    public let worstSQNR: (tensor: String, decibels: Double)?
    /// How activations were calibrated, for people (`4 synthetic samples (max), 20 layers`); nil when not.
    public let calibration: String?
    /// Seconds per phase, in order (read, map, fold_quantize, calibrate, write, sha256, commit).
    public let phases: [(String, Double)]
    /// `--precision auto`: which layers it kept in float16 and the cosine reached, for people; nil when off.
    public var precisionChoice: String? = nil
    /// Which official SWSL/SSL release the source file is, and anything its name, size or hash contradicts
    /// (a damaged or altered download): warnings for people, never a failure.
    public var release = ReleaseCheck(release: nil, warnings: [])
    /// How the source was read when it could mean more than one network (a bare state dict, not an
    /// identified official release); nil when the file said which.
    public var assumption: String?
}

/// A conversion that could not be done: the file (or option) at fault and why, in one line.
public struct ConversionError: Error, CustomStringConvertible, Sendable {
    /// The file or option at fault (the input, the output, `--calibrate`); nil when the message
    /// names it itself.
    public let place: String?
    /// What went wrong: the underlying error as a value (a reader's, the schema's, the format's…), or a `Reason`.
    public let cause: any Error
    /// What the pipeline was doing when `cause` happened (`calibration failed`), nil when `cause` says it all.
    public let stage: String?

    /// True when the conversion worked but its verification failed (a numerical failure, not an input error).
    public var failedVerification = false

    /// A failure of the pipeline's own, in words.
    public struct Reason: Error, CustomStringConvertible, Sendable {
        /// One line, without the place.
        public let description: String
    }

    /// An error about `place` (nil: none) with a one-line `message`.
    public init(place: String?, _ message: String, failedVerification: Bool = false) {
        self.init(place: place, error: Reason(description: message))
        self.failedVerification = failedVerification
    }

    /// `error` about `place` (nil when its description names its file), during `stage` (nil: none), kept as a value.
    public init(place: String?, error: any Error, stage: String? = nil) {
        self.place = place
        self.cause = error
        self.stage = stage
    }

    /// Why, in one line, without the place.
    public var message: String { (stage.map { "\($0): " } ?? "") + "\(cause)" }

    /// `place: message`, or the message alone when there is no place.
    public var description: String { (place.map { "\($0): " } ?? "") + message }
}

/// A flag one thread sets and another polls.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    @Sendable func isSet() -> Bool { value.load(ordering: .relaxed) }
}

/// The conversion pipeline as a library call: what `swsl-convert IN OUT` runs, for Swift programs too.
public enum ConversionPipeline {
    /// Converts `request.input` into `request.output`, written atomically (a failure leaves no
    /// output and an existing one untouched; no input is ever written over). The source's hex SHA-256
    /// (the provenance record) is computed beside the conversion, on another core; `sourceDigest`
    /// replaces that computation (tests pass a constant). `progress` receives a line per phase.
    public static func run(_ request: ConversionRequest, sourceDigest: (@Sendable (String) -> String)? = nil,
                           progress: (String) -> Void = { _ in }) throws(ConversionError) -> ConversionReport {
        let (input, output) = (request.input, request.output)
        var phases = PhaseTimer()
        // Before any work: an OUT that is the input, a folder or not a regular file is refused now
        // (files read later, such as ONNX external data, are checked again when OUT is written).
        if sameFile(input, output) { throw ConversionError(place: output, "is the input file; refusing to write over it") }
        do { try AtomicFileWriter.checkReplaceable(output) } catch { throw ConversionError(place: nil, error: error) }
        if SWMFile.isSWM(path: input) {
            throw ConversionError(place: input, "is already a .swm model; convert takes a PyTorch, ONNX or safetensors checkpoint")
        }
        // A hub folder is opened once, here: its weights file is what is hashed, measured and read.
        let hub: HubConfig?
        do { hub = HubFolder.isFolder(input) ? try HubFolder.open(input) : nil } catch { throw ConversionError(place: nil, error: error) }
        let weightsFile = hub?.weightsPath ?? input
        // The source's SHA-256 (libcrypto, SWSLCore.SHA256) runs beside the conversion. Whatever way this
        // function leaves, the hash is stopped and waited for: a process must not exit (after a refusal)
        // while another thread is inside libcrypto, whose exit handlers free what that thread uses.
        let stop = StopFlag()
        let digest = BackgroundWork { sourceDigest?(weightsFile) ?? SHA256.hex(path: weightsFile, isCancelled: stop.isSet) ?? "" }
        defer {
            stop.set()
            _ = digest.wait()
        }
        progress("reading \(input)")
        let checkpoint: Checkpoint
        do { checkpoint = try hub.map(CheckpointReader.read(hub:)) ?? CheckpointReader.read(path: input) } catch {
            throw ConversionError(place: nil, error: error)
        }
        phases.lap("read")
        let model: CanonicalModel
        do { model = try SchemaMapper.map(checkpoint) } catch { throw ConversionError(place: input, error: error) }
        phases.lap("map")
        var info = stat()
        let sourceSize = stat(weightsFile, &info) == 0 ? Int(info.st_size) : 0
        progress("folding and quantizing \(model.architecture.name ?? "model")")
        // A hub folder's source is named FOLDER/FILE, with the folder's own name (also when given as ".").
        let parts = (checkpoint.hub != nil ? HubFolder.realName(of: weightsFile) : weightsFile).split(separator: "/")
        var source = SourceInfo(
            fileName: (checkpoint.hub != nil ? parts.suffix(2) : parts.suffix(1)).joined(separator: "/"), size: sourceSize,
            sha256: "", format: checkpoint.format.rawValue, wrapper: checkpoint.wrapper, prefix: checkpoint.prefix)
        source.preprocessing = try Self.preprocessing(checkpoint, model)
        if let hub { (source.details.modelTag, source.details.license) = (hub.modelName, hub.license) }
        if let graph = model.graph {
            if graph.inputLayout != "NCHW" { source.details.graphInputLayout = graph.inputLayout }
            if graph.output != "logits" { source.details.graphOutput = graph.output }
        }
        var options = request.options
        var conversion = Converter.convert(model, source: source, options: options)
        phases.lap("fold_quantize")
        // Calibration inputs, read once: calibration and `--precision auto` both run them.
        let inputs = options.precision == .int8 ? try calibrationInputs(request.calibration, channels: model.architecture.inputChannels,
                                                                                           preprocessing: source.preprocessing) : nil
        var calibrationNote: String?
        if let inputs {
            let calibration = try calibrate(conversion, inputs: inputs, model: model, request: request, progress: progress)
            conversion.setActivationScales(calibration.scales)
            // Kept in the options too, so a conversion redone with other layer precisions keeps them.
            options.activationScales = calibration.scales
            options.calibration = calibration.metadata
            calibrationNote = calibration.note
            phases.lap("calibrate")
        }
        var autoNote: String?
        if options.precision == .int8, let target = request.autoTarget {
            progress("choosing each layer's precision (target cosine \(target))")
            let chosen = try choosePrecision(model, source: source, options: options, target: target, request: request,
                                             inputs: inputs, calibrated: conversion)
            conversion = chosen.conversion
            options = chosen.options
            autoNote = chosen.note
            phases.lap("precision")
        }
        var record: SWMMetadata.Verification?
        if request.verify {
            progress("verifying against the source's float reference")
            let (verification, failures) = try verify(conversion, model: model, request: request, precision: options.precision,
                                                      preprocessing: source.preprocessing)
            phases.lap("verify")
            guard failures.isEmpty else {
                // The checks that failed, as `verify` words them (cosine, or the scaled difference for few outputs).
                throw ConversionError(place: output, "verification failed, nothing written: \(failures.joined(separator: "; ")) "
                                      + "on \(verification.inputs)", failedVerification: true)
            }
            record = verification
        }
        func metadata(_ source: SourceInfo) -> SWMMetadata {
            var metadata = Converter.metadata(model, source: source, options: options, sqnr: conversion.sqnr)
            metadata.verification = record
            return metadata
        }
        // Write the tensors while the hash finishes; the metadata (with the hash) goes in last. The
        // draft reserves room for the longest release name, known only once the hash is.
        var draft = source
        draft.sha256 = String(repeating: "0", count: 64)
        draft.details.release = OfficialReleases.all.map(\.hubEntry).max { $0.count < $1.count }
        progress("writing \(output)")
        let pending: SWMPendingFile
        do {
            pending = try SWMPendingFile(path: output, tensors: conversion.tensors, metadataDraft: metadata(draft))
        } catch {
            throw ConversionError(place: output, error: error)
        }
        phases.lap("write")
        source.sha256 = digest.wait()
        let release = OfficialReleases.check(fileName: String(parts.last ?? ""), size: sourceSize, sha256: source.sha256)
        source.details.release = release.release?.hubEntry
        conversion.metadata = metadata(source)
        phases.lap("sha256")
        let written: Int
        do { written = try pending.finish(metadata: conversion.metadata) } catch { throw ConversionError(place: output, error: error) }
        phases.lap("commit")
        var report = ConversionReport(architecture: model.architecture, precision: options.precision, sourceBytes: sourceSize,
                                      outputBytes: written, worstSQNR: conversion.worstSQNR.map { (tensor: $0.0, decibels: $0.1) },
                                      calibration: calibrationNote, phases: phases.laps)
        report.precisionChoice = autoNote
        report.release = release
        report.assumption = release.release == nil ? model.assumption : nil
        return report
    }

    /// How images are prepared for a checkpoint's model: ImageNet's, unless a hub folder's configuration
    /// says otherwise (`hub(_:classes:channels:)`), with an ONNX graph's fixed input size. What `convert`
    /// records and what `run`/`verify` apply to a checkpoint's float reference.
    public static func preprocessing(_ checkpoint: Checkpoint, _ model: CanonicalModel) throws(ConversionError) -> Preprocessing {
        var result = Preprocessing.imageNet
        if let hub = checkpoint.hub {
            result = try preprocessing(hub, classes: model.architecture.numClasses, channels: model.architecture.inputChannels)
        }
        if let side = model.graph?.fixedInputSize { result.inputSize = side }
        return result
    }

    /// How a hub folder's configuration prepares images, checked as the `.swm` metadata is: ImageNet's
    /// values wherever it says nothing; a square `input_size`; `crop_mode` center (the resize of the
    /// shorter side, then a centre crop, that `run` applies); `num_classes` equal to the classifier's rows.
    static func preprocessing(_ hub: HubConfig, classes: Int, channels: Int) throws(ConversionError) -> Preprocessing {
        let config = hub.folder + "/config.json"
        if let count = hub.numClasses, count != classes {
            throw ConversionError(place: config, "num_classes \(count), but the weights' classifier has \(classes) rows")
        }
        if let mode = hub.cropMode, mode != "center" {
            throw ConversionError(place: config, "pretrained_cfg.crop_mode '\(mode)'; only 'center' (resize the shorter side, "
                + "crop the centre) is what run applies")
        }
        var result = Preprocessing.imageNet
        if let size = hub.inputSize {
            guard size.count == 3, size[1] == size[2], size[0] == channels else {
                throw ConversionError(place: config, "pretrained_cfg.input_size \(size); expected [\(channels), side, side] "
                    + "for weights that take \(channels) channels")
            }
            result.inputSize = size[1]
        }
        if let crop = hub.cropPct { result.cropRatio = crop }
        if let interpolation = hub.interpolation {
            // Written only when run, verify and calibration can apply it, as torchvision does on PIL images.
            guard ImagePreprocessor.Resampling(rawValue: interpolation) != nil else {
                throw ConversionError(place: config, "interpolation '\(interpolation)': this converter resizes with "
                    + ImagePreprocessor.Resampling.names + " (Pillow's filters)")
            }
            result.interpolation = interpolation
        }
        if let mean = hub.mean { result.mean = mean }
        if let std = hub.std { result.std = std }
        // The checks the .swm reader applies (ranges, three finite channels, positive std).
        do { return try Preprocessing(json: result.json) } catch {
            throw ConversionError(place: config, error: error, stage: "pretrained_cfg")
        }
    }

    /// Calibration's outcome: scales per canonical conv path, the metadata entry, a line for people.
    struct CalibrationOutcome {
        let scales: [String: Float]
        let metadata: SWMMetadata.Quantization.Activations
        let note: String
    }

    /// The inputs `request.calibration` names, read and preprocessed (ImageNet's preprocessing); nil for `.none`.
    static func calibrationInputs(_ source: CalibrationSource, channels: Int,
                                  preprocessing: Preprocessing) throws(ConversionError) -> CalibrationInputs? {
        switch source {
        case .none:
            return nil
        case .synthetic(let samples):
            return .synthetic(count: samples, channels: channels, size: preprocessing.inputSize)
        case .inputs(let path, let limit):
            let preprocessor: ImagePreprocessor
            do { preprocessor = try ImagePreprocessor(preprocessing) } catch { throw ConversionError(place: path, error: error) }
            do {
                return try CalibrationInputs.load(path: path, channels: channels, preprocessor: preprocessor, limit: limit)
            } catch {
                throw ConversionError(place: "--calibrate", error: error)
            }
        }
    }

    /// Runs the converted model (int8 weights, float activations; no float copy of the weights) on
    /// the calibration inputs. Float activations give the ranges without the integer path's rounding
    /// noise, which inflates maxima on narrow layers (measured: up to 10% on the tiny fixtures,
    /// against PyTorch's float model).
    static func calibrate(_ conversion: Conversion, inputs: CalibrationInputs, model: CanonicalModel, request: ConversionRequest,
                          progress: (String) -> Void) throws(ConversionError) -> CalibrationOutcome {
        let synthetic = inputs.source == "synthetic"
        progress("calibrating activations on \(inputs.samples) \(synthetic ? "synthetic " : "")sample(s)")
        let result: Calibration.Result
        do {
            let plan = try ExecutionPlan(try SWMNetwork(architecture: model.architecture, tensors: conversion.tensors), int8: Int8Mode(.dequantized))
            result = try Calibration.run(plan: plan, inputs: inputs.values, samples: inputs.samples,
                                         height: inputs.height, width: inputs.width, method: request.method)
        } catch {
            throw ConversionError(place: request.input, error: error, stage: "calibration failed")
        }
        let metadata = SWMMetadata.Quantization.Activations(
            method: request.method.name, samples: inputs.samples, source: inputs.source, inputSize: [inputs.height, inputs.width],
            scale: "input_scale = range / 255, activations unsigned 8-bit")
        let note = "\(inputs.samples) \(synthetic ? "synthetic samples" : "samples from \(inputs.source)") (\(request.method.name)), \(result.ranges.count) layers"
        return CalibrationOutcome(scales: result.inputScales, metadata: metadata, note: note)
    }

    /// `--precision auto`: measures every layer against the source's float reference (`LayerComparison`)
    /// on the calibration inputs (verify's default inputs without `--calibrate`; stored activation
    /// ranges travel in `options.activationScales`), and while the logits'
    /// lowest cosine is below `target`, moves to float16 the int8 layer whose SQNR falls furthest below
    /// the layers before it, with that measurement as its reason. No labels are used.
    static func choosePrecision(_ model: CanonicalModel, source: SourceInfo, options: ConversionOptions, target: Double,
                                request: ConversionRequest, inputs calibration: CalibrationInputs?, calibrated: Conversion)
        throws(ConversionError) -> (conversion: Conversion, options: ConversionOptions, note: String) {
        let architecture = model.architecture
        let (values, n, h, w): ([Float], Int, Int, Int)
        if let calibration {
            (values, n, h, w) = (calibration.values, calibration.samples, calibration.height, calibration.width)
        } else {
            let inputs = try defaultInputs(architecture, source.preprocessing, request: request)
            (values, n, h, w) = (inputs.values, inputs.shape[0], inputs.shape[2], inputs.shape[3])
        }
        var options = options
        var conversion = calibrated
        var cosine = -1.0
        do {
            let reference = try ExecutionPlan(reference: model)
            for _ in 0...model.convolutions.count + 1 {
                let candidate = try ExecutionPlan(try SWMNetwork(architecture: architecture, tensors: conversion.tensors))
                let layers = try LayerComparison.run(candidate: candidate, reference: reference, input: values, images: n,
                                                     channels: architecture.inputChannels, height: h, width: w,
                                                     threads: PlanExecutor.defaultThreads)
                cosine = layers.last?.cosineMin ?? -1
                guard cosine < target else { break }
                // The int8 layer whose SQNR falls furthest below every layer before it (near-float 60 dB
                // before the first).
                var lowest = 60.0
                var worst: (drop: Double, index: Int)?
                for (index, layer) in layers.enumerated() {
                    if options.floatLayers[layer.name] == nil {
                        let drop = lowest - layer.sqnr
                        if worst == nil || drop > worst!.drop { worst = (drop, index) }
                    }
                    lowest = min(lowest, layer.sqnr)
                }
                guard let worst else { break }
                let layer = layers[worst.index]
                options.floatLayers[layer.name] = "int8 SQNR \((layer.sqnr * 10).rounded() / 10) dB, "
                    + "\((worst.drop * 10).rounded() / 10) dB below the layers before it, while the logits' cosine was "
                    + "\(cosine) < \(target)"
                conversion = Converter.convert(model, source: source, options: options)
            }
        } catch let error as ConversionError {
            throw error
        } catch {
            throw ConversionError(place: request.input, error: error, stage: "choosing precisions failed")
        }
        let kept = options.floatLayers.keys.sorted()
        let note = (kept.isEmpty ? "precision auto: every layer int8" : "precision auto: kept in float16: " + kept.joined(separator: ", "))
            + " (logits' cosine \((cosine * 1e6).rounded() / 1e6) on \(n) inputs, target \(target)\(cosine >= target ? "" : ", not reached"))"
        return (conversion, options, note)
    }

    /// verify's default inputs for the converted model, at its input size, resized as its preprocessing says.
    static func defaultInputs(_ architecture: ResNetArchitecture, _ preprocessing: Preprocessing,
                              request: ConversionRequest) throws(ConversionError) -> VerificationInputs {
        do {
            return try VerificationInputs.defaults(channels: architecture.inputChannels, size: preprocessing.inputSize,
                                                   generated: 6, preprocessing: preprocessing)
        } catch { throw ConversionError(place: request.input, error: error) }
    }

    /// `convert --verify`: the converted tensors (as `run` would execute them: int8 on the integer
    /// path, with the stored ranges if any) against the source's float reference, on verify's default
    /// inputs, with verify's default thresholds. Returns the record and the checks that failed (none: it passed).
    static func verify(_ conversion: Conversion, model: CanonicalModel, request: ConversionRequest, precision: Precision,
                       preprocessing: Preprocessing) throws(ConversionError) -> (SWMMetadata.Verification, failures: [String]) {
        let architecture = model.architecture
        let inputs = try defaultInputs(architecture, preprocessing, request: request)
        let (n, h, w) = (inputs.shape[0], inputs.shape[2], inputs.shape[3])
        let comparison: LogitComparison
        let kernels: String
        do {
            let candidate = try ExecutionPlan(try SWMNetwork(architecture: architecture, tensors: conversion.tensors))
            let reference = try ExecutionPlan(reference: model)
            let executor = PlanExecutor(plan: candidate)
            kernels = executor.kernels.record
            let a = try executor.run(input: inputs.values, batch: n, height: h, width: w)
            let b = try PlanExecutor(plan: reference).run(input: inputs.values, batch: n, height: h, width: w)
            comparison = LogitComparison(candidate: a, reference: b, classes: architecture.numClasses)
        } catch {
            throw ConversionError(place: request.input, error: error, stage: "verification could not run")
        }
        let limits = VerifyThresholds.defaults(precision: precision)
        let top1 = comparison.top1Agreement(tieMargin: limits.tieMargin)
        let crc = inputs.values.withUnsafeBytes { CRC32.checksum($0) }
        let failures = limits.failures(comparison)
        let record = SWMMetadata.Verification(
            tool: Converter.version, inputs: "default: " + inputs.groups.map(\.description).joined(separator: ", ") + ", \(h)×\(w)",
            inputsCRC32: String(repeating: "0", count: 8 - String(crc, radix: 16).count) + String(crc, radix: 16),
            int8: precision == .int8
                ? Int8Mode().record(fileHasRanges: conversion.tensors.contains { $0.name.hasSuffix(".input_scale") }) : nil,
            kernels: kernels, samples: n, cosineMin: comparison.cosineMin, top1Agreement: top1,
            cosineThreshold: limits.cosineMin, top1Threshold: limits.top1Min,
            scaledMaxDiff: comparison.hasFewOutputs ? comparison.scaledMaxDiff : nil,
            scaledDiffThreshold: comparison.hasFewOutputs ? limits.scaledDiffMax : nil,
            pass: failures.isEmpty)
        return (record, failures)
    }

    /// True when two paths name the same existing file.
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}

/// Wall-clock time of each phase of a conversion.
struct PhaseTimer {
    private let clock = ContinuousClock()
    private var last: ContinuousClock.Instant
    private(set) var laps: [(String, Double)] = []

    init() { last = clock.now }

    /// Records the time since the previous lap under `name`, in seconds.
    mutating func lap(_ name: String) {
        let now = clock.now
        laps.append((name, (now - last).inSeconds))
        last = now
    }
}
