import SWSLCore

/// The classifier head: global average pool, flatten, fully connected layer.
extension ONNXGraphWalker {
    /// `GlobalAveragePool` or `ReduceMean` over axes 2 and 3; `Flatten` (axis 1) or `Reshape` to 2-D
    /// (optional after a `ReduceMean` that drops the axes); `Gemm`, or `MatMul` then `Add`. The
    /// result must be a graph output. The weight is stored `[classes, features]` whatever its layout.
    mutating func head(from x: String) throws(SchemaError) {
        let pool = try soleConsumer(of: x)
        var keepsDims = true
        if op(pool) == "ReduceMean" {
            let node = graph.nodes[pool]
            let axes = ints(pool, "axes") ?? (node.inputs.count > 1 ? constantInts(node.inputs[1]) : nil)
            guard let axes, Set(axes.map { ($0 % 4 + 4) % 4 }) == [2, 3] else {
                throw unsupported(pool, "mean over axes \(axes.map { "\($0)" } ?? "all"); the schema averages over 2 and 3")
            }
            keepsDims = (ints(pool, "keepdims") ?? [1]) != [0]
        }
        visited.insert(pool)
        var features = graph.nodes[pool].outputs[0]
        var next = try soleConsumer(of: features)
        switch op(next) {
        case "Flatten":
            let axis = ints(next, "axis") ?? [1]
            guard axis == [1] else { throw unsupported(next, "flattens from axis \(axis); the schema flattens from axis 1") }
        case "Reshape":
            let node = graph.nodes[next]
            guard node.inputs.count > 1, constantInts(node.inputs[1])?.count == 2 else {
                throw unsupported(next, "its target is not a constant 2-D shape")
            }
        default:
            guard !keepsDims else { throw unsupported(next, "expected Flatten or Reshape after the global pool") }
        }
        if ["Flatten", "Reshape"].contains(op(next)) {
            visited.insert(next)
            features = graph.nodes[next].outputs[0]
            next = try soleConsumer(of: features)
        }
        let (weight, bias, logits) = try classifier(next)
        guard graph.outputs.contains(where: { $0.name == logits }), consumers[logits] == nil else {
            throw unsupported(producers[logits], "the classifier's output must be the graph's output and feed nothing")
        }
        try weights.add("fc.weight", source: weight.source, tensor: weight.tensor)
        if let bias { try weights.add("fc.bias", source: bias.source, tensor: bias.tensor) }
    }

    /// `Gemm` (alpha = beta = 1, no transA) or `MatMul` + `Add` at node `i`: weight `[classes, features]`,
    /// bias `[classes]` (nil when the Gemm has none), and the logits value.
    private mutating func classifier(_ i: Int) throws(SchemaError) -> (ONNXConstant, ONNXConstant?, String) {
        let node = graph.nodes[i]
        switch op(i) {
        case "Gemm":
            guard (ints(i, "transA") ?? [0]) == [0], (node.attribute("alpha")?.float ?? 1) == 1,
                  (node.attribute("beta")?.float ?? 1) == 1 else {
                throw unsupported(i, "transA, alpha or beta differ from the schema's plain x·Wᵀ + b")
            }
            let weight = try matrix(i, transposed: (ints(i, "transB") ?? [0]) == [1])
            let bias = node.inputs.count > 2 && !node.inputs[2].isEmpty ? try constantInput(i, 2, "bias") : nil
            return (weight, bias.map { vector($0, count: weight.tensor.shape[0]) }, node.outputs[0])
        case "MatMul":
            let weight = try matrix(i, transposed: false)
            let add = try soleConsumer(of: node.outputs[0])
            let addNode = graph.nodes[add]
            guard op(add) == "Add", let other = addNode.inputs.first(where: { $0 != node.outputs[0] }) else {
                throw unsupported(add, "expected the bias Add after the classifier's MatMul")
            }
            visited.insert(add)
            guard let bias = constant(other) else { throw unsupported(add, "its bias is not an initializer or a constant") }
            return (weight, vector(bias, count: weight.tensor.shape[0]), addNode.outputs[0])
        default:
            throw unsupported(i, "expected the classifier (Gemm, or MatMul and Add) after the global pool")
        }
    }

    /// Input 1 of node `i` as `[classes, features]`; `transposed` says it is stored that way
    /// already, else (`MatMul`, `Gemm` with transB 0) it is `[features, classes]` and is copied transposed.
    private mutating func matrix(_ i: Int, transposed: Bool) throws(SchemaError) -> ONNXConstant {
        visited.insert(i)
        let found = try constantInput(i, 1, "weight")
        guard found.tensor.shape.count == 2 else {
            throw unsupported(i, "classifier weight of shape \(found.tensor.shape); expected a matrix")
        }
        return transposed ? found : ONNXConstant(source: found.source, tensor: found.tensor.transposed2D())
    }

    /// A bias broadcast as `[1, n]` seen as `[n]`.
    private func vector(_ bias: ONNXConstant, count: Int) -> ONNXConstant {
        guard bias.tensor.shape != [count], bias.tensor.elementCount == count else { return bias }
        return ONNXConstant(source: bias.source, tensor: bias.tensor.reshaped([count]))
    }
}
