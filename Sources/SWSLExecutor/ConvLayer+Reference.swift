import SWSLCore
import SWSLSchema

extension ConvLayer {
    /// The float reference of a canonical convolution: weights as the source has them (as float32),
    /// the convolution's own bias, then BatchNorm as PyTorch evaluates it on the CPU:
    /// `alpha = weight × (1 / sqrt(running_var + eps))`, `beta = bias − running_mean × alpha`,
    /// `y = x × alpha + beta`, all in float32 with each operation rounded.
    init(reference unit: ConvUnit, relu: Bool) throws(PlanError) {
        let name = unit.path
        let shape = unit.weight.shape
        guard shape.count == 4, shape[2] == shape[3] else {
            throw .shapeMismatch(layer: name, what: "weight shape", expected: "[out, in/groups, k, k]",
                                 actual: "\(shape)")
        }
        try ConvLayer.validate(name: name, inChannels: unit.inChannels, outChannels: unit.outChannels,
                               kernel: unit.kernel, stride: unit.stride, padding: unit.padding, groups: unit.groups)
        guard unit.weight.dtype.isFloatingPoint else {
            throw .unsupportedType(layer: name, dtype: unit.weight.dtype)
        }
        let out = unit.outChannels
        let bias = try unit.bias.map { (tensor: Tensor) throws(PlanError) -> [Float] in
            try ConvLayer.vector(tensor, count: out, layer: name, what: "bias")
        }
        var preBias: [Float]?
        var scale: [Float]?
        var postBias: [Float]?
        if let bn = unit.batchNorm {
            let (alpha, beta) = try ConvLayer.batchNormTerms(bn, count: out, layer: name)
            (preBias, scale, postBias) = (bias, alpha, beta)
        } else {
            postBias = bias
        }
        self.init(
            name: name, inChannels: unit.inChannels, outChannels: out, kernel: unit.kernel,
            stride: unit.stride, padding: unit.padding, groups: unit.groups,
            weights: PackedWeights(floats: unit.weight.floats(), outChannels: out, groups: unit.groups),
            preBias: preBias.map(AlignedFloats.init), scale: scale.map(AlignedFloats.init),
            postBias: postBias.map(AlignedFloats.init), relu: relu)
    }

    /// The reference classifier: `[classes, features]` float weights and a bias.
    init(referenceLinear weight: Tensor, bias: Tensor, name: String) throws(PlanError) {
        guard weight.shape.count == 2, weight.dtype.isFloatingPoint else {
            throw .shapeMismatch(layer: name, what: "weight shape", expected: "[classes, features]",
                                 actual: "\(weight.shape) \(weight.dtype.rawValue)")
        }
        let (classes, features) = (weight.shape[0], weight.shape[1])
        try ConvLayer.validate(name: name, inChannels: features, outChannels: classes, kernel: 1, stride: 1,
                               padding: 0, groups: 1)
        let bias = try ConvLayer.vector(bias, count: classes, layer: name, what: "bias")
        self.init(
            name: name, inChannels: features, outChannels: classes, kernel: 1, stride: 1, padding: 0, groups: 1,
            weights: PackedWeights(floats: weight.floats(), outChannels: classes, groups: 1),
            preBias: nil, scale: nil, postBias: AlignedFloats(bias), relu: false)
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
}
