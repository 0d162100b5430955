import ArgumentParser
import SWSLCore
import SWSLRuntime

/// `swsl-convert verify OUT.swm --reference SRC`: run both and compare the logits.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that a .swm reproduces its source checkpoint's outputs.",
        discussion: """
            Runs the .swm and the float reference of SRC on the same inputs and reports top-1/top-5 agreement, \
            the cosine similarity of the logits (min, mean) and the largest absolute and relative differences. \
            Default limits by precision — fp32: cosine ≥ 0.99999, max relative difference ≤ 1e-4, same top-1; \
            fp16: cosine ≥ 0.9999, relative ≤ 1e-2; int8: cosine ≥ 0.99; all: the same top-1 on every input. \
            A top-1 change where the reference's class led by no more than the tie margin (a share of its largest \
            logit: fp32 0, fp16 0.001, int8 0.01) is a near tie: reported, counted as agreement. \
            Exit status: 0 pass, 1 numerical failure, 2 input error.
            """)

    @Argument(help: "The converted model.")
    var model: String

    @Option(help: "The source checkpoint it was converted from.")
    var reference: String

    @Option(help: "Inputs: a float32 .npy [N, C, H, W]. Without it (or --image), deterministic synthetic inputs are used.")
    var input: String?

    @Option(help: "An image (JPEG or PNG) to use as input, preprocessed as the model's metadata says; repeatable.")
    var image: [String] = []

    @Option(help: "Number of synthetic inputs.")
    var samples: Int = 8

    @Option(help: "Spatial size of synthetic inputs (default: the model's 224).")
    var size: Int = 224

    @Option(help: "Pass only if the smallest cosine similarity is at least this.")
    var cosineMin: Double?

    @Option(help: "Pass only if this fraction of top-1 classes agree.")
    var top1Min: Double?

    @Option(help: "Pass only if max |a − b| / max |reference| stays below this.")
    var maxRelDiff: Double?

    @Option(help: "Count a top-1 change as a near tie (agreement) when the reference's class led by at most this share of its largest logit; 0 makes top-1 strict.")
    var tieMargin: Double?

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var options: RunOptions

    func validate() throws {
        guard input == nil || image.isEmpty else { throw ValidationError("give --input or --image, not both") }
        if let tieMargin, !(tieMargin >= 0 && tieMargin.isFinite) {
            throw ValidationError("--tie-margin must be a finite share ≥ 0, got \(tieMargin)")
        }
    }

    func run() throws {
        let candidate = try loadModel(model, checkCRC: true, int8: options.int8, activations: options.activations)
        let source = try loadModel(reference)
        guard candidate.architecture.numClasses == source.architecture.numClasses else {
            throw CommandFailure(place: model, "\(candidate.architecture.numClasses) classes, the reference has \(source.architecture.numClasses)")
        }
        let (values, shape, origin) = try image.isEmpty
            ? inputs(channels: candidate.architecture.inputChannels)
            : { let (v, s) = try imageBatch(image, for: candidate); return (v, s, image.joined(separator: ", ")) }()
        let (n, h, w) = (shape[0], shape[2], shape[3])
        let a = try execute(candidate, input: values, batch: n, height: h, width: w, threads: options.threads)
        let b = try execute(source, input: values, batch: n, height: h, width: w, threads: options.threads)
        let comparison = LogitComparison(candidate: a, reference: b, classes: candidate.architecture.numClasses)
        var limits = VerifyThresholds.defaults(precision: candidate.precision)
        if let cosineMin { limits.cosineMin = cosineMin }
        if let top1Min { limits.top1Min = top1Min }
        if let maxRelDiff { limits.maxRelDiff = maxRelDiff }
        if let tieMargin { limits.tieMargin = tieMargin }
        let nearTies = comparison.nearTies(tieMargin: limits.tieMargin)
        let failures = limits.failures(comparison)
        if json {
            print(JSONValue.object([
                ("model", .string(model)), ("reference", .string(reference)), ("precision", .string(candidate.precision)),
                ("inputs", .string(origin)), ("comparison", comparison.json),
                ("top1_near_ties", .int(Int64(nearTies))),
                ("top1_agreement_counting_near_ties", .double(comparison.top1Agreement(tieMargin: limits.tieMargin))),
                ("thresholds", .object([("cosine_min", .double(limits.cosineMin)), ("top1_min", .double(limits.top1Min)),
                                        ("tie_margin", .double(limits.tieMargin)),
                                        ("max_rel_diff", limits.maxRelDiff.isFinite ? .double(limits.maxRelDiff) : .null)])),
                ("pass", .bool(failures.isEmpty)), ("failures", .array(failures.map(JSONValue.string))),
            ]).serialized(pretty: true))
        } else {
            let f = ConversionSummary.fixed
            print("""
                \(model) (\(candidate.precision)) vs \(reference) (float reference), \(comparison.samples) inputs (\(origin))
                  top-1 agreement  \(f(comparison.top1Agreement * 100, 1))%   top-5 agreement \(f(comparison.top5Agreement * 100, 1))%
                  cosine           min \(f(comparison.cosineMin, 6))   mean \(f(comparison.cosineMean, 6))
                  max difference   abs \(comparison.maxAbsDiff)   relative \(comparison.maxRelDiff)
                """)
            if let lead = comparison.top1DisagreementLead {
                let changes = comparison.top1Leads.compactMap { $0 }.count
                let tieNote = nearTies == 0 ? "none a near tie"
                    : nearTies == changes ? (changes == 1 ? "a near tie" : "all near ties")
                    : "\(nearTies) of \(changes) near ties"
                print("  top-1 changes    \(changes), where the reference led by at most \(f(lead * 100, 2))% of its largest logit"
                      + " (\(tieNote); tie margin \(f(limits.tieMargin * 100, 2))%)")
            }
            print(failures.isEmpty ? "PASS" : "FAIL: " + failures.joined(separator: "; "))
        }
        if !failures.isEmpty { throw ExitCode(1) }
    }

    private func inputs(channels: Int) throws -> ([Float], [Int], String) {
        guard let input else {
            return (SyntheticInputs.make(samples: samples, channels: channels, height: size, width: size),
                    [samples, channels, size, size], "synthetic: \(samples) deterministic images \(size)×\(size)")
        }
        do {
            let array = try NPYArray.read(path: input)
            guard array.shape.count == 4, array.shape[1] == channels else {
                throw CommandFailure(place: input, "input must be [N, \(channels), H, W], got \(array.shape)")
            }
            return (array.values, array.shape, input)
        } catch let e as NPYArray.FormatError {
            throw CommandFailure(place: input, "\(e)")
        }
    }
}
