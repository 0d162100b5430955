import SWSLCheckpoint
import SWSLCore

/// Other exporters' forms of the schema's computation, brought to the forms the walk expects before
/// it starts. Each is accepted for what it computes, never for its operator's name alone
/// (Formats/ONNX.md, "Equivalent forms"):
///
/// - `Identity`, and `Dropout` at inference (no mask read, `training_mode` absent or false): the
///   value passes through; readers see the node's input.
/// - `Sum` of two inputs is `Add`; `Sum` of one passes its input through.
/// - `Pad` (constant mode, value 0, spatial axes only) before a `Conv`: its pads join the Conv's.
///   Before a `MaxPool` too, when the padded value comes out of a `Relu`: there zero padding and the
///   pool's own (minus infinity) padding give the same maxima, as every window keeps a real element.
/// - PyTorch 1.x's dynamic flatten `Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1]))` is
///   `Flatten` from axis 1; the shape computation is absorbed.
/// The NHWC input `Transpose` and the whole-map `AveragePool` are checked where they occur
/// (`imageInput`, `head`), as they depend on the input's shape.
extension ONNXGraphWalker {
    /// Rewrites `nodes` in file (topological) order; absorbed nodes are marked visited.
    mutating func normalizeForms() throws(SchemaError) {
        var readers: [String: Int] = [:]
        var firstReader: [String: Int] = [:]  // of each value, by its first input: where a Pad's pads go
        for (i, node) in graph.nodes.enumerated() {
            for input in Set(node.inputs) where !input.isEmpty { readers[input, default: 0] += 1 }
            if let first = node.inputs.first, firstReader[first] == nil { firstReader[first] = i }
        }
        for output in graph.outputs { readers[output.name, default: 0] += 1 }
        var alias: [String: String] = [:]
        var pending: [Int: (input: String, pads: [Int])] = [:]
        // Nodes come in topological order (checked before), and an alias is made from a node's inputs
        // after they were resolved: every alias points at a value that has none, so one lookup resolves.
        func resolve(_ value: String) -> String { alias[value] ?? value }
        for i in nodes.indices {
            var node = nodes[i]
            node = ONNXNode(name: node.name, opType: node.opType, domain: node.domain, inputs: node.inputs.map(resolve),
                            outputs: node.outputs, attributes: node.attributes)
            if let merged = pending[i] { node = Self.withPads(node, input: merged.input, adding: merged.pads) }
            nodes[i] = node
            let data = node.inputs.first.flatMap { $0.isEmpty ? nil : $0 }
            if data == nil, ["Identity", "Dropout", "Pad", "Sum"].contains(op(i)) {
                throw unsupported(i, "it has no data input")
            }
            switch op(i) {
            case "Identity" where node.inputs.count == 1 && data != nil,
                 "Sum" where node.inputs.count == 1 && data != nil:
                alias[node.outputs[0]] = node.inputs[0]
                visited.insert(i)
            case "Dropout" where data != nil:
                guard try dropoutPassesThrough(i, readers: readers) else { break }
                alias[node.outputs[0]] = node.inputs[0]
                visited.insert(i)
            case "Sum" where node.inputs.count == 2:
                forms[i] = "Add"
            case "Pad" where data != nil:
                if let target = padTarget(i, readers: readers, firstReader: firstReader) {
                    pending[target.node] = (node.inputs[0], target.pads)
                    visited.insert(i)
                }
            case "Reshape":
                if let absorbed = dynamicFlatten(i) {
                    forms[i] = "Flatten"
                    visited.formUnion(absorbed)
                }
            default: break
            }
        }
        outputNames = Set(graph.outputs.map { resolve($0.name) })
    }

    /// A `Dropout` that is the identity: inference mode and nobody reads its mask.
    private mutating func dropoutPassesThrough(_ i: Int, readers: [String: Int]) throws(SchemaError) -> Bool {
        let node = nodes[i]
        if node.outputs.count > 1, !node.outputs[1].isEmpty, readers[node.outputs[1], default: 0] > 0 { return false }
        // Before opset 7 a Dropout runs in training mode unless `is_test` is 1.
        if (graph.opsetVersion ?? 7) < 7, (ints(i, "is_test") ?? [0]) != [1] { return false }
        guard node.inputs.count > 2, !node.inputs[2].isEmpty else { return true }
        guard let mode = constantInts(node.inputs[2]), mode == [0] || mode == [1] else {
            throw unsupported(i, "its training_mode is not a constant; the schema runs inference")
        }
        return mode == [0]
    }

    /// For a `Pad` that only pads height and width with zeros and feeds one `Conv` (or a `MaxPool`
    /// of non-negative values): that node and the pads to add, `[top, left, bottom, right]`. Any other
    /// Pad stays in the graph with a note of why it was not merged: a graph that is not a ResNet is
    /// refused by the walk for that, and a ResNet's refusal at the Pad carries the note.
    private mutating func unmerged(_ i: Int, _ why: String) -> (node: Int, pads: [Int])? {
        notes[i] = "a Pad not merged into the convolution after it: " + why
        return nil
    }

    private mutating func padTarget(_ i: Int, readers: [String: Int], firstReader: [String: Int]) -> (node: Int, pads: [Int])? {
        let node = nodes[i]
        if case .string(let mode)? = node.attribute("mode"), mode != "constant" {
            return unmerged(i, "\(mode) padding; only zero padding is the same as a convolution's own")
        }
        let pads = ints(i, "pads") ?? (node.inputs.count > 1 ? constantInts(node.inputs[1]) : nil)
        guard let pads, pads.count == 8, pads.allSatisfy({ (0...Self.maxExtent).contains($0) }) else {
            return unmerged(i, "its pads are not a constant list of 8 values in 0...\(Self.maxExtent) for an NCHW tensor")
        }
        guard pads[0] == 0, pads[1] == 0, pads[4] == 0, pads[5] == 0 else {
            return unmerged(i, "it pads the batch or channel axis (pads \(pads)); a convolution pads height and width")
        }
        if node.inputs.count > 3, !node.inputs[3].isEmpty {
            return unmerged(i, "it names the axes it pads; expected pads for all four axes")
        }
        // Before opset 11 the value is an attribute (default 0); from 11 an optional input.
        let value: Float?
        if (graph.opsetVersion ?? 11) < 11 {
            value = node.attribute("value")?.float ?? 0
        } else if node.inputs.count > 2, !node.inputs[2].isEmpty {
            let found = constant(node.inputs[2])?.tensor
            value = found?.elementCount == 1 ? found?.floats().first : nil
        } else {
            value = 0
        }
        guard value == 0 else { return unmerged(i, "it pads with a value other than 0 (or one that is not constant)") }
        guard readers[node.outputs[0], default: 0] == 1,
              let target = firstReader[node.outputs[0]], target > i else {
            return unmerged(i, "its output must go into one Conv or MaxPool, whose pads it becomes")
        }
        switch op(target) {
        case "Conv": break
        case "MaxPool":
            guard let source = producers[node.inputs[0]], op(source) == "Relu" else {
                return unmerged(i, "zero padding before a MaxPool equals the pool's own only for non-negative "
                    + "input (a Relu's output)")
            }
        default:
            return unmerged(i, "its output goes into \(nodes[target].opType); expected a Conv or MaxPool to take its pads")
        }
        return (target, [pads[2], pads[3], pads[6], pads[7]])
    }

    /// The largest pad, kernel, stride or size the arithmetic here takes (a hostile graph's
    /// attributes can be any 64-bit value); larger ones are refused or left alone, never summed.
    static let maxExtent = 1 << 20

    /// `node` reading `input` with `extra` added to its pads (absent pads are zeros).
    private static func withPads(_ node: ONNXNode, input: String, adding extra: [Int]) -> ONNXNode {
        let own = node.attribute("pads")?.ints ?? [0, 0, 0, 0]
        // Pads out of range stay as they are, for the walk to refuse with the node's own values.
        let inRange = own.count == 4 && own.allSatisfy { (0...maxExtent).contains($0) }
        let pads = inRange ? zip(own, extra).map(+) : own
        var attributes = node.attributes.filter { $0.0 != "pads" }
        attributes.append(("pads", .ints(pads)))
        return ONNXNode(name: node.name, opType: node.opType, domain: node.domain,
                        inputs: [input] + node.inputs.dropFirst(), outputs: node.outputs, attributes: attributes)
    }

    /// The shape computation of PyTorch 1.x's `x.view(x.size(0), -1)` feeding `Reshape` `i`:
    /// `Concat(Unsqueeze(Gather(Shape(x), 0), axes [0]), [-1])` on the Reshape's own input. Returns the
    /// nodes it absorbs, or nil when the Reshape's shape is something else.
    private mutating func dynamicFlatten(_ i: Int) -> Set<Int>? {
        let node = nodes[i]
        func firstInput(_ n: Int) -> String? { nodes[n].inputs.first.flatMap { $0.isEmpty ? nil : $0 } }
        guard node.inputs.count == 2, let concat = producers[node.inputs[1]], op(concat) == "Concat",
              nodes[concat].inputs.count == 2, (ints(concat, "axis") ?? [0]) == [0],
              let unsqueeze = firstInput(concat).flatMap({ producers[$0] }), op(unsqueeze) == "Unsqueeze",
              let gather = firstInput(unsqueeze).flatMap({ producers[$0] }), op(gather) == "Gather",
              let shape = firstInput(gather).flatMap({ producers[$0] }), op(shape) == "Shape",
              nodes[shape].inputs.first == node.inputs[0], ints(shape, "start") == nil, ints(shape, "end") == nil,
              (ints(gather, "axis") ?? [0]) == [0]
        else { return nil }
        let axes = ints(unsqueeze, "axes") ?? (nodes[unsqueeze].inputs.count > 1 ? constantInts(nodes[unsqueeze].inputs[1]) : nil)
        guard axes == [0], nodes[gather].inputs.count == 2, constantInts(nodes[gather].inputs[1]) == [0],
              constantInts(nodes[concat].inputs[1]) == [-1] else { return nil }
        return [concat, unsqueeze, gather, shape]
    }

    /// The value the stem reads: the graph input itself, or (tf2onnx's NHWC graphs) the output of its
    /// one `Transpose` with perm [0, 3, 1, 2].
    mutating func imageInput(_ input: String) throws(SchemaError) -> String {
        guard let users = consumers[input], users.count == 1, op(users[0]) == "Transpose" else { return input }
        guard ints(users[0], "perm") == [0, 3, 1, 2] else {
            throw unsupported(users[0], "perm \(ints(users[0], "perm").map { "\($0)" } ?? "missing"); an NHWC input "
                + "becomes NCHW with perm [0, 3, 1, 2]")
        }
        visited.insert(users[0])
        weights.graphInputLayout = "NHWC"
        return nodes[users[0]].outputs[0]
    }

    /// The image input's name, height and width when both are fixed and in 1...`maxExtent` (read as
    /// NHWC when the graph transposes its input from that).
    func fixedInputSize() -> (name: String, height: Int, width: Int)? {
        guard let input = graph.inputs.first(where: { initializers[$0.name] == nil }), let dims = input.dims,
              dims.count == 4 else { return nil }
        let (h, w) = weights.graphInputLayout == "NHWC" ? (dims[1], dims[2]) : (dims[2], dims[3])
        guard case .value(let height) = h, case .value(let width) = w,
              (1...Self.maxExtent).contains(height), (1...Self.maxExtent).contains(width) else { return nil }
        return (input.name, height, width)
    }

    /// Height and width of `value` when the graph's input has a fixed size: the input's dims carried
    /// through every node in file order (Conv, MaxPool and AveragePool by their arithmetic; the
    /// element-wise nodes unchanged). Nil when some size on the way is not known.
    func spatialSize(of value: String) -> [Int]? {
        guard let input = fixedInputSize() else { return nil }
        var sizes: [String: [Int]] = [input.name: [input.height, input.width]]
        for i in nodes.indices where sizes[value] == nil {
            let node = nodes[i]
            guard let first = node.inputs.first, let from = sizes[first] else { continue }
            switch op(i) {
            case "Conv", "MaxPool", "AveragePool":
                let weight = node.inputs.count > 1 ? node.inputs[1] : ""
                let kernel = ints(i, "kernel_shape")
                    ?? (initializers[weight] ?? producers[weight].flatMap { nodes[$0].attribute("value")?.tensor })
                        .map { Array($0.shape.dropFirst(2)) }
                let strides = ints(i, "strides") ?? [1, 1], pads = ints(i, "pads") ?? [0, 0, 0, 0]
                let ceil = (ints(i, "ceil_mode") ?? [0]) == [1]
                let extents = (kernel ?? []) + strides + pads + from
                guard let kernel, kernel.count == 2, strides.count == 2, pads.count == 4, strides.allSatisfy({ $0 > 0 }),
                      extents.allSatisfy({ (0...Self.maxExtent).contains($0) }) else { continue }
                var output: [Int] = []
                for d in 0..<2 {
                    let span: Int = from[d] + pads[d] + pads[d + 2] - kernel[d]
                    guard span >= 0 else { break }
                    let steps: Int = ceil ? (span + strides[d] - 1) / strides[d] : span / strides[d]
                    output.append(steps + 1)
                }
                guard output.count == 2 else { continue }
                sizes[node.outputs[0]] = output
            case "GlobalAveragePool": sizes[node.outputs[0]] = [1, 1]
            case "Relu", "BatchNormalization", "Add", "Transpose": sizes[node.outputs[0]] = from
            default: break
            }
        }
        return sizes[value]
    }
}
