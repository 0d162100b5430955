import SWSLCore
import SWSLExecutor
import SWSLSchema
import SWSLNetwork

extension ExecutionPlan {
    /// The float reference of a mapped checkpoint: weights as the source has them (as float32), each
    /// convolution's bias, then BatchNorm evaluated separately as PyTorch does in eval mode on the
    /// CPU (`ReferenceLowering.batchNormTerms`). The yardstick `verify` compares against.
    public init(reference model: CanonicalModel) throws(PlanError) {
        let backbone = try model.backbone.map { (unit) throws(PlanError) in try ReferenceLowering.spec(unit) }
        let fc = try ReferenceLowering.classifier(weight: model.fcWeight, bias: model.fcBias)
        try self.init(backbone: backbone, fc: fc, avgDown: model.architecture.avgDown)
    }
}

/// Lowers a canonical model's layers into the executor's layer specs, unfolded.
enum ReferenceLowering {
    /// A canonical convolution: float32 weights, its own bias before BatchNorm's terms:
    /// `alpha = weight × (1 / sqrt(running_var + eps))`, `beta = bias − running_mean × alpha`,
    /// `y = (x + conv bias) × alpha + beta`, all in float32 with each operation rounded.
    static func spec(_ unit: ConvUnit) throws(PlanError) -> LayerSpec {
        let name = unit.path
        let shape = unit.weight.shape
        guard shape.count == 4, shape[2] == shape[3] else {
            throw .shapeMismatch(layer: name, what: "weight shape", expected: "[out, in/groups, k, k]", actual: "\(shape)")
        }
        guard unit.weight.dtype.isFloatingPoint else { throw .unsupportedType(layer: name, dtype: unit.weight.dtype) }
        let out = unit.outChannels
        let bias = try unit.bias.map { (tensor: Tensor) throws(PlanError) -> [Float] in
            try vector(tensor, count: out, layer: name, what: "bias")
        }
        var preBias: [Float]?
        var scales: [Float]?
        var postBias = bias ?? [Float](repeating: 0, count: out)
        if let bn = unit.batchNorm {
            let (alpha, beta) = try batchNormTerms(bn, count: out, layer: name)
            (preBias, scales, postBias) = (bias, alpha, beta)
        }
        return LayerSpec(name: name, weights: .plain(float32(unit.weight)), preBias: preBias, scales: scales,
                          bias: postBias, inChannels: unit.inChannels, outChannels: out, kernel: unit.kernel,
                          stride: unit.stride, padding: unit.padding, groups: unit.groups)
    }

    /// The reference classifier: `[classes, features]` float weights and a bias.
    static func classifier(weight: Tensor, bias: Tensor) throws(PlanError) -> LayerSpec {
        guard weight.shape.count == 2, weight.dtype.isFloatingPoint else {
            throw .shapeMismatch(layer: "fc", what: "weight shape", expected: "[classes, features]",
                                 actual: "\(weight.shape) \(weight.dtype.rawValue)")
        }
        let (classes, features) = (weight.shape[0], weight.shape[1])
        let values = try vector(bias, count: classes, layer: "fc", what: "bias")
        return LayerSpec(name: "fc", weights: .plain(float32(weight)), bias: values, inChannels: features,
                          outChannels: classes, kernel: 1)
    }

    /// PyTorch's per-channel BatchNorm terms (aten/src/ATen/native/cpu/batch_norm_kernel.cpp,
    /// `batch_norm_cpu_collect_linear_and_constant_terms`, eval mode).
    static func batchNormTerms(_ bn: BatchNormParameters, count: Int, layer: String) throws(PlanError)
        -> (alpha: [Float], beta: [Float]) {
        let weight = try vector(bn.weight, count: count, layer: layer, what: "batch norm weight")
        let bias = try vector(bn.bias, count: count, layer: layer, what: "batch norm bias")
        let mean = try vector(bn.runningMean, count: count, layer: layer, what: "running mean")
        let variance = try vector(bn.runningVar, count: count, layer: layer, what: "running var")
        var alpha = [Float](repeating: 0, count: count)
        var beta = [Float](repeating: 0, count: count)
        for c in 0..<count {
            let invstd: Float = 1 / (variance[c] + bn.epsilon).squareRoot()
            alpha[c] = invstd * weight[c]
            let shift: Float = mean[c] * alpha[c]
            beta[c] = bias[c] - shift
        }
        return (alpha, beta)
    }

    /// A 1-D float vector of `count` elements.
    static func vector(_ tensor: Tensor, count: Int, layer: String, what: String) throws(PlanError) -> [Float] {
        guard tensor.elementCount == count, tensor.shape.count <= 1 else {
            throw .shapeMismatch(layer: layer, what: what, expected: "[\(count)]", actual: "\(tensor.shape)")
        }
        return tensor.floats()
    }

    /// The tensor as float32 (itself when it already is).
    static func float32(_ tensor: Tensor) -> Tensor {
        if tensor.dtype == .float32 { return tensor }
        let values = tensor.floats()
        return try! Tensor(dtype: .float32, shape: tensor.shape, storage: values.withUnsafeBytes { ByteStorage.copying($0) })
    }
}
