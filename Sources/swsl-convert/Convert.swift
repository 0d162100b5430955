import ArgumentParser
import SWSLCore
import SWSLFormat
import SWSLPipeline
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

    @Argument(help: "The checkpoint to convert: PyTorch (zip, legacy, tar, TorchScript), ONNX, safetensors, or a Hugging Face hub folder.")
    var input: String

    @Argument(help: "The .swm file to write.")
    var output: String

    @Option(help: "Weight precision: int8 (default), fp16, fp32, or auto (int8, with the layers that keep the logits below --target-cosine moved to fp16, measured against the source on the calibration inputs or verify's default inputs).")
    var precision: PrecisionChoice = .int8

    @Option(help: "With --precision auto: the lowest cosine of the logits to reach.")
    var targetCosine: Double = 0.999

    @Flag(help: "Quantize int8 weights with one scale per tensor instead of one per output channel.")
    var perTensor = false

    @Option(help: "Weight layout: packed (default; what the kernels read, so the file runs as mapped) or oihw (PyTorch's C order, for other readers).")
    var weightLayout: WeightLayout = .packed

    @Option(help: ArgumentHelp(
        "int8: activation ranges to store. 'none' (default): none stored, the integer path measures each input's own (dynamic ranges: faithful on any data, a little slower). Real inputs from the model's own data store static ranges (fastest): a float32 [N, C, H, W] .npy preprocessed like `run --input`, a photo, or a folder of JPEG/PNG photos. 'synthetic': \(CalibrationSource.defaultSyntheticSamples) generated images (approximate; can clip real data).",
        valueName: "synthetic|none|PATH"))
    var calibrate: String?

    @Option(help: "With --calibrate: how the values each layer's input took become its range: max (default), percentile (--percentile P), entropy (KL over a histogram) or mse (least squared error).")
    var method: MethodChoice = .max

    @Option(help: "With --method percentile: the percentage of values the range keeps (default 99.99).")
    var percentile: Double = 99.99

    @Option(help: "Use at most this many calibration samples (default \(CalibrationSource.defaultFileSamples) from a file or folder, \(CalibrationSource.defaultSyntheticSamples) synthetic).")
    var calibrationSamples: Int?

    @Flag(help: "Verify the converted model against the source's float reference before writing (verify's default inputs and thresholds) and store the record in the file; a failure writes nothing and exits 1.")
    var verify = false

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    func validate() throws {
        guard !output.isEmpty else { throw ValidationError("OUT must not be empty") }
        guard targetCosine > 0 && targetCosine <= 1 else { throw ValidationError("--target-cosine must be in (0, 1], got \(targetCosine)") }
        if precision.weights != .int8, let calibrate, calibrate != "none" {
            throw ValidationError("--calibrate \(calibrate) applies to int8 only (activation scales are for 8-bit activations)")
        }
        if let n = calibrationSamples, n < 1 { throw ValidationError("--calibration-samples must be at least 1") }
        guard percentile > 0 && percentile <= 100 else { throw ValidationError("--percentile must be in (0, 100], got \(percentile)") }
    }

    func run() throws {
        let progress = Progress(enabled: isatty(2) == 1 && !json)
        let options = ConversionOptions(precision: precision.weights, granularity: perTensor ? .perTensor : .perChannel,
                                        layout: weightLayout)
        var request = ConversionRequest(input: input, output: output, options: options, calibration: calibrationSource,
                                        method: calibrationMethod)
        request.verify = verify
        if precision == .auto { request.autoTarget = targetCosine }
        let report: ConversionReport
        do {
            report = try ConversionPipeline.run(request, progress: progress.say)
        } catch {
            throw CommandFailure(error, kind: error.failedVerification ? .numerical : .input)
        }
        var summary = ConversionSummary(input: input, output: output, architecture: report.architecture,
                                        precision: report.precision, sourceBytes: report.sourceBytes,
                                        outputBytes: report.outputBytes, worst: report.worstSQNR.map { ($0.tensor, $0.decibels) },
                                        calibration: report.calibration, phases: report.phases)
        summary.precisionChoice = report.precisionChoice
        summary.release = report.release.release
        summary.assumption = report.assumption
        for warning in report.release.warnings { printError("swsl-convert: warning: \(input): \(warning)") }
        print(json ? summary.json.serialized(pretty: true) : summary.text)
    }

    /// `--method` as the pipeline takes it.
    var calibrationMethod: CalibrationMethod {
        switch method {
        case .max: .max
        case .percentile: .percentile(percentile)
        case .entropy: .entropy
        case .mse: .mse
        }
    }

    /// `--calibrate` as the pipeline takes it.
    var calibrationSource: CalibrationSource {
        switch calibrate ?? "none" {
        case "none": .none
        case "synthetic": .synthetic(samples: calibrationSamples ?? CalibrationSource.defaultSyntheticSamples)
        case let path: .inputs(path: path, limit: calibrationSamples ?? CalibrationSource.defaultFileSamples)
        }
    }
}

/// Progress lines on stderr, only when stderr is a terminal.
struct Progress {
    let enabled: Bool
    func say(_ message: String) { if enabled { printError("… \(message)") } }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
    /// The string with spaces after it up to `width` characters (longer strings unchanged).
    func rightPadded(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}

/// `--precision`: a weight precision, or `auto` (int8 with float16 where int8 misses the target).
enum PrecisionChoice: String, ExpressibleByArgument, CaseIterable {
    case int8, fp16, fp32, auto

    /// The precision the file's weights are stored in (auto stores int8, with some layers in float16).
    var weights: Precision {
        switch self {
        case .int8, .auto: .int8
        case .fp16: .fp16
        case .fp32: .fp32
        }
    }
}

/// `--method`: how calibration turns values into ranges (`percentile` takes `--percentile`).
enum MethodChoice: String, ExpressibleByArgument, CaseIterable {
    case max, percentile, entropy, mse
}
