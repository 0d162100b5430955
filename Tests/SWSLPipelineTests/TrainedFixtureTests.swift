import Foundation
import Testing
import SWSLCore
import SWSLExecutor
import SWSLPipeline
import SWMRuntime
import SWSLTestSupport
import SWSLTransform

/// int8 held to the task, on trained models: two small ResNets (BasicBlock and Bottleneck) trained on
/// scikit-learn's digits (`Fixtures/generate_trained.py`), 540 held-out images, PyTorch's logits as
/// the golden. Random weights hide quantization problems; trained ones have dead channels, small
/// BatchNorm gammas and skewed activations.
@Suite struct TrainedFixtureTests {
    /// Model file and its PyTorch logits on the held-out split.
    static let models = [("models/digits_resnet.trained.pth", "golden/digits_torch_logits.npy"),
                         ("models/digits_bottleneck.trained.pth", "golden/digits_bottleneck_torch_logits.npy")]
    /// Named budgets: float paths to float rounding; int8 within 0.2 accuracy points of PyTorch
    /// (one image of 540 is 0.185 points), 99.5% top-1 agreement, cosine ≥ 0.99 on every input.
    static let floatBudget = 1e-4
    static let accuracyPoints = 0.2
    static let top1Agreement = 0.995
    static let cosineMin = 0.99

    struct Split {
        let x: NPYArray
        let labels: [Int]
        let torch: [Float]
    }

    static func split(logits: String) throws -> Split {
        let x = try NPYArray.read(path: FixtureFiles.path("golden/digits_test_x.npy"))
        let labels = try NPYArray.read(path: FixtureFiles.path("golden/digits_test_labels.npy")).values.map { Int($0) }
        let torch = try NPYArray.read(path: FixtureFiles.path(logits)).values
        return Split(x: x, labels: labels, torch: torch)
    }

    static func logits(_ model: LoadedModel, _ x: NPYArray) throws -> [Float] {
        try PlanExecutor(plan: model.plan, threads: 2).run(input: x.values, batch: x.shape[0], height: x.shape[2], width: x.shape[3])
    }

    static func accuracy(_ logits: [Float], _ labels: [Int]) -> Double {
        let hits = labels.indices.filter { TopK.indices(Array(logits[$0 * 10..<($0 + 1) * 10]), 1)[0] == labels[$0] }
        return Double(hits.count) / Double(labels.count) * 100
    }

    static func convert(_ model: String, _ options: ConversionOptions, calibration: CalibrationSource) throws -> String {
        let out = try TemporaryFiles.directory().appendingPathComponent("digits.swm").path
        _ = try ConversionPipeline.run(ConversionRequest(input: FixtureFiles.path(model), output: out, options: options,
                                                         calibration: calibration),
                                       sourceDigest: { _ in String(repeating: "0", count: 64) })
        return out
    }

    @Test(arguments: models)
    func theFloatReferenceAndFp32FileMatchPyTorch(model: String, logits: String) throws {
        let s = try Self.split(logits: logits)
        let peak = Double(s.torch.map { abs($0) }.max()!)
        let fp32 = try Self.convert(model, ConversionOptions(precision: .fp32), calibration: .none)
        for path in [FixtureFiles.path(model), fp32] {
            let got = try Self.logits(try LoadedModel.load(path: path), s.x)
            let diff = zip(got, s.torch).map { Double(abs($0 - $1)) }.max()!
            #expect(diff <= Self.floatBudget * peak, "\(path): max |Δ| \(diff)")
            #expect(Self.accuracy(got, s.labels) == Self.accuracy(s.torch, s.labels))
        }
    }

    /// The defaults (no calibration data; integer arithmetic, ranges measured on each input) and,
    /// calibrated on 64 training images, both arithmetics and the integer path with dynamic ranges
    /// keep the task, on every kernel set this CPU has.
    @Test(arguments: models, ["default", "dequantized, calibrated", "integer, calibrated", "integer, dynamic ranges"])
    func int8KeepsTheTaskAccuracy(model: (String, String), path: String) throws {
        let s = try Self.split(logits: model.1)
        let calibration: CalibrationSource = path == "default" ? .none
            : .inputs(path: FixtureFiles.path("golden/digits_calibration_x.npy"), limit: 64)
        let file = try Self.convert(model.0, ConversionOptions(precision: .int8), calibration: calibration)
        let loaded = path == "default" ? try LoadedModel.load(path: file)
            : try LoadedModel.load(path: file, int8: Int8Mode(path.hasPrefix("dequantized") ? .dequantized : .integer,
                                                              activations: path.hasSuffix("dynamic ranges") ? .dynamic : .calibrated))
        for kernels in KernelChoice.supportedChoices {
            let plan = loaded.plan
            let got = try PlanExecutor(plan: plan, threads: 2, kernels: kernels)
                .run(input: s.x.values, batch: s.x.shape[0], height: s.x.shape[2], width: s.x.shape[3])
            let comparison = LogitComparison(candidate: got, reference: s.torch, classes: 10)
            let torchAccuracy = Self.accuracy(s.torch, s.labels), ours = Self.accuracy(got, s.labels)
            let what = "\(model.0), \(path), \(kernels)"
            #expect(ours >= torchAccuracy - Self.accuracyPoints, "\(what): \(ours)% against PyTorch's \(torchAccuracy)%")
            #expect(comparison.top1Agreement >= Self.top1Agreement, "\(what): top-1 \(comparison.top1Agreement)")
            #expect(comparison.cosineMin >= Self.cosineMin, "\(what): cosine \(comparison.cosineMin)")
        }
    }
}
