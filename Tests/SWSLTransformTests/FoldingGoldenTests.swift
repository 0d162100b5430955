import Foundation
import Testing
import SWSLCheckpoint
import SWSLCore
import SWSLSchema
@testable import SWSLTransform
import SWSLTestSupport

/// BatchNorm folding and int8 quantization against PyTorch (Fixtures/golden/folding/*.json,
/// from Fixtures/generate_folding.py): bit-exact weights, biases, int8 values and scales.
@Suite struct FoldingGoldenTests {
    static let fixtures = FixtureFiles.root

    /// PyTorch module names → canonical conv paths.
    static func canonical(_ torch: String) -> String {
        if torch == "fc" { return "fc" }
        if torch == "conv1" { return "stem.conv1" }
        if torch.hasPrefix("conv1.") { return "stem.conv\(Int(torch.dropFirst(6))! / 3 + 1)" }
        let parts = torch.split(separator: ".")  // layer{s}.{b}.conv{k} | layer{s}.{b}.downsample.{i}
        let block = "stage\(parts[0].dropFirst(5)).block\(parts[1])"
        return parts[2] == "downsample" ? "\(block).downsample.conv" : "\(block).\(parts[2])"
    }

    static func crc(_ values: [Float]) -> Int64 { Int64(values.withUnsafeBytes { CRC32.checksum($0) }) }

    @Test(arguments: ["resnet18_tiny", "resnet50_tiny", "resnext_tiny", "resnet50d_tiny"])
    func foldAndQuantizeMatchPyTorch(model name: String) throws {
        let golden = try JSONParser.parse(Array(try Data(contentsOf: Self.fixtures
            .appendingPathComponent("golden/folding/\(name).json"))))
        guard case .array(let layers)? = golden["layers"] else { Issue.record("no layers"); return }
        let checkpoint = try CheckpointReader.read(path: Self.fixtures.appendingPathComponent("models/\(name).zip.pth").path)
        let model = try SchemaMapper.map(checkpoint)
        var ours = model.convolutions.map { ($0.path, BatchNormFolding.fold($0)) }
        ours.append(("fc", LayerSpec(weight: model.fcWeight.floats(), bias: model.fcBias.floats(), shape: model.fcWeight.shape)))
        #expect(ours.count == layers.count)
        for ((path, folded), want) in zip(ours, layers) {
            guard case .string(let torchName)? = want["conv"] else { continue }
            #expect(path == Self.canonical(torchName))
            #expect(.int(Self.crc(folded.weight)) == want["weight_crc32"], "\(name) \(path) folded weight")
            #expect(.int(Self.crc(folded.bias)) == want["bias_crc32"], "\(name) \(path) folded bias")
            let q = Quantizer.quantize(folded.weight, channels: folded.shape[0], granularity: .perChannel)
            let int8 = q.values.withUnsafeBytes { Int64(CRC32.checksum($0)) }
            #expect(.int(int8) == want["int8_crc32"], "\(name) \(path) int8 values")
            #expect(.int(Self.crc(q.scales)) == want["scale_crc32"], "\(name) \(path) scales")
            if case .double(let db)? = want["sqnr_db"] { #expect(abs(q.sqnr - db) < 1e-9 * db, "\(name) \(path) SQNR") }
        }
    }

    @Test func quantizerEdgeCases() {
        // An all-zero channel gets scale 1 and zeros; the peak maps to ±127; halves round to even.
        let q = Quantizer.quantize([0, 0, 2.54, -1.27, 0.01, 0.03], channels: 3, granularity: .perChannel)
        #expect(q.scales == [1, Float(2.54) / 127, Float(0.03) / 127])
        #expect(q.values == [0, 0, 127, -64, 42, 127])
        let perTensor = Quantizer.quantize([1, -2, 0.5, 4], channels: 2, granularity: .perTensor)
        #expect(perTensor.scales == [Float(4) / 127])
        #expect(perTensor.values == [32, -64, 16, 127])
    }
}
