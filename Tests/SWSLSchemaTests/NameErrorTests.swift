import SWSLCheckpoint
import SWSLCore
import Testing
@testable import SWSLSchema

/// Every error of the name-based mappers, each from a state dict that is one edit away from a
/// real one (or no ResNet at all), with the tensor, shapes and reason it must name.
@Suite struct NameErrorTests {
    struct Case: CustomStringConvertible, Sendable {
        let description: String
        let base: String
        let prefix: String
        let edit: @Sendable ([(String, [Int])]) -> [(String, [Int])]
        let expected: SchemaError?
        /// Words the message must contain, when the case does not pin the whole error.
        let mentions: [String]

        init(_ description: String, base: String = "resnet18.torchvision.json", prefix: String = "", expected: SchemaError? = nil,
             mentions: [String] = [], edit: @escaping @Sendable ([(String, [Int])]) -> [(String, [Int])]) {
            (self.description, self.base, self.prefix, self.edit, self.expected, self.mentions) =
                (description, base, prefix, edit, expected, mentions)
        }
    }

    static let vgg: [(String, [Int])] = [
        ("features.0.weight", [64, 3, 3, 3]), ("features.0.bias", [64]), ("features.2.weight", [64, 64, 3, 3]),
        ("features.2.bias", [64]), ("classifier.0.weight", [4096, 512]), ("classifier.0.bias", [4096]),
    ]

    static let cases: [Case] = [
        Case("VGG", mentions: ["schema covers", "plain convolutional network", "'features.0.weight' [64, 3, 3, 3]", "no residual blocks"]) { _ in vgg },
        Case("MLP", mentions: ["not a ResNet", "'fc1.weight'"]) { _ in
            [("fc1.weight", [256, 784]), ("fc1.bias", [256]), ("fc2.weight", [10, 256]), ("fc2.bias", [10])]
        },
        Case("classifier only", expected: .notAResNet("it has no stem convolution ('conv1.weight')")) { _ in
            [("fc.weight", [10, 512]), ("fc.bias", [10])]
        },
        Case("stem only", expected: .notAResNet("it has no residual blocks ('layer1.0.conv1.weight')")) {
            $0.filter { !$0.0.hasPrefix("layer") }
        },
        Case("missing shortcut", expected: .missingTensor("layer2.0.downsample.0.weight")) {
            $0.filter { $0.0 != "layer2.0.downsample.0.weight" }
        },
        Case("missing BatchNorm statistic", prefix: "module.", expected: .missingTensor("module.layer3.1.bn2.running_var")) {
            $0.filter { $0.0 != "layer3.1.bn2.running_var" }
        },
        Case("missing classifier bias", expected: .missingTensor("fc.bias")) { $0.filter { $0.0 != "fc.bias" } },
        Case("missing block", expected: .missingTensor("layer4.0.conv1.weight")) { $0.filter { !$0.0.hasPrefix("layer4.0.") } },
        // A ResNet whose layer4 was removed (fc reading layer3's 256 channels): refused when read, so convert
        // never writes a file that run and verify refuse.
        Case("three stages", mentions: ["schema covers", "3 stages", "'layer1.0.conv1.weight'", "four"]) {
            $0.filter { !$0.0.hasPrefix("layer4.") }.map { $0.0 == "fc.weight" ? ($0.0, [$0.1[0], 256]) : $0 }
        },
        Case("missing Hugging Face tensor", base: "resnet50.huggingface.json",
             expected: .missingTensor("resnet.encoder.stages.1.layers.0.shortcut.normalization.weight")) {
            $0.filter { $0.0 != "resnet.encoder.stages.1.layers.0.shortcut.normalization.weight" }
        },
        Case("block index far past the others", expected: .missingTensor("layer1.2.conv1.weight")) {
            $0 + [("layer1.999999999.conv1.weight", [64, 64, 3, 3])]
        },
        Case("absurd width", expected: .wrongShape(name: "conv1.weight", expected: [0, 0, 7, 7], actual: [1 << 40, 0, 7, 7])) {
            $0.map { $0.0 == "conv1.weight" ? ($0.0, [1 << 40, 0, 7, 7]) : $0 }
        },
        Case("wrong shape", expected: .wrongShape(name: "layer1.0.conv2.weight", expected: [64, 64, 3, 3], actual: [64, 32, 3, 3])) {
            $0.map { $0.0 == "layer1.0.conv2.weight" ? ($0.0, [64, 32, 3, 3]) : $0 }
        },
        Case("wrong BatchNorm shape", base: "resnext50_32x4d.torchvision.json",
             expected: .wrongShape(name: "layer3.2.bn2.bias", expected: [512], actual: [511])) {
            $0.map { $0.0 == "layer3.2.bn2.bias" ? ($0.0, [511]) : $0 }
        },
        Case("transposed classifier", expected: .wrongShape(name: "fc.weight", expected: [512, 512], actual: [512, 1000])) {
            $0.map { $0.0 == "fc.weight" ? ($0.0, [512, 1000]) : $0 }
        },
        Case("unknown extra tensor", expected: .unexpectedTensor("head.weight")) { $0 + [("head.weight", [10, 512])] },
        Case("shortcut in a later block", expected: .unexpectedTensor("layer1.1.downsample.0.weight")) {
            $0 + [("layer1.1.downsample.0.weight", [64, 64, 1, 1])]
        },
        Case("unknown parameter leaf", expected: .unexpectedTensor("layer1.0.conv1.scale")) { $0 + [("layer1.0.conv1.scale", [64])] },
        Case("stage-1 projection with equal channels", mentions: ["ambiguous", "'layer1.0.downsample.0.weight'", "64 channels"]) {
            $0 + [("layer1.0.downsample.0.weight", [64, 64, 1, 1])]
                + ["weight", "bias", "running_mean", "running_var"].map { ("layer1.0.downsample.1.\($0)", [64]) }
        },
        Case("mixed conventions", mentions: ["ambiguous", "Hugging Face", "'resnet.embedder.embedder.convolution.weight'"]) {
            $0 + [("resnet.embedder.embedder.convolution.weight", [64, 3, 7, 7])]
        },
        Case("two-convolution stem", mentions: ["not a ResNet", "2 convolutions"]) {
            $0.map { ($0.0 == "conv1.weight" ? "conv1.0.weight" : $0.0, $0.1) } + [("conv1.3.weight", [64, 64, 3, 3])]
        },
    ]

    @Test(arguments: cases)
    func isRefused(_ c: Case) throws {
        let list = try SchemaFixtures.ShapeList(c.base)
        let error = SchemaFixtures.refusal(try SchemaFixtures.checkpoint(c.edit(list.tensors), prefix: c.prefix))
        let found = try #require(error)
        if let expected = c.expected { #expect(found == expected) }
        for word in c.mentions { #expect(found.description.contains(word), "\(found)") }
    }

    @Test func integerWeightIsRefused() throws {
        var checkpoint = try SchemaFixtures.checkpoint(SchemaFixtures.ShapeList("resnet18.torchvision.json").tensors)
        let i = try #require(checkpoint.weights.firstIndex { $0.name == "layer2.1.conv1.weight" })
        let shape = checkpoint.weights[i].tensor.shape
        checkpoint.weights[i] = NamedTensor(name: "layer2.1.conv1.weight",
                                            tensor: try Tensor(dtype: .int8, shape: shape, storage: SchemaFixtures.zeros))
        #expect(SchemaFixtures.refusal(checkpoint) == .notFloatingPoint(name: "layer2.1.conv1.weight", dtype: .int8))
    }

    @Test func emptyCheckpointIsNotAResNet() {
        let checkpoint = Checkpoint(path: "empty.pth", format: .pytorchZip)
        #expect(SchemaFixtures.refusal(checkpoint) == .notAResNet("the checkpoint holds no tensors"))
    }

    @Test func messagesNameTheTensorAndBothShapes() {
        let error = SchemaError.wrongShape(name: "layer1.0.conv2.weight", expected: [64, 64, 3, 3], actual: [64, 32, 3, 3])
        #expect(error.description == "tensor 'layer1.0.conv2.weight' has shape [64, 32, 3, 3], expected [64, 64, 3, 3]")
        #expect(SchemaError.missingTensor("fc.bias").description == "missing tensor 'fc.bias'")
    }
}
