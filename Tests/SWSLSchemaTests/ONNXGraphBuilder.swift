import SWSLCore
@testable import SWSLCheckpoint
@testable import SWSLSchema

/// Writes a canonical model back as an ONNX graph laid out as exporters lay out ResNets, with the
/// variations they produce, so the walker can be tested on bottlenecks, deep stems and
/// average-pool shortcuts that the exported fixtures (all resnet18_tiny) do not have.
struct ONNXGraphBuilder {
    enum Head: String, CaseIterable, Sendable {
        /// GlobalAveragePool, Flatten, Gemm with transB 1 (torch.onnx, dynamo=False).
        case gemm
        /// The same with the weight stored `[features, classes]` and transB 0.
        case gemmUntransposed
        /// ReduceMean (axes as an input, keepdims 0), MatMul, Add with the bias first.
        case matMulAdd
        /// ReduceMean (axes attribute, keepdims 1), Reshape, Gemm (dynamo=True).
        case reduceMeanReshape
    }

    var head = Head.gemm
    /// Convolutions carry a bias instead of a BatchNormalization node (the BN bias stands in:
    /// the walker reads structure, not values).
    var foldBatchNorm = false
    /// Weights are Constant nodes seen through Identity nodes instead of initializers.
    var constants = false
    /// A stride-2 bottleneck puts its stride on the first 1×1 instead of the 3×3.
    var strideOnFirst1x1 = false
    var epsilon: Float = 1e-3

    private var nodes: [ONNXNode] = []
    private var initializers: [NamedTensor] = []

    /// The graph of `model` as an ONNX checkpoint.
    static func checkpoint(_ model: CanonicalModel, _ configure: (inout ONNXGraphBuilder) -> Void = { _ in }) throws -> Checkpoint {
        var builder = ONNXGraphBuilder()
        configure(&builder)
        return try builder.build(model)
    }

    private mutating func build(_ model: CanonicalModel) throws -> Checkpoint {
        var x = "input"
        for unit in model.backbone.stem { x = conv(unit, x, relu: true) }
        x = node("MaxPool", [x], ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])])
        for block in model.backbone.blocks {
            var main = x
            for (k, unit) in block.convs.enumerated() {
                var stride = unit.stride
                if strideOnFirst1x1, block.convs.count == 3, block.stride > 1 { stride = k == 0 ? block.stride : 1 }
                main = conv(unit, main, relu: k < block.convs.count - 1, stride: stride)
            }
            var shortcut = x
            if let projection = block.downsample {
                if model.architecture.avgDown && block.stride > 1 {
                    shortcut = node("AveragePool", [shortcut], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2]),
                                                                 "ceil_mode": .int(1), "count_include_pad": .int(0)])
                }
                shortcut = conv(projection, shortcut, relu: false)
            }
            x = node("Relu", [node("Add", [main, shortcut])])
        }
        try classifier(model, from: x)
        let graph = ONNXGraph(
            nodes: nodes, inputs: [ONNXValueInfo(name: "input", elementType: 1, dims: [.param("batch"), .value(3), .value(64), .value(64)])]
                + initializers.map { ONNXValueInfo(name: $0.name, elementType: 1, dims: nil) },
            outputs: [ONNXValueInfo(name: "logits", elementType: 1, dims: [.param("batch"), .value(model.architecture.numClasses)])],
            initializerNames: initializers.map(\.name), opsetImports: [("", 17)], irVersion: 8, producerName: "test",
            producerVersion: "", metadata: [])
        return Checkpoint(path: "built.onnx", format: .onnx, weights: initializers, graph: graph)
    }

    private mutating func classifier(_ model: CanonicalModel, from x: String) throws {
        let weight = model.fcWeight, features = weight.shape[1]
        switch head {
        case .gemm, .gemmUntransposed:
            let pooled = node("Flatten", [node("GlobalAveragePool", [x])], ["axis": .int(1)])
            let transposed = head == .gemmUntransposed
            let stored = tensor(transposed ? weight.transposed2D() : weight)
            node("Gemm", [pooled, stored, tensor(model.fcBias)], ["transB": .int(transposed ? 0 : 1)], output: "logits")
        case .matMulAdd:
            let axes = tensor(try integers([-1, -2]))
            let pooled = node("ReduceMean", [x, axes], ["keepdims": .int(0)])
            let product = node("MatMul", [pooled, tensor(weight.transposed2D())])
            node("Add", [tensor(model.fcBias.reshaped([1, weight.shape[0]])), product], output: "logits")
        case .reduceMeanReshape:
            let pooled = node("ReduceMean", [x], ["axes": .ints([2, 3]), "keepdims": .int(1)])
            let flat = node("Reshape", [pooled, tensor(try integers([-1, Int64(features)]))])
            node("Gemm", [flat, tensor(weight), tensor(model.fcBias)], ["transB": .int(1), "alpha": .float(1), "beta": .float(1)],
                 output: "logits")
        }
    }

    /// Conv, then BatchNormalization (or a bias input), then Relu when `relu`.
    private mutating func conv(_ unit: ConvUnit, _ x: String, relu: Bool, stride: Int? = nil) -> String {
        let s = stride ?? unit.stride, p = unit.padding, k = unit.kernel
        var inputs = [x, tensor(unit.weight)]
        if foldBatchNorm, let norm = unit.batchNorm { inputs.append(tensor(norm.bias)) }
        var y = node("Conv", inputs, ["dilations": .ints([1, 1]), "group": .int(unit.groups), "kernel_shape": .ints([k, k]),
                                      "pads": .ints([p, p, p, p]), "strides": .ints([s, s])])
        if !foldBatchNorm, let norm = unit.batchNorm {
            let parameters = [norm.weight, norm.bias, norm.runningMean, norm.runningVar].map { tensor($0) }
            y = node("BatchNormalization", [y] + parameters, ["epsilon": .float(epsilon), "momentum": .float(0.9)])
        }
        return relu ? node("Relu", [y]) : y
    }

    /// A weight as an initializer, or as a Constant node behind an Identity node.
    private mutating func tensor(_ value: Tensor) -> String {
        guard constants else {
            let name = "w\(initializers.count)"
            initializers.append(NamedTensor(name: name, tensor: value))
            return name
        }
        return node("Identity", [node("Constant", [], ["value": .tensor(value)])])
    }

    private func integers(_ values: [Int64]) throws -> Tensor {
        let storage = ByteStorage.copying(values.flatMap { v in withUnsafeBytes(of: v.littleEndian, Array.init) })
        return try Tensor(dtype: .int64, shape: [values.count], storage: storage)
    }

    /// Appends a node named `<op>_<index>`; returns its output.
    @discardableResult
    private mutating func node(_ op: String, _ inputs: [String], _ attributes: [String: ONNXAttribute] = [:],
                               output: String? = nil) -> String {
        let name = "\(op)_\(nodes.count)"
        let out = output ?? name + "_out"
        nodes.append(ONNXNode(name: name, opType: op, domain: "", inputs: inputs, outputs: [out],
                              attributes: attributes.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        return out
    }
}
