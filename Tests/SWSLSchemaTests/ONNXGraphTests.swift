import SWSLCore
import Testing
@testable import SWSLCheckpoint
@testable import SWSLSchema

/// The graph walker on graphs written from the real fixtures' models in every layout exporters
/// use (bottleneck, ResNeXt, deep stem and average-pool shortcut included), and its refusals.
@Suite struct ONNXGraphTests {
    static let sources = ["resnet18_tiny", "resnet50_tiny", "resnext_tiny", "resnet50d_tiny"]

    /// A builder configuration, named for the test list.
    struct Layout: CustomStringConvertible, Sendable {
        let description: String
        let configure: @Sendable (inout ONNXGraphBuilder) -> Void
    }

    static let layouts: [Layout] = [
        Layout(description: "BatchNorm nodes, Gemm") { _ in },
        Layout(description: "folded, MatMul + Add, constants") {
            $0.foldBatchNorm = true
            $0.head = .matMulAdd
            $0.constants = true
        },
        Layout(description: "Gemm transB 0") { $0.head = .gemmUntransposed },
        Layout(description: "ReduceMean + Reshape, constants") {
            $0.head = .reduceMeanReshape
            $0.constants = true
        },
    ]

    static func model(_ name: String) throws -> CanonicalModel {
        try SchemaMapper.map(CheckpointReader.read(path: SchemaFixtures.path("models/\(name).zip.pth")))
    }

    @Test(arguments: sources, layouts)
    func graphMapsBackToTheModel(_ source: String, _ layout: Layout) throws {
        let original = try Self.model(source)
        let mapped = try SchemaMapper.map(ONNXGraphBuilder.checkpoint(original, layout.configure))
        #expect(mapped.architecture == original.architecture)
        #expect(mapped.convention == .onnxGraph)
        let folded = mapped.backbone.stem[0].batchNorm == nil
        for ((name, tensor), (originalName, originalTensor)) in zip(mapped.canonicalTensors, original.canonicalTensors) where !folded {
            #expect(name == originalName)
            #expect(tensor.shape == originalTensor.shape && tensor.crc32 == originalTensor.crc32, "\(name)")
        }
        #expect(mapped.fcWeight.crc32 == original.fcWeight.crc32)
        #expect(mapped.fcBias.shape == [original.architecture.numClasses])
        let units = mapped.convolutions
        #expect(units.allSatisfy { folded ? $0.bias != nil : $0.batchNorm?.epsilon == 1e-3 })
    }

    @Test func strideOnTheFirst1x1IsRead() throws {
        let original = try Self.model("resnet50_tiny")
        let mapped = try SchemaMapper.map(ONNXGraphBuilder.checkpoint(original) { $0.strideOnFirst1x1 = true })
        #expect(!mapped.architecture.strideOn3x3)
        #expect(mapped.backbone.stages[1][0].convs.map(\.stride) == [2, 1, 1])
        #expect(mapped.architecture.description.contains("stride on the first 1×1"))
    }

    /// An edit of resnet50d_tiny's graph and the error it must give.
    struct Refusal: CustomStringConvertible, Sendable {
        let description: String
        let edit: @Sendable (Checkpoint) -> Checkpoint
        let expected: SchemaError?
        let mentions: [String]

        init(_ description: String, expected: SchemaError? = nil, mentions: [String] = [],
             edit: @escaping @Sendable (Checkpoint) -> Checkpoint) {
            (self.description, self.edit, self.expected, self.mentions) = (description, edit, expected, mentions)
        }
    }

    static let refusals: [Refusal] = [
        Refusal("Sigmoid after the stem", mentions: ["'sigmoid' (Sigmoid)", "MaxPool"]) {
            $0.inserting("Sigmoid", named: "sigmoid", after: $0.node("Relu", skip: 2).outputs[0])
        },
        Refusal("Sigmoid inside a block", mentions: ["'sigmoid' (Sigmoid)", "inside a residual block"]) {
            $0.inserting("Sigmoid", named: "sigmoid", after: $0.node("Relu", skip: 4).outputs[0])
        },
        Refusal("node off the path", mentions: ["'stray' (Neg)", "not on the ResNet's path"]) {
            $0.adding("Neg", named: "stray", inputs: [$0.node("Conv").inputs[1]])
        },
        Refusal("dilated convolution", mentions: ["(Conv)", "dilations [2, 2]"]) {
            $0.setting("dilations", .ints([2, 2]), onNode: $0.node("Conv", skip: 4).name)
        },
        Refusal("asymmetric pads", mentions: ["(Conv)", "pads [1, 1, 0, 0]"]) {
            $0.setting("pads", .ints([1, 1, 0, 0]), onNode: $0.node("Conv", skip: 1).name)
        },
        Refusal("stride in stage 1", mentions: ["(Conv)", "stride 2", "stage1.block1.conv2"]) {
            $0.setting("strides", .ints([2, 2]), onNode: $0.node("Conv", skip: 8).name)
        },
        Refusal("max-pool 2×2", mentions: ["(MaxPool)", "kernel_shape [2, 2]"]) {
            $0.setting("kernel_shape", .ints([2, 2]), onNode: $0.node("MaxPool").name)
        },
        Refusal("average-pool without ceil_mode", mentions: ["(AveragePool)", "ceil_mode [0]"]) {
            $0.setting("ceil_mode", .int(0), onNode: $0.node("AveragePool").name)
        },
        Refusal("BatchNorm in training mode", mentions: ["(BatchNormalization)", "training_mode"]) {
            $0.setting("training_mode", .int(1), onNode: $0.node("BatchNormalization", skip: 3).name)
        },
        Refusal("Gemm with alpha 2", mentions: ["(Gemm)", "alpha"]) {
            $0.setting("alpha", .float(2), onNode: $0.node("Gemm").name)
        },
        Refusal("Flatten from axis 2", mentions: ["(Flatten)", "axis [2]"]) {
            $0.setting("axis", .int(2), onNode: $0.node("Flatten").name)
        },
        Refusal("already quantized (QDQ)", mentions: ["already quantized", "1 quantization nodes", "DequantizeLinear 'dq'",
                                                    "float model"]) {
            $0.inserting("DequantizeLinear", named: "dq", after: $0.node("Relu", skip: 4).outputs[0])
        },
        Refusal("no graph", expected: .notAResNet("the ONNX file has no graph")) {
            var copy = $0
            copy.graph = nil
            return copy
        },
    ]

    @Test(arguments: refusals)
    func unsupportedGraphIsRefused(_ refusal: Refusal) throws {
        let checkpoint = refusal.edit(try ONNXGraphBuilder.checkpoint(Self.model("resnet50d_tiny")))
        let error = try #require(SchemaFixtures.refusal(checkpoint))
        if let expected = refusal.expected { #expect(error == expected) }
        for word in refusal.mentions { #expect(error.description.contains(word), "\(error)") }
    }

    @Test func exportedGraphWithAnUnsupportedNodeNamesIt() throws {
        let checkpoint = try CheckpointReader.read(path: SchemaFixtures.path("models/onnx/resnet18_tiny.bn.onnx"))
        let relu = checkpoint.node("Relu", skip: 1)
        let error = SchemaFixtures.refusal(checkpoint.inserting("Sigmoid", named: "/layer1/extra/Sigmoid", after: relu.outputs[0]))
        guard case .unsupportedNode(let name, let op, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(name == "/layer1/extra/Sigmoid" && op == "Sigmoid")
    }
}
