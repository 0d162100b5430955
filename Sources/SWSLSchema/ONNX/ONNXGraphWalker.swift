import SWSLCheckpoint
import SWSLCore
import SWSLNetwork

/// Walks an ONNX ResNet graph from its input to its logits, never by initializer names: the stem
/// (`Conv [BatchNormalization] Relu`, once or three times, then `MaxPool`), residual blocks (a
/// main branch and an identity or projection shortcut meeting at `Add`, then `Relu`) and the head
/// (a global average pool, a flatten, `Gemm` or `MatMul` + `Add`, optionally `Softmax`).
/// Each tensor gets its canonical name from its position; every node must be on that path.
///
/// Other exporters' forms of the same computation are first brought to these
/// (`ONNXGraphWalker+Forms.swift`, listed in Formats/ONNX.md): `Sum` of two, pass-through
/// `Identity` and `Dropout`, `Pad` before a `Conv` or `MaxPool`, PyTorch 1.x's dynamic flatten, an
/// NHWC input's `Transpose`, an `AveragePool` that covers the whole map.
struct ONNXGraphWalker {
    /// One convolution with what follows it: optional BatchNorm, optional Relu.
    struct ConvStep {
        let node: Int
        let weight: ONNXConstant
        let bias: ONNXConstant?
        let batchNorm: (tensors: [ONNXConstant], epsilon: Float)?
        let attributes: SourceWeights.ConvAttributes
        let relu: Bool
        /// The value after the last of Conv, BatchNormalization, Relu.
        let output: String
    }

    /// A residual block: main branch, projection shortcut (nil for identity), and its output.
    struct Block {
        let main: [ConvStep]
        let shortcut: ConvStep?
        /// The shortcut average-pools first (timm `avg_down`).
        let pooled: Bool
        /// The value after the `Relu` that follows the block's `Add`.
        let output: String
    }

    /// The convolutions on one side of a residual block, up to the `Add` they feed.
    struct Branch {
        let steps: [ConvStep]
        let pooled: Bool
        let add: Int
    }

    let graph: ONNXGraph
    /// The graph's nodes after `normalizeForms`: same indices as the file's, inputs seen through
    /// pass-through nodes, pads of a `Pad` merged into the node it feeds.
    var nodes: [ONNXNode]
    let initializers: [String: Tensor]
    /// Nodes whose operator stands for another one here (`Sum` of two is `Add`; a dynamic flatten's
    /// `Reshape` is `Flatten`); `op(_:)` answers with it, errors still name the file's operator.
    var forms: [Int: String] = [:]
    /// Graph outputs, seen through pass-through nodes.
    var outputNames: Set<String> = []
    /// Why a node was left as it is by `normalizeForms` (a Pad it could not merge); added to a refusal there.
    var notes: [Int: String] = [:]
    var producers: [String: Int] = [:]
    var consumers: [String: [Int]] = [:]
    var visited: Set<Int> = []
    var weights = SourceWeights(convention: .onnxGraph) { "\($0) (by its place in the graph)" }

    static func weights(_ graph: ONNXGraph, initializers: [NamedTensor]) throws(SchemaError) -> SourceWeights {
        var walker = ONNXGraphWalker(graph: graph, nodes: graph.nodes, initializers: Dictionary(
            initializers.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first }))
        try walker.refuseQuantized()
        // ONNX requires topological order: every input is a graph input, an initializer or an earlier
        // node's output. Checked first, so the rewrites below see every value's producer before its readers.
        var known = Set(graph.inputs.map(\.name)).union(walker.initializers.keys)
        for (i, node) in graph.nodes.enumerated() {
            guard node.outputs.first?.isEmpty == false else { throw walker.unsupported(i, "it has no output") }
            if let input = node.inputs.first(where: { !$0.isEmpty && !known.contains($0) }) {
                throw walker.unsupported(i, "it reads '\(input)', which no earlier node, initializer or graph input "
                    + "provides (ONNX nodes are in topological order)")
            }
            for output in node.outputs where !output.isEmpty {
                walker.producers[output] = i
                known.insert(output)
            }
        }
        try walker.normalizeForms()
        for (i, node) in walker.nodes.enumerated() where !walker.visited.contains(i) {
            for input in Set(node.inputs) where !input.isEmpty { walker.consumers[input, default: []].append(i) }
        }
        walker.weights.batchNormRequired = false
        try walker.walk()
        return walker.weights
    }

    /// Operators of graphs that are already quantized (onnxruntime's QDQ and QOperator formats).
    static let quantizedOps: Set<String> = [
        "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv", "QLinearMatMul", "ConvInteger",
        "MatMulInteger", "QLinearAdd", "QLinearGlobalAveragePool",
    ]

    /// An already quantized graph is refused before anything else looks at its nodes.
    private func refuseQuantized() throws(SchemaError) {
        let quantized = graph.nodes.filter { Self.quantizedOps.contains($0.opType) }
        if let first = quantized.first {
            throw .notAResNet("the graph is already quantized (\(quantized.count) quantization nodes, the first "
                + "\(first.opType) '\(first.name)'); convert the float model it was made from")
        }
    }

    private mutating func walk() throws(SchemaError) {
        let inputs = graph.inputs.filter { initializers[$0.name] == nil }
        guard inputs.count == 1 else {
            throw .notAResNet("the graph has \(inputs.count) inputs that are not weights; a ResNet has one image input")
        }
        var x = try stem(from: imageInput(inputs[0].name))
        var stage = 0, block = 0
        while !isHead(x) {
            let found = try residualBlock(from: x)
            // A projection shortcut starts a stage; only stage 1 may start without one.
            if stage == 0 || found.shortcut != nil { (stage, block) = (stage + 1, 0) } else { block += 1 }
            try record(found, path: CanonicalPath.block(stage, block))
            x = found.output
        }
        guard stage > 0 else {
            throw .notAResNet("the stem is followed directly by the classifier: there are no residual blocks")
        }
        try head(from: x)
        for (i, node) in nodes.enumerated() where !visited.contains(i) && node.opType != "Constant" {
            throw unsupported(i, "it is not on the ResNet's path from the input to the logits")
        }
    }

    /// Stem convolutions up to and including the 3×3/2 max-pool; returns the pool's output.
    private mutating func stem(from input: String) throws(SchemaError) -> String {
        var x = input, count = 0
        while let users = consumers[x], users.count == 1, op(users[0]) == "Conv" {
            let step = try convStep(at: users[0])
            guard step.relu else { throw unsupported(step.node, "a stem convolution must be followed by Relu") }
            count += 1
            try record(step, CanonicalPath.stem(count))
            x = step.output
        }
        guard count > 0 else {
            if let users = consumers[x], users.count == 1 {
                throw unsupported(users[0], "expected the stem's first convolution (Conv) after the graph input")
            }
            throw .notAResNet("the graph input '\(input)' does not go into a single convolution")
        }
        let pool = try soleConsumer(of: x)
        guard op(pool) == "MaxPool" else { throw unsupported(pool, "expected the stem's MaxPool after its convolutions") }
        try expect(pool, ["kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "dilations": [1, 1], "ceil_mode": [0]],
                   defaults: ["pads": [0, 0, 0, 0], "dilations": [1, 1], "ceil_mode": [0], "strides": [1, 1]],
                   "a 3×3 stride-2 pad-1 max-pool")
        visited.insert(pool)
        return nodes[pool].outputs[0]
    }

    /// The residual block whose input is `x`.
    private mutating func residualBlock(from x: String) throws(SchemaError) -> Block {
        let users = consumers[x] ?? []
        guard users.count == 2 else {
            if users.count == 1 {
                throw unsupported(users[0], "expected the head's global average pool here, or a residual block: "
                    + "a value read by two nodes (a main branch and a shortcut); '\(x)' is read by this node only")
            }
            throw unsupported(producers[x], users.isEmpty ? "the graph stops here, before the classifier"
                : "a block input feeds a main branch and a shortcut (2 nodes); '\(x)' feeds \(users.count): "
                    + describe(users))
        }
        var branches: [Branch] = []
        for user in users where op(user) != "Add" { branches.append(try branch(from: user)) }
        guard !branches.isEmpty else { throw unsupported(users[0], "a block input goes straight into two Adds") }
        let add: Int
        let main: Branch, shortcut: Branch?
        if branches.count == 1 {
            (main, shortcut, add) = (branches[0], nil, branches[0].add)
            guard users.contains(add) else { throw unsupported(add, "the main branch does not end at the block's Add") }
        } else {
            let sorted = branches.sorted { $0.steps.count > $1.steps.count }
            (main, shortcut, add) = (sorted[0], sorted[1], sorted[0].add)
            guard sorted[1].add == add, sorted[1].steps.count == 1 else {
                throw unsupported(sorted[1].steps.first?.node ?? add,
                                  "a projection shortcut must be one convolution into the block's Add")
            }
        }
        guard main.steps.count >= 2, !main.pooled else {
            throw unsupported(add, "its main branch has \(main.steps.count) convolutions; a block's has 2 or 3")
        }
        for (k, step) in main.steps.enumerated() where step.relu != (k < main.steps.count - 1) {
            throw unsupported(step.node, "in a block every convolution but the last is followed by Relu")
        }
        if let step = shortcut?.steps[0], step.relu {
            throw unsupported(step.node, "a shortcut convolution must not be followed by Relu")
        }
        visited.insert(add)
        let relu = try soleConsumer(of: nodes[add].outputs[0])
        guard op(relu) == "Relu" else { throw unsupported(relu, "expected Relu after the block's Add") }
        visited.insert(relu)
        return Block(main: main.steps, shortcut: shortcut?.steps[0], pooled: shortcut?.pooled ?? false,
                     output: nodes[relu].outputs[0])
    }

    /// Follows one side of a block from its first node to the `Add`.
    private mutating func branch(from first: Int) throws(SchemaError) -> Branch {
        var i = first, pooled = false, steps: [ConvStep] = []
        if op(i) == "AveragePool" {
            try expect(i, ["kernel_shape": [2, 2], "strides": [2, 2], "pads": [0, 0, 0, 0], "ceil_mode": [1],
                           "count_include_pad": [0], "dilations": [1, 1]],
                       defaults: ["pads": [0, 0, 0, 0], "ceil_mode": [0], "count_include_pad": [0], "strides": [1, 1],
                                  "dilations": [1, 1]],
                       "timm's avg_down pool: 2×2, stride 2, ceil_mode 1, count_include_pad 0")
            visited.insert(i)
            pooled = true
            i = try soleConsumer(of: nodes[i].outputs[0])
        }
        while op(i) != "Add" {
            guard op(i) == "Conv" else {
                throw unsupported(i, "expected Conv, BatchNormalization, Relu or Add inside a residual block")
            }
            let step = try convStep(at: i)
            steps.append(step)
            i = try soleConsumer(of: step.output)
        }
        guard !steps.isEmpty else { throw unsupported(i, "the shortcut pools but has no convolution") }
        return Branch(steps: steps, pooled: pooled, add: i)
    }
}
