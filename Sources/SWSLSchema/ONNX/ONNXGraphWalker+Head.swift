import SWSLCore

/// The classifier head: global average pool, flatten, fully connected layer.
extension ONNXGraphWalker {
    /// Whether `x` goes into the head: read by one node only, a global average pool of some form.
    func isHead(_ x: String) -> Bool {
        guard let users = consumers[x], users.count == 1 else { return false }
        return ["GlobalAveragePool", "ReduceMean", "AveragePool"].contains(op(users[0]))
    }

    /// A global average pool: `GlobalAveragePool`, `ReduceMean` over axes 2 and 3, or an
    /// `AveragePool` without pads whose kernel is the whole map at the graph's fixed input size. Then
    /// a flatten: `Flatten` (axis 1), `Reshape` to a constant 2-D shape, `Squeeze` of axes 2 and 3
    /// (or nothing after a `ReduceMean` that drops the axes); then `Gemm`, or `MatMul` then `Add`; then
    /// optionally `Softmax` over the classes. The result must be a graph output. The weight is stored
    /// `[classes, features]` whatever its layout.
    mutating func head(from x: String) throws(SchemaError) {
        let pool = try soleConsumer(of: x)
        var keepsDims = true
        switch op(pool) {
        case "ReduceMean":
            let node = nodes[pool]
            let axes = ints(pool, "axes") ?? (node.inputs.count > 1 ? constantInts(node.inputs[1]) : nil)
            guard let axes, Set(axes.map { ($0 % 4 + 4) % 4 }) == [2, 3] else {
                throw unsupported(pool, "mean over axes \(axes.map { "\($0)" } ?? "all"); the schema averages over 2 and 3")
            }
            keepsDims = (ints(pool, "keepdims") ?? [1]) != [0]
        case "AveragePool":
            try expectWholeMap(pool, input: x)
        default: break
        }
        visited.insert(pool)
        var features = nodes[pool].outputs[0]
        if let readers = consumers[features], readers.count > 1,
           let reshape = readers.first(where: { op($0) == "Reshape" }) {
            // A flatten whose shape is computed from the pooled value, but not as PyTorch 1.x does.
            throw unsupported(reshape, "its target shape is computed from the pooled value (read by \(describe(readers))), "
                + "but not as PyTorch 1.x's dynamic flatten Concat(Unsqueeze(Gather(Shape(x), 0), [0]), [-1]); "
                + "expected that, a constant 2-D shape, or Flatten")
        }
        var next = try soleConsumer(of: features)
        switch op(next) {
        case "Flatten":
            let axis = ints(next, "axis") ?? [1]
            guard axis == [1] else { throw unsupported(next, "flattens from axis \(axis); the schema flattens from axis 1") }
        case "Reshape":
            let node = nodes[next]
            guard node.inputs.count > 1, constantInts(node.inputs[1])?.count == 2 else {
                throw unsupported(next, "its target is not a constant 2-D shape (nor PyTorch 1.x's dynamic flatten)")
            }
        case "Squeeze" where keepsDims:
            let node = nodes[next]
            let axes = ints(next, "axes") ?? (node.inputs.count > 1 ? constantInts(node.inputs[1]) : nil)
            guard let axes, Set(axes.map { ($0 % 4 + 4) % 4 }) == [2, 3] else {
                throw unsupported(next, "squeezes axes \(axes.map { "\($0)" } ?? "all"); a flatten squeezes 2 and 3")
            }
        default:
            guard !keepsDims else {
                throw unsupported(next, "expected a flatten (Flatten, Reshape or Squeeze) after the global pool")
            }
        }
        if ["Flatten", "Reshape", "Squeeze"].contains(op(next)) {
            visited.insert(next)
            features = nodes[next].outputs[0]
            next = try soleConsumer(of: features)
        }
        var (weight, bias, logits) = try classifier(next)
        if let users = consumers[logits], users.count == 1, op(users[0]) == "Softmax" {
            // Softmax over the classes: axis 1, or -1 (the default from opset 13) of the 2-D logits.
            let axis = ints(users[0], "axis") ?? [(graph.opsetVersion ?? 13) >= 13 ? -1 : 1]
            guard axis == [1] || axis == [-1] else {
                throw unsupported(users[0], "softmax over axis \(axis); the classes are axis 1")
            }
            visited.insert(users[0])
            weights.graphOutput = "softmax"
            logits = nodes[users[0]].outputs[0]
        }
        guard outputNames.contains(logits), consumers[logits] == nil else {
            throw unsupported(producers[logits], "the classifier's output must be the graph's output and feed nothing")
        }
        guard graph.outputs.count == 1 else {
            throw unsupported(producers[logits], "the graph has \(graph.outputs.count) outputs "
                + "(\(graph.outputs.prefix(4).map { "'\($0.name)'" }.joined(separator: ", "))); a classifier's has one")
        }
        try weights.add("fc.weight", source: weight.source, tensor: weight.tensor)
        if let bias { try weights.add("fc.bias", source: bias.source, tensor: bias.tensor) }
    }

    /// An `AveragePool` head: no pads, and a kernel as large as the map it pools at the graph's fixed
    /// input size, which then becomes the model's input size.
    private mutating func expectWholeMap(_ pool: Int, input x: String) throws(SchemaError) {
        try expect(pool, ["pads": [0, 0, 0, 0], "dilations": [1, 1]], defaults: ["pads": [0, 0, 0, 0], "dilations": [1, 1]],
                   "a pool over the whole map")
        guard let kernel = ints(pool, "kernel_shape"), kernel.count == 2 else {
            throw unsupported(pool, "it has no 2-D kernel_shape")
        }
        guard let map = spatialSize(of: x) else {
            throw unsupported(pool, "a \(kernel[0])×\(kernel[1]) average pool is global only at one input size, and "
                + "the graph's input size is not fixed; expected GlobalAveragePool, or an input with fixed height and width")
        }
        guard map[0] == map[1] else {
            throw unsupported(pool, "it pools a \(map[0])×\(map[1]) map; the .swm takes square inputs, so the graph's "
                + "fixed input must be square too")
        }
        guard map == kernel else {
            throw unsupported(pool, "its \(kernel[0])×\(kernel[1]) kernel does not cover the \(map[0])×\(map[1]) map "
                + "it pools; the schema's head averages the whole map")
        }
        // The map's size was known, so the input's is: it becomes the model's.
        guard let input = fixedInputSize(), input.height == input.width else {
            throw unsupported(pool, "its graph's fixed input is not square; the .swm takes square inputs")
        }
        guard input.height <= 4096 else { throw unsupported(pool, "its graph's fixed input size \(input.height) is over 4096") }
        weights.fixedInputSize = input.height
    }

    /// `Gemm` (alpha = beta = 1, no transA) or `MatMul` + `Add` at node `i`: weight `[classes, features]`,
    /// bias `[classes]` (nil when the Gemm has none), and the logits value.
    private mutating func classifier(_ i: Int) throws(SchemaError) -> (ONNXConstant, ONNXConstant?, String) {
        let node = nodes[i]
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
            let addNode = nodes[add]
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
