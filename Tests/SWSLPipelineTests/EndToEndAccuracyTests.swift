import Foundation
import Testing
import SWSLCheckpoint
import SWSLCore
import SWSLExecutor
import SWSLFormat
import SWSLPipeline
import SWSLSchema
import SWSLTransform
import SWSLTestSupport

/// Convert → write `.swm` → load → run, against PyTorch's logits (Fixtures/golden/*_logits.npy) and
/// onnxruntime's for the ONNX files. Named error budgets:
/// - float reference and `.swm` fp32: max |Δ| ≤ 1e-4 × max |PyTorch logit|;
/// - `.swm` int8: cosine ≥ 0.99 against the float reference on every input, same top-1 class.
@Suite struct EndToEndAccuracyTests {
    static let fixtures = FixtureFiles.root
    static let floatBudget = 1e-4

    static let cases: [(file: String, golden: String)] = [
        ("models/resnet18_tiny.zip.pth", "golden/resnet18_tiny_logits.npy"),
        ("models/resnet18_tiny.legacy.pth", "golden/resnet18_tiny_logits.npy"),
        ("models/resnet18_tiny.tar.pth", "golden/resnet18_tiny_logits.npy"),
        ("models/resnet18_tiny.safetensors", "golden/resnet18_tiny_logits.npy"),
        ("models/resnet18_tiny.whole_module.legacy.pth", "golden/resnet18_tiny_logits.npy"),
        ("models/resnet18_tiny.bigendian.pth", "golden/resnet18_tiny_logits.npy"),
        ("models/resnet50_tiny.zip.pth", "golden/resnet50_tiny_logits.npy"),
        ("models/resnet50_tiny.legacy.pth", "golden/resnet50_tiny_logits.npy"),
        ("models/resnext_tiny.zip.pth", "golden/resnext_tiny_logits.npy"),
        ("models/resnet50d_tiny.zip.pth", "golden/resnet50d_tiny_logits.npy"),
        ("models/onnx/resnet18_tiny.onnx", "golden/models__onnx__resnet18_tiny.onnx_ort_logits.npy"),
        ("models/onnx/resnet18_tiny.bn.onnx", "golden/models__onnx__resnet18_tiny.bn.onnx_ort_logits.npy"),
        ("models/onnx/resnet18_tiny.dynamo.onnx", "golden/models__onnx__resnet18_tiny.dynamo.onnx_ort_logits.npy"),
        ("models/onnx/resnet18_tiny.opset17.onnx", "golden/models__onnx__resnet18_tiny.opset17.onnx_ort_logits.npy"),
        ("models/onnx/resnet18_tiny.typed.onnx", "golden/models__onnx__resnet18_tiny.typed.onnx_ort_logits.npy"),
        ("models/onnx/external/resnet18_tiny.onnx", "golden/models__onnx__external__resnet18_tiny.onnx_ort_logits.npy"),
        // Written as other tools write them (Fixtures/generate_real_world.py).
        ("models/py2/resnet18_tiny.legacy_py2.pth", "golden/resnet18_tiny_logits.npy"),
        ("models/py2/resnet18_tiny.tar_py2.pth", "golden/resnet18_tiny_logits.npy"),
        ("models/resnet18_tiny.scripted.pt", "golden/resnet18_tiny_logits.npy"),
    ]

    static func input() throws -> NPYArray { try NPYArray.read(path: fixtures.appendingPathComponent("golden/input_2x3x64x64.npy").path) }

    /// Converts a fixture through the library's pipeline (what `swsl-convert IN OUT` runs), without calibration.
    static func convert(_ file: String, precision: Precision) throws -> LoadedModel {
        let out = TemporaryFiles.root.appendingPathComponent("e2e-\(UUID().uuidString).swm").path
        let request = ConversionRequest(input: fixtures.appendingPathComponent(file).path, output: out,
                                        options: ConversionOptions(precision: precision), calibration: .none)
        let report = try ConversionPipeline.run(request, sourceDigest: { _ in String(repeating: "ab", count: 32) })
        #expect(report.precision == precision && report.outputBytes > 0)
        let loaded = try LoadedModel.load(path: out, checkCRC: true)
        #expect(loaded.metadata?.provenance.sourceSHA256 == String(repeating: "ab", count: 32))
        return loaded
    }

    static func run(_ model: LoadedModel, _ x: NPYArray) throws -> [Float] {
        try PlanExecutor(plan: model.plan, threads: 2).run(input: x.values, batch: x.shape[0], height: x.shape[2], width: x.shape[3])
    }

    static func golden(_ relative: String) throws -> [Float] {
        try NPYArray.read(path: fixtures.appendingPathComponent(relative).path).values
    }

    @Test(arguments: cases.map(\.file))
    func floatPathsMatchTheReferenceLibrary(file: String) throws {
        let want = try Self.golden(Self.cases.first { $0.file == file }!.golden)
        let x = try Self.input()
        let peak = Double(want.map { abs($0) }.max()!)
        let reference = try Self.run(try LoadedModel.load(path: Self.fixtures.appendingPathComponent(file).path), x)
        let fp32 = try Self.run(try Self.convert(file, precision: .fp32), x)
        for (name, got) in [("float reference", reference), (".swm fp32", fp32)] {
            let diff = zip(got, want).map { Double(abs($0 - $1)) }.max()!
            #expect(diff <= Self.floatBudget * peak, "\(file) \(name): max |Δ| \(diff) > 1e-4 × \(peak)")
        }
    }

    @Test(arguments: cases.map(\.file))
    func int8StaysCloseToTheFloatReference(file: String) throws {
        let x = try Self.input()
        let reference = try Self.run(try LoadedModel.load(path: Self.fixtures.appendingPathComponent(file).path), x)
        let int8 = try Self.convert(file, precision: .int8)
        let comparison = LogitComparison(candidate: try Self.run(int8, x), reference: reference, classes: int8.architecture.numClasses)
        #expect(comparison.cosineMin >= 0.99, "\(file): cosine \(comparison.cosineMin)")
        #expect(comparison.top1Agreement == 1, "\(file): top-1 \(comparison.top1Agreement)")
    }
}
