import Foundation
@testable import SWSLCheckpoint
import SWSLCore
import Testing
@testable import SWSLSchema

/// Graphs written the way other exporters write them (Fixtures/generate_real_world.py: the model
/// zoo's Caffe2 ResNet-50 ops, PyTorch 1.x, tf2onnx), against the same weights in a state dict, and
/// the refusals of forms that only look equivalent.
@Suite struct ONNXEquivalentFormsTests {
    static let zoo = "models/onnx/other/zoo_resnet50.onnx"
    static let pytorch1x = "models/onnx/other/pytorch1x_resnet18.onnx"
    static let tf2onnx = "models/onnx/other/tf2onnx_resnet18.onnx"

    static func read(_ relative: String) throws -> Checkpoint { try CheckpointReader.read(path: SchemaFixtures.path(relative)) }

    /// The zoo graph keeps BatchNormalization and stores the classifier as Gemm's transB 1 weight, so
    /// mapped it holds exactly the state dict's tensors under the same canonical names.
    @Test func zooGraphHoldsTheStateDictsTensors() throws {
        let graph = try SchemaMapper.map(Self.read(Self.zoo))
        let file = try SchemaMapper.map(Self.read("models/resnet50_tiny.zip.pth"))
        #expect(graph.architecture == file.architecture)
        #expect(graph.canonicalTensors.map(\.0) == file.canonicalTensors.map(\.0))
        for ((name, a), (_, b)) in zip(graph.canonicalTensors, file.canonicalTensors) {
            #expect(a.shape == b.shape && a.crc32 == b.crc32, "\(name)")
        }
    }

    @Test func graphInterfacesAreRecorded() throws {
        let zoo = try SchemaMapper.map(Self.read(Self.zoo)).graph
        #expect(zoo == .init(inputLayout: "NCHW", output: "softmax", fixedInputSize: 224))
        let tf = try SchemaMapper.map(Self.read(Self.tf2onnx)).graph
        #expect(tf == .init(inputLayout: "NHWC", output: "softmax", fixedInputSize: nil))
        let pt = try SchemaMapper.map(Self.read(Self.pytorch1x)).graph
        #expect(pt == .init(inputLayout: "NCHW", output: "logits", fixedInputSize: nil))
        #expect(try SchemaMapper.map(Self.read("models/resnet18_tiny.zip.pth")).graph == nil)
    }

    /// An edit of one of the graphs and what the refusal must say (the node it names first).
    struct Refusal: CustomStringConvertible, Sendable {
        let description: String
        let file: String
        let mentions: [String]
        let edit: @Sendable (Checkpoint) -> Checkpoint
    }

    static let refusals: [Refusal] = [
        Refusal(description: "AveragePool head smaller than the map", file: zoo,
                mentions: ["(AveragePool)", "5×5 kernel does not cover the 7×7 map"]) {
            $0.setting("kernel_shape", .ints([5, 5]), onNodeAt: $0.index(of: "AveragePool"))
        },
        Refusal(description: "AveragePool head on a graph of any input size", file: zoo,
                mentions: ["(AveragePool)", "global only at one input size"]) {
            $0.settingInput("gpu_0/data_0", dims: [.param("N"), .value(3), .param("H"), .param("W")])
        },
        Refusal(description: "Softmax over the batch", file: zoo, mentions: ["(Softmax)", "axis [0]"]) {
            $0.setting("axis", .int(0), onNodeAt: $0.index(of: "Softmax"))
        },
        Refusal(description: "flatten shape computed another way", file: pytorch1x,
                mentions: ["(Reshape)", "dynamic flatten", "Shape '"]) {
            $0.setting("axes", .ints([1]), onNode: $0.node("Unsqueeze").name)
        },
        Refusal(description: "reflect padding", file: tf2onnx, mentions: ["(Pad)", "reflect padding"]) {
            $0.setting("mode", .string("reflect"), onNode: $0.node("Pad").name)
        },
        Refusal(description: "a Pad that cannot merge, met where the walk expects the stem's pool", file: tf2onnx,
                mentions: ["(Pad)", "expected the stem's MaxPool", "not merged", "reflect padding"]) {
            $0.setting("mode", .string("reflect"), onNode: $0.node("Pad", skip: 1).name)
        },
        Refusal(description: "input transposed the wrong way", file: tf2onnx, mentions: ["(Transpose)", "perm [0, 2, 3, 1]"]) {
            $0.setting("perm", .ints([0, 2, 3, 1]), onNode: $0.node("Transpose").name)
        },
        Refusal(description: "Dropout in training mode is not a pass-through", file: pytorch1x,
                mentions: ["(Dropout)", "expected the classifier"]) { checkpoint in
            // opset 12's training_mode input, set to a constant true
            let dropout = checkpoint.node("Dropout")
            let yes = try! Tensor(dtype: .bool, shape: [], storage: ByteStorage.copying([1]))
            return checkpoint.withConstant(yes, named: "mode", feeding: dropout.name, inputs: dropout.inputs + ["", "mode"])
        },
    ]

    /// Hostile graphs around the rewrites: refused with a message, never a trap.
    static let hostile: [Refusal] = [
        Refusal(description: "Dropout without inputs", file: pytorch1x, mentions: ["(Dropout)"]) {
            $0.replacing($0.node("Dropout").name, inputs: [])
        },
        Refusal(description: "Pad without inputs but a pads attribute", file: tf2onnx, mentions: ["(Pad)"]) {
            $0.replacing($0.node("Pad").name, inputs: []).setting("pads", .ints([0, 0, 3, 3, 0, 0, 3, 3]), onNode: $0.node("Pad").name)
        },
        Refusal(description: "Unsqueeze without inputs in a dynamic flatten", file: pytorch1x, mentions: ["(Reshape)"]) {
            $0.replacing($0.node("Unsqueeze").name, inputs: [])
        },
        Refusal(description: "NaN pads", file: tf2onnx, mentions: ["(Pad)", "pads"]) { checkpoint in
            let nan = try! Tensor(dtype: .float32, shape: [8], storage: ByteStorage.copying(
                (0..<8).flatMap { _ in withUnsafeBytes(of: Float.nan.bitPattern.littleEndian, Array.init) }))
            let pad = checkpoint.node("Pad")
            return checkpoint.withConstant(nan, named: "nan_pads", feeding: pad.name, inputs: [pad.inputs[0], "nan_pads"])
        },
        Refusal(description: "a node reading a later node's output", file: pytorch1x, mentions: ["topological order"]) {
            let conv = $0.node("Conv", skip: 3)
            return $0.replacing($0.node("Conv").name, inputs: [conv.outputs[0]] + Array($0.node("Conv").inputs.dropFirst()))
        },
        Refusal(description: "AveragePool head over a non-square fixed input", file: zoo, mentions: ["(AveragePool)", "square"]) {
            $0.settingInput("gpu_0/data_0", dims: [.value(1), .value(3), .value(224), .value(256)])
        },
        Refusal(description: "a second graph output", file: pytorch1x, mentions: ["2 outputs"]) {
            $0.replacing(outputs: $0.graph!.outputs + [ONNXValueInfo(name: $0.node("GlobalAveragePool").outputs[0], elementType: 1, dims: nil)])
        },
    ]

    @Test(arguments: hostile)
    func hostileRewritesAreRefused(_ refusal: Refusal) throws {
        let error = try #require(SchemaFixtures.refusal(refusal.edit(try Self.read(refusal.file))))
        for word in refusal.mentions { #expect(error.description.contains(word), "\(error)") }
    }

    @Test(arguments: refusals)
    func lookalikeIsRefusedAtTheNodeThatDiffers(_ refusal: Refusal) throws {
        let error = try #require(SchemaFixtures.refusal(refusal.edit(try Self.read(refusal.file))))
        for word in refusal.mentions { #expect(error.description.contains(word), "\(error)") }
    }
}
