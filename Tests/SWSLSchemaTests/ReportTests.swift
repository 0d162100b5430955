import SWSLCheckpoint
import SWSLCore
import Testing
@testable import SWSLSchema
import SWSLNetwork

/// What `inspect` shows of an architecture, and the canonical names the .swm writer uses.
@Suite struct ReportTests {
    static func architecture(_ shapes: String) throws -> ResNetArchitecture {
        try SchemaMapper.map(SchemaFixtures.checkpoint(SchemaFixtures.ShapeList(shapes).tensors)).architecture
    }

    @Test(arguments: [
        ("resnext50_32x4d.torchvision.json",
         "resnext50_32x4d: bottleneck [3, 4, 6, 3], widths [256, 512, 1024, 2048], 32 groups × 4, 1000 classes"),
        ("resnet50d.timm.json",
         "resnet50d: bottleneck [3, 4, 6, 3], widths [256, 512, 1024, 2048], deep stem 32, avg-pool shortcuts, 1000 classes"),
        ("wide_resnet50_2.torchvision.json", "wide_resnet50_2: bottleneck [3, 4, 6, 3], widths [256, 512, 1024, 2048], 1 group × 128, 1000 classes"),
        ("resnet34_10classes.torchvision.json", "resnet34: basic [3, 4, 6, 3], widths [64, 128, 256, 512], 10 classes"),
        ("resnet_1111_100classes.torchvision.json", "unnamed ResNet: basic [1, 1, 1, 1], widths [64, 128, 256, 512], 100 classes"),
    ])
    func describesInOneLine(_ shapes: String, _ line: String) throws {
        #expect(try Self.architecture(shapes).description == line)
    }

    @Test func tinyModelIsDescribedNotNamed() throws {
        let model = try SchemaMapper.map(CheckpointReader.read(path: SchemaFixtures.path("models/resnext_tiny.zip.pth")))
        #expect(model.architecture.description
            == "unnamed ResNet: bottleneck [2, 2, 2, 2], widths [16, 24, 32, 48], stem 4, 4 groups × 32, 10 classes")
        #expect(model.architecture.report()["name"] == .null)
    }

    @Test func reportHasTheDocumentedKeysInOrder() throws {
        guard case .object(let pairs) = try Self.architecture("resnet50d.timm.json").report() else {
            Issue.record("not an object")
            return
        }
        #expect(pairs.map(\.0) == ["name", "block", "layers", "widths", "stem_width", "stem_type", "groups",
                                   "width_per_group", "avg_down", "num_classes"])
        #expect(pairs.first?.1 == .string("resnet50d"))
    }

    @Test(arguments: ["resnet18_tiny.zip.pth", "resnet50d_tiny.zip.pth", "onnx/resnet18_tiny.onnx", "onnx/resnet18_tiny.bn.onnx"])
    func canonicalNamesFollowTheGrammar(_ file: String) throws {
        // The grammar of Formats/resnet-schema.md.
        let grammar = #/(stem\.(conv[1-3]\.(weight|bias)|bn[1-3]\.(weight|bias|running_mean|running_var))|stage[1-9][0-9]*\.block(0|[1-9][0-9]*)\.((conv[1-3]|downsample\.conv)\.(weight|bias)|(bn[1-3]|downsample\.bn)\.(weight|bias|running_mean|running_var))|fc\.(weight|bias))/#
        let names = try SchemaMapper.map(CheckpointReader.read(path: SchemaFixtures.path("models/" + file))).canonicalTensors.map(\.0)
        #expect(Set(names).count == names.count)
        for name in names { #expect(name.wholeMatch(of: grammar) != nil, "\(name)") }
    }

    @Test func canonicalOrderIsStemBlocksClassifier() throws {
        let model = try SchemaMapper.map(CheckpointReader.read(path: SchemaFixtures.path("models/resnet50d_tiny.zip.pth")))
        let names = model.canonicalTensors.map(\.0)
        #expect(Array(names.prefix(6)) == ["stem.conv1.weight", "stem.bn1.weight", "stem.bn1.bias", "stem.bn1.running_mean",
                                            "stem.bn1.running_var", "stem.conv2.weight"])
        #expect(Array(names[29..<34]) == ["stage1.block0.bn3.running_var", "stage1.block0.downsample.conv.weight",
                                          "stage1.block0.downsample.bn.weight", "stage1.block0.downsample.bn.bias",
                                          "stage1.block0.downsample.bn.running_mean"])
        #expect(Array(names.suffix(2)) == ["fc.weight", "fc.bias"])
        #expect(names.count == 188 - 31)  // the state dict less the step counters of its 3 + 8 × 3 + 4 BatchNorms
    }

    @Test func namePatternsReadAndWriteBothWays() {
        let pattern = NamePattern("resnet.encoder.stages.{s-1}.layers.{b}.layer.{k-1}.convolution")
        let values = pattern.match("resnet.encoder.stages.3.layers.12.layer.2.convolution")
        #expect(values == ["s": 4, "b": 12, "k": 3])
        #expect(pattern.render(["s": 1, "b": 0, "k": 1]) == "resnet.encoder.stages.0.layers.0.layer.0.convolution")
        #expect(pattern.match("resnet.encoder.stages.x.layers.0.layer.0.convolution") == nil)
        #expect(pattern.match("resnet.encoder.stages.0.layers.0.layer.0.convolution.extra") == nil)
    }
}
