import Foundation
import Testing
import SWSLCore
import SWSLExecutor
import SWSLFormat
import SWSLPipeline
import SWSLTestSupport
import SWSLTransform
import SWMRuntime

/// ONNX graphs written as the model zoo's Caffe2 export, PyTorch 1.x and tf2onnx write them
/// (Fixtures/generate_real_world.py), converted and run against onnxruntime's outputs. Where the
/// graph ends in Softmax, onnxruntime's output is probabilities: the `.swm` computes the logits, and
/// their softmax must match.
@Suite struct OtherExporterTests {
    struct Case: CustomStringConvertible, Sendable {
        let file: String, input: String, output: String, softmax: Bool, layout: String
        var description: String { file }
    }

    static let cases: [Case] = {
        let folder = FixtureFiles.url("golden").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix("models__onnx__other__") && $0.hasSuffix(".json") }.sorted().compactMap { name in
            guard let golden = try? JSONParser.parse(FixtureFiles.bytes("golden/" + name)),
                  case .string(let file)? = golden["file"], case .string(let input)? = golden["input"],
                  case .string(let output)? = golden["ort_output"], case .string(let kind)? = golden["ort_output_is"],
                  case .string(let layout)? = golden["ort_input_layout"] else { return nil }
            return Case(file: file, input: input, output: output, softmax: kind == "softmax", layout: layout)
        }
    }()

    @Test func allThreeExportersAreThere() { #expect(Self.cases.count == 3) }

    @Test(arguments: cases)
    func convertedGraphMatchesOnnxruntime(_ c: Case) throws {
        let x = try NPYArray.read(path: FixtureFiles.path(c.input))
        let want = try NPYArray.read(path: FixtureFiles.path(c.output)).values
        let classes = want.count / x.shape[0]
        for precision in [Precision.fp32, .int8] {
            let model = try EndToEndAccuracyTests.convert(c.file, precision: precision)
            let logits = try EndToEndAccuracyTests.run(model, x)
            var got: [Float] = []
            for image in 0..<x.shape[0] {
                let row = Array(logits[image * classes..<(image + 1) * classes])
                got += c.softmax ? Softmax.apply(row) : row
            }
            if precision == .fp32 {
                let peak = Double(want.map { abs($0) }.max()!)
                let diff = zip(got, want).map { Double(abs($0 - $1)) }.max()!
                #expect(diff <= 1e-4 * peak, "\(c.file): max |Δ| \(diff) against onnxruntime")
            } else {
                let comparison = LogitComparison(candidate: got, reference: want, classes: classes)
                #expect(comparison.cosineMin >= 0.99 && comparison.top1Agreement == 1, "\(c.file) int8: \(comparison)")
            }
            let provenance = try #require(model.metadata?.provenance)
            #expect(provenance.details.graphOutput == (c.softmax ? "softmax" : nil))
            #expect(provenance.details.graphInputLayout == (c.layout == "NHWC" ? "NHWC" : nil))
        }
    }

    /// The zoo graph's AveragePool head is global only at its fixed 224×224 input: that size is the model's.
    @Test func averagePoolHeadFixesTheInputSize() throws {
        let model = try EndToEndAccuracyTests.convert("models/onnx/other/zoo_resnet50.onnx", precision: .fp32)
        #expect(model.metadata?.preprocessing.inputSize == 224)
    }
}
