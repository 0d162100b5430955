import SWSLCore
import SWSLFormat

extension ConvLayer {
    /// A folded convolution: its weights packed (or taken in place), `scales` as the epilogue's
    /// multipliers and `bias` added after them. With `integer`, int8 weights also get the integer
    /// kernels' layout (the input must be non-negative, or with `signedInput` is quantized with a zero point).
    init(spec conv: LayerSpec, relu: Bool, integer: Bool = false, signedInput: Bool = false,
         levels: Int = Kernels.activationLevels) throws(PlanError) {
        let name = conv.name
        try ConvLayer.validate(name: name, inChannels: conv.inChannels, outChannels: conv.outChannels,
                               kernel: conv.kernel, stride: conv.stride, padding: conv.padding, groups: conv.groups)
        let out = conv.outChannels
        let expectedCount = PackedWeightLayout.elementCount(
            outChannels: out, groups: conv.groups, reductionSize: conv.reductionSize)
        let packed: Tensor
        var quads: QuadWeights?
        switch conv.weights {
        case .plain(let tensor):
            let plainShape = [out, conv.inChannels / conv.groups, conv.kernel, conv.kernel]
            guard tensor.shape == plainShape || (conv.kernel == 1 && tensor.shape == [out, conv.inChannels]) else {
                throw .shapeMismatch(layer: name, what: "weight shape", expected: "\(plainShape)",
                                     actual: "\(tensor.shape)")
            }
            packed = try PackedWeightLayout.packing(tensor, groups: conv.groups, layer: name)
            if integer && tensor.dtype == .int8 {
                quads = QuadWeights.make(tensor, packed: false, outChannels: out, groups: conv.groups,
                                         inChannels: conv.inChannels, kernel: conv.kernel, rowSums: signedInput)
            }
            // The packed copy is the one the kernels read: a mapped source's pages are dropped behind it, so
            // a checkpoint run as the reference is resident once (packed), not twice (file pages and packed).
            tensor.storage.evict(tensor.bytes)
        case .packed(let tensor):
            guard PackedWeightLayout.supportedTypes.contains(tensor.dtype) else {
                throw .unsupportedType(layer: name, dtype: tensor.dtype)
            }
            guard tensor.elementCount == expectedCount else {
                throw .shapeMismatch(layer: name, what: "packed weight elements", expected: "\(expectedCount)",
                                     actual: "\(tensor.elementCount)")
            }
            packed = tensor
            if integer && tensor.dtype == .int8 {
                quads = QuadWeights.make(tensor, packed: true, outChannels: out, groups: conv.groups,
                                         inChannels: conv.inChannels, kernel: conv.kernel, rowSums: signedInput)
                // The integer kernels read the quads only: the file's pages are dropped (read again, unchanged, if
                // ever touched), so an int8 `.swm` is resident once.
                tensor.storage.evict(tensor.bytes)
            }
        }
        if packed.dtype == .int8 && conv.scales == nil { throw .missingScales(layer: name) }
        if let scales = conv.scales, scales.count != out {
            throw .shapeMismatch(layer: name, what: "scales", expected: "[\(out)]", actual: "[\(scales.count)]")
        }
        if let preBias = conv.preBias, preBias.count != out {
            throw .shapeMismatch(layer: name, what: "bias", expected: "[\(out)]", actual: "[\(preBias.count)]")
        }
        guard conv.bias.count == out else {
            throw .shapeMismatch(layer: name, what: "bias", expected: "[\(out)]", actual: "[\(conv.bias.count)]")
        }
        if let scale = conv.activationScale, !(scale > 0 && scale.isFinite) {
            throw .invalidGeometry(layer: name, reason: "activation scale \(scale) is not a positive number")
        }
        self.init(
            name: name, inChannels: conv.inChannels, outChannels: out, kernel: conv.kernel, stride: conv.stride,
            padding: conv.padding, groups: conv.groups, weights: PackedWeights(packed: packed), preBias: conv.preBias.map(AlignedFloats.init),
            scale: conv.scales.map(AlignedFloats.init), postBias: AlignedFloats(conv.bias), relu: relu,
            quadWeights: quads, activationMax: quads == nil ? nil : conv.activationScale.map { $0 * 255 },
            signedInput: signedInput && quads != nil, activationLevels: levels)
    }
}
