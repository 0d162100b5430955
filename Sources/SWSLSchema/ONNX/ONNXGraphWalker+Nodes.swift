import SWSLCheckpoint
import SWSLCore
import SWSLNetwork

/// Reading single nodes: operator checks, attributes, constants, convolutions, the head.
extension ONNXGraphWalker {
    /// The operator of node `i`, prefixed by its domain when that is not the standard one.
    func op(_ i: Int) -> String {
        if let form = forms[i] { return form }
        let node = nodes[i]
        return node.domain.isEmpty || node.domain == "ai.onnx" ? node.opType : "\(node.domain).\(node.opType)"
    }

    /// The error for node `i` (nil: the graph input).
    func unsupported(_ i: Int?, _ why: String) -> SchemaError {
        guard let i else { return .unsupportedNode(name: "(graph input)", opType: "input", why: why) }
        let node = nodes[i]
        let reason = notes[i].map { "\(why) (\($0))" } ?? why
        return .unsupportedNode(name: node.name.isEmpty ? "#\(i)" : node.name, opType: node.opType, why: reason)
    }

    /// The one node that reads `value`; anything else is not a chain of a ResNet.
    func soleConsumer(of value: String) throws(SchemaError) -> Int {
        let users = consumers[value] ?? []
        guard users.count == 1 else {
            throw unsupported(producers[value], users.isEmpty
                ? "the graph stops here, before the classifier"
                : "its output '\(value)' is read by \(users.count) nodes (\(describe(users))) where a ResNet has one")
        }
        return users[0]
    }

    /// `Shape '#12', Reshape 'flatten'` for error messages.
    func describe(_ users: [Int]) -> String {
        users.prefix(4).map { "\(nodes[$0].opType) '\(nodes[$0].name.isEmpty ? "#\($0)" : nodes[$0].name)'" }
            .joined(separator: ", ") + (users.count > 4 ? ", …" : "")
    }

    /// The node reading `value` when it is the only one and has operator `type`.
    func soleUser(of value: String, _ type: String) -> Int? {
        guard let users = consumers[value], users.count == 1, op(users[0]) == type else { return nil }
        return users[0]
    }

    /// An integer-list attribute (a single int reads as a one-element list).
    func ints(_ i: Int, _ name: String) -> [Int]? {
        let attribute = nodes[i].attribute(name)
        return attribute?.ints ?? attribute?.int.map { [$0] }
    }

    /// Checks integer attributes against the values the schema needs; `auto_pad` must be unset.
    func expect(_ i: Int, _ wanted: [String: [Int]], defaults: [String: [Int]] = [:], _ what: String) throws(SchemaError) {
        if case .string(let pad)? = nodes[i].attribute("auto_pad"), pad != "NOTSET" {
            throw unsupported(i, "auto_pad \(pad); the schema has explicit pads")
        }
        for (name, value) in wanted.sorted(by: { $0.key < $1.key }) {
            let actual = ints(i, name) ?? defaults[name]
            guard actual == value else {
                throw unsupported(i, "\(name) \(actual.map { "\($0)" } ?? "missing") where the schema has \(what)")
            }
        }
    }

    /// An initializer, a `Constant` node's value, or either seen through `Identity` nodes.
    mutating func constant(_ value: String) -> ONNXConstant? {
        if let tensor = initializers[value] { return ONNXConstant(source: value, tensor: tensor) }
        guard let producer = producers[value] else { return nil }
        switch op(producer) {
        case "Constant":
            guard let tensor = nodes[producer].attribute("value")?.tensor else { return nil }
            visited.insert(producer)
            return ONNXConstant(source: value, tensor: tensor)
        case "Identity":
            visited.insert(producer)
            return nodes[producer].inputs.first.flatMap { constant($0) }
        default: return nil
        }
    }

    /// A constant list of at most 8 integers (shapes, axes, pads, indices, a Dropout's training_mode): an
    /// integer- or bool-typed initializer or `Constant`, never a large or floating-point one read as
    /// integers (ONNX types all of these int64, or bool).
    mutating func constantInts(_ value: String) -> [Int]? {
        if let producer = producers[value], op(producer) == "Constant", let list = ints(producer, "value_ints") {
            visited.insert(producer)
            return list.count <= 8 ? list : nil
        }
        guard let tensor = constant(value)?.tensor, tensor.elementCount <= 8,
              [.int64, .int32, .int16, .int8, .uint8, .bool].contains(tensor.dtype) else { return nil }
        return tensor.integers().map { Int($0) }
    }

    /// Input `index` of node `i` as a constant, or an error naming what it should be.
    mutating func constantInput(_ i: Int, _ index: Int, _ what: String) throws(SchemaError) -> ONNXConstant {
        let inputs = nodes[i].inputs
        guard index < inputs.count, let found = constant(inputs[index]) else {
            throw unsupported(i, "its \(what) is not an initializer or a constant")
        }
        return found
    }

    /// `Conv` at node `i`, then an optional `BatchNormalization` and an optional `Relu`.
    mutating func convStep(at i: Int) throws(SchemaError) -> ConvStep {
        guard visited.insert(i).inserted else { throw unsupported(i, "reached twice: the graph has a cycle") }
        let node = nodes[i]
        let weight = try constantInput(i, 1, "weight")
        let bias = node.inputs.count > 2 && !node.inputs[2].isEmpty ? try constantInput(i, 2, "bias") : nil
        let kernel = Array(weight.tensor.shape.dropFirst(2))
        guard kernel.count == 2, (ints(i, "kernel_shape") ?? kernel) == kernel else {
            throw unsupported(i, "not a 2-D convolution whose kernel_shape matches its weight's shape \(weight.tensor.shape)")
        }
        try expect(i, ["dilations": [1, 1]], defaults: ["dilations": [1, 1]], "no dilation")
        let strides = ints(i, "strides") ?? [1, 1], pads = ints(i, "pads") ?? [0, 0, 0, 0]
        guard strides.count == 2, strides[0] == strides[1] else {
            throw unsupported(i, "strides \(strides); the schema has equal strides")
        }
        guard pads.count == 4, Set(pads).count == 1 else {
            throw unsupported(i, "pads \(pads); the schema pads every side alike")
        }
        var output = node.outputs[0]
        var batchNorm: (tensors: [ONNXConstant], epsilon: Float)?
        if let norm = soleUser(of: output, "BatchNormalization") {
            visited.insert(norm)
            guard (ints(norm, "training_mode") ?? [0]) == [0] else {
                throw unsupported(norm, "training_mode 1; the schema uses running statistics")
            }
            var tensors: [ONNXConstant] = []
            for (index, what) in ["scale", "bias", "mean", "variance"].enumerated() {
                tensors.append(try constantInput(norm, index + 1, what))
            }
            batchNorm = (tensors, nodes[norm].attribute("epsilon")?.float ?? 1e-5)
            output = nodes[norm].outputs[0]
        }
        let relu = soleUser(of: output, "Relu")
        if let relu {
            visited.insert(relu)
            output = nodes[relu].outputs[0]
        }
        let attributes = SourceWeights.ConvAttributes(node: node.name.isEmpty ? "#\(i)" : node.name, stride: strides[0],
                                                      padding: pads[0], groups: node.attribute("group")?.int ?? 1)
        return ConvStep(node: i, weight: weight, bias: bias, batchNorm: batchNorm, attributes: attributes,
                        relu: relu != nil, output: output)
    }

    /// Adds a convolution's tensors under canonical paths.
    mutating func record(_ step: ConvStep, _ paths: (conv: String, bn: String)) throws(SchemaError) {
        try weights.add(paths.conv + ".weight", source: step.weight.source, tensor: step.weight.tensor)
        if let bias = step.bias { try weights.add(paths.conv + ".bias", source: bias.source, tensor: bias.tensor) }
        if let norm = step.batchNorm {
            for (leaf, found) in zip(["weight", "bias", "running_mean", "running_var"], norm.tensors) {
                try weights.add("\(paths.bn).\(leaf)", source: found.source, tensor: found.tensor)
            }
            weights.epsilons[paths.bn] = norm.epsilon
        }
        weights.convAttributes[paths.conv] = step.attributes
    }

    /// Adds a block's tensors; notes average-pool shortcuts and where a bottleneck's stride sits.
    mutating func record(_ block: Block, path: String) throws(SchemaError) {
        for (k, step) in block.main.enumerated() { try record(step, CanonicalPath.conv(k + 1, in: path)) }
        if let shortcut = block.shortcut { try record(shortcut, CanonicalPath.downsample(in: path)) }
        if block.pooled {
            weights.pooledShortcuts.insert(path)
            weights.avgDown = true
        }
        if block.main.count == 3, weights.strideOn3x3 == nil,
           let strided = block.main.firstIndex(where: { $0.attributes.stride > 1 }) {
            weights.strideOn3x3 = strided != 0
        }
    }
}
