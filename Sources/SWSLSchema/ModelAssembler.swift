import SWSLCore
import SWSLNetwork

/// Builds the canonical model from canonical-named tensors and the architecture inferred from
/// them: every tensor the layout implies must be there with its exact shape, and nothing else.
struct ModelAssembler {
    private let weights: SourceWeights
    private var used: Set<String> = []

    static func assemble(_ weights: SourceWeights, _ architecture: ResNetArchitecture) throws(SchemaError) -> CanonicalModel {
        var assembler = ModelAssembler(weights: weights)
        return try assembler.model(architecture)
    }

    private init(weights: SourceWeights) { self.weights = weights }

    private mutating func model(_ a: ResNetArchitecture) throws(SchemaError) -> CanonicalModel {
        let layout = ResNetLayout(a)
        let backbone = try layout.map { (conv) throws(SchemaError) in try unit(conv) }
        for block in layout.blocks { try checkShortcut(block, a) }
        let classes = a.numClasses
        let fcWeight = try required("fc.weight", shape: [classes, a.widths.last ?? 0])
        let fcBias = try required("fc.bias", shape: [classes])
        if let extra = weights.entries.first(where: { !used.contains($0.canonical) }) {
            throw .unexpectedTensor(extra.source)
        }
        var model = CanonicalModel(architecture: a, convention: weights.convention, backbone: backbone,
                                   fcWeight: fcWeight, fcBias: fcBias)
        if weights.convention == .onnxGraph {
            model.graph = .init(inputLayout: weights.graphInputLayout ?? "NCHW", output: weights.graphOutput ?? "logits",
                                fixedInputSize: weights.fixedInputSize)
        }
        return model
    }

    /// A shortcut the layout has no place for is refused by name (stage 1's first block: ambiguous);
    /// an ONNX graph's shortcuts must all have, or all lack, the average pool the architecture implies.
    private func checkShortcut(_ block: ResNetLayout.Block, _ a: ResNetArchitecture) throws(SchemaError) {
        let projection = "\(block.path).downsample.conv.weight"
        guard let downsample = block.downsample else {
            if let entry = weights[projection] {
                guard block.path == "stage1.block0" else { throw .unexpectedTensor(entry.source) }
                throw .ambiguous("'\(entry.source)' is a projection shortcut in stage 1's first block although its input and "
                    + "output both have \(a.widths[0]) channels; sources add one there only for a stride of 2, which the "
                    + "weights cannot show, so stride 1 or 2 would be a guess")
            }
            return
        }
        if weights.convention == .onnxGraph, weights.pooledShortcuts.contains(block.path) != (a.avgDown && block.stride > 1) {
            throw .unsupportedNode(name: weights.convAttributes[downsample.conv]?.node ?? projection, opType: "Conv",
                                   why: "its shortcut \(a.avgDown ? "lacks" : "has") the average pool that the other shortcuts "
                                       + "\(a.avgDown ? "have" : "lack")")
        }
    }

    /// A convolution with its optional bias and BatchNorm; ONNX attributes must match the layout.
    private mutating func unit(_ conv: ConvGeometry) throws(SchemaError) -> ConvUnit {
        let weight = try required(conv.conv + ".weight", shape: conv.shape)
        let bias = try optional(conv.conv + ".bias", shape: [conv.shape[0]])
        let batchNorm = try self.batchNorm(conv.bn, channels: conv.shape[0])
        if let node = weights.convAttributes[conv.conv],
           (node.stride, node.padding, node.groups) != (conv.stride, conv.padding, conv.groups) {
            let why = "stride \(node.stride), padding \(node.padding), \(node.groups) groups; as \(conv.conv) of this ResNet it "
                + "must have stride \(conv.stride), padding \(conv.padding), \(conv.groups) groups"
            if let pickledClass = node.pickledClass {
                throw .notCovered("\(PickledModuleCheck.owner(pickledClass))'s '\(node.node)' (\(pickledClass)) has " + why)
            }
            throw .unsupportedNode(name: node.node, opType: "Conv", why: why)
        }
        return ConvUnit(geometry: conv, weight: weight, bias: bias, batchNorm: batchNorm)
    }

    /// The four BatchNorm tensors; all absent is fine where the source folds BatchNorm (ONNX).
    private mutating func batchNorm(_ path: String, channels: Int) throws(SchemaError) -> BatchNormParameters? {
        let leaves = ["weight", "bias", "running_mean", "running_var"]
        if !weights.batchNormRequired, !leaves.contains(where: { weights["\(path).\($0)"] != nil }) { return nil }
        var tensors: [Tensor] = []
        for leaf in leaves { tensors.append(try required("\(path).\(leaf)", shape: [channels])) }
        return BatchNormParameters(weight: tensors[0], bias: tensors[1], runningMean: tensors[2], runningVar: tensors[3],
                                   epsilon: weights.epsilons[path] ?? 1e-5)
    }

    private mutating func required(_ canonical: String, shape: [Int]) throws(SchemaError) -> Tensor {
        guard let tensor = try optional(canonical, shape: shape) else { throw .missingTensor(weights.name(canonical)) }
        return tensor
    }

    private mutating func optional(_ canonical: String, shape: [Int]) throws(SchemaError) -> Tensor? {
        guard let entry = weights[canonical] else { return nil }
        guard entry.tensor.shape == shape else {
            throw .wrongShape(name: entry.source, expected: shape, actual: entry.tensor.shape)
        }
        guard entry.tensor.dtype.isFloatingPoint else { throw .notFloatingPoint(name: entry.source, dtype: entry.tensor.dtype) }
        used.insert(canonical)
        return entry.tensor
    }
}
