import Foundation
import SWSLCheckpoint
import SWSLCore
import Testing
@testable import SWSLSchema
import SWSLNetwork

/// The small real checkpoints of Fixtures/models, in every container and ONNX flavour, each
/// against the architecture its generator built (the golden's "architecture").
@Suite struct CheckpointFixtureTests {
    /// The four models of Fixtures/generate.py (`ARCHS`), as the schema describes them.
    static let architectures: [String: ResNetArchitecture] = [
        "resnet18_tiny": ResNetArchitecture(block: .basic, layers: [2, 2, 2, 2], widths: [4, 5, 6, 8], stemWidth: 4,
                                            numClasses: 10),
        "resnet50_tiny": ResNetArchitecture(block: .bottleneck, layers: [3, 4, 6, 3], widths: [16, 24, 32, 48],
                                            stemWidth: 4, numClasses: 10),
        "resnext_tiny": ResNetArchitecture(block: .bottleneck, layers: [2, 2, 2, 2], widths: [16, 24, 32, 48],
                                           stemWidth: 4, groups: 4, widthPerGroup: 32, numClasses: 10),
        "resnet50d_tiny": ResNetArchitecture(block: .bottleneck, layers: [2, 2, 2, 2], widths: [16, 24, 32, 48],
                                             stemWidth: 2, stemType: .deep, avgDown: true, numClasses: 10),
    ]

    /// (fixture path relative to Fixtures, architecture key) for every golden that names one.
    static let fixtures: [(String, String)] = {
        let folder = SchemaFixtures.path("golden")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix("models__") && $0.hasSuffix(".json") }.sorted().compactMap { name in
            guard let golden = try? SchemaFixtures.json("golden/" + name), case .string(let file)? = golden["file"],
                  case .string(let architecture)? = golden["architecture"] else { return nil }
            return (file, architecture)
        }
    }()

    static let onnxFiles = fixtures.map(\.0).filter { $0.hasSuffix(".onnx") }
    /// ResNet-18 graphs with BatchNorm folded into the convolutions (every exporter's but `.bn.onnx`;
    /// the zoo-style graph is a ResNet-50 that keeps BatchNormalization nodes).
    static let foldedONNX = onnxFiles.filter { !$0.hasSuffix(".bn.onnx") && !$0.hasSuffix("zoo_resnet50.onnx") }
    /// Every PyTorch and safetensors file of resnet18_tiny.
    static let resnet18Files = fixtures.filter { $0.1 == "resnet18_tiny" && !$0.0.hasSuffix(".onnx") }.map(\.0)

    static func map(_ relative: String) throws -> CanonicalModel {
        try SchemaMapper.map(CheckpointReader.read(path: SchemaFixtures.path(relative)))
    }

    @Test func everyFlavourIsThere() {
        #expect(Self.fixtures.count == 30)
        #expect(Self.onnxFiles.count == 9)
        #expect(Set(Self.fixtures.map(\.1)) == Set(Self.architectures.keys))
    }

    @Test(arguments: fixtures.map(\.0))
    func mapsToItsGeneratorsArchitecture(_ relative: String) throws {
        let key = try #require(Self.fixtures.first { $0.0 == relative }?.1)
        let model = try Self.map(relative)
        #expect(model.architecture == Self.architectures[key])
        let convention: Convention = relative.hasSuffix(".onnx") ? .onnxGraph : key == "resnet50d_tiny" ? .timm : .torchvision
        #expect(model.convention == convention)
    }

    @Test(arguments: foldedONNX)
    func foldedGraphHasConvBiasesAndNoBatchNorm(_ relative: String) throws {
        let model = try Self.map(relative)
        let units = model.convolutions
        #expect(units.count == 20)
        #expect(units.allSatisfy { $0.bias != nil && $0.batchNorm == nil })
    }

    @Test func batchNormGraphKeepsBatchNormWithItsEpsilon() throws {
        let model = try Self.map("models/onnx/resnet18_tiny.bn.onnx")
        let units = model.convolutions
        #expect(units.count == 20)
        #expect(units.allSatisfy { $0.bias == nil && $0.batchNorm?.epsilon == Float(9.999999747378752e-06) })
    }

    /// The BatchNorm-keeping export holds the state dict's tensors: mapped, they must be the same
    /// bytes under the same canonical names as every PyTorch and safetensors file of the model.
    @Test(arguments: resnet18Files)
    func canonicalTensorsEqualTheBatchNormGraphs(_ relative: String) throws {
        let graph = try Self.map("models/onnx/resnet18_tiny.bn.onnx").canonicalTensors
        let file = try Self.map(relative).canonicalTensors
        #expect(file.map(\.0) == graph.map(\.0))
        for ((name, a), (_, b)) in zip(file, graph) {
            #expect(a.dtype == b.dtype && a.shape == b.shape && a.crc32 == b.crc32, "\(name)")
        }
    }

    /// Folded graphs change every convolution but keep the classifier.
    @Test(arguments: foldedONNX)
    func foldedGraphKeepsTheClassifier(_ relative: String) throws {
        let reference = try Self.map("models/resnet18_tiny.zip.pth")
        let model = try Self.map(relative)
        #expect(model.fcWeight.crc32 == reference.fcWeight.crc32)
        #expect(model.fcBias.crc32 == reference.fcBias.crc32)
        #expect(model.canonicalTensors.map(\.0).contains("stage2.block0.downsample.conv.bias"))
    }

    /// Networks the schema does not cover, written by torch (Fixtures/generate_real_world.py), are
    /// refused as what they are.
    @Test func uncoveredNetworksAreNamed() throws {
        let cifar = SchemaFixtures.refusal(try CheckpointReader.read(path: SchemaFixtures.path("models/refuse/cifar_resnet20.pth")))
        guard case .notCovered(let what)? = cifar else { Issue.record("got \(String(describing: cifar))"); return }
        #expect(what.hasPrefix("a CIFAR-style ResNet") && what.contains("[4, 3, 3, 3]") && what.contains("option A")
                && what.contains("'linear'"), "\(what)")
        let vgg = SchemaFixtures.refusal(try CheckpointReader.read(path: SchemaFixtures.path("models/refuse/vgg_tiny.pth")))
        guard case .notCovered(let plain)? = vgg else { Issue.record("got \(String(describing: vgg))"); return }
        #expect(plain.hasPrefix("a plain convolutional network") && plain.contains("'features.0.weight'"), "\(plain)")
    }

    @Test func nonResNetCheckpointIsRefused() throws {
        let checkpoint = try CheckpointReader.read(path: SchemaFixtures.path("models/oddities.zip.pth"))
        let error = SchemaFixtures.refusal(checkpoint)
        guard case .notAResNet(let why)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(why.contains("float32"))
    }
}
