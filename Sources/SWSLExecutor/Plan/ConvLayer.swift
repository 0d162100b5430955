internal import CKernels

/// One convolution as the kernels run it: packed weights, geometry and the fused epilogue
/// `v = (sum + preBias) × scale + postBias (+ residual)`, then ReLU when `relu`.
struct ConvLayer: Sendable {
    /// The layer's canonical path (`stage2.block0.conv3`), for messages and observations.
    let name: String
    let inChannels: Int
    let outChannels: Int
    let kernel: Int
    let stride: Int
    let padding: Int
    let groups: Int
    let weights: PackedWeights
    let preBias: AlignedFloats?
    let scale: AlignedFloats?
    let postBias: AlignedFloats?
    let relu: Bool
    /// Set for integer arithmetic: the int8 weights in the integer kernels' layout.
    var quadWeights: QuadWeights? = nil
    /// For integer arithmetic: the calibrated upper end of the input's range; nil measures each input.
    var activationMax: Float? = nil
    /// For integer arithmetic: the input may be negative (the network's input, into the first stem
    /// convolution), so it is quantized with a zero point over its own range, measured on each image.
    var signedInput = false
    /// For integer arithmetic: the largest quantized activation (255, or 127 for `Int8Arithmetic.integer7Bit`).
    var activationLevels = Kernels.activationLevels

    /// Output rows per group.
    var rowsPerGroup: Int { outChannels / groups }

    /// Output height and width for an input of `height` × `width`.
    func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding - kernel) / stride + 1, (width + 2 * padding - kernel) / stride + 1)
    }

    /// True when the layer runs integer arithmetic.
    var isInteger: Bool { quadWeights != nil }

    /// The C descriptor for an input of `height` × `width`; `inputScale` > 0 selects integer arithmetic.
    func descriptor(height: Int, width: Int, kernels: KernelChoice, inputScale: Float = 0) -> swk_conv {
        let out = outputSize(height: height, width: width)
        var descriptor = swk_conv(
            in_channels: Int32(inChannels), in_height: Int32(height), in_width: Int32(width),
            out_channels: Int32(outChannels), out_height: Int32(out.height), out_width: Int32(out.width),
            kernel_h: Int32(kernel), kernel_w: Int32(kernel), stride: Int32(stride), padding: Int32(padding),
            groups: Int32(groups), weight_type: weights.weightType, weights: weights.pointer,
            pre_bias: preBias.map { UnsafePointer($0.base) }, scale: scale.map { UnsafePointer($0.base) },
            post_bias: postBias.map { UnsafePointer($0.base) }, relu: relu ? 1 : 0, isa: kernels.isa,
            input_scale: quadWeights == nil ? 0 : inputScale, quad_weights: quadWeights.map { UnsafePointer($0.pointer) },
            activation_levels: Int32(activationLevels), path: Int32(SWK_PATH_UNDECIDED.rawValue))
        swk_conv_choose_path(&descriptor)  // the path, decided once for every call on this descriptor
        return descriptor
    }

    /// Checks the geometry: positive sizes, channels divisible by groups.
    static func validate(name: String, inChannels: Int, outChannels: Int, kernel: Int, stride: Int,
                         padding: Int, groups: Int) throws(PlanError) {
        guard inChannels >= 1, outChannels >= 1, kernel >= 1, stride >= 1, padding >= 0, groups >= 1,
              inChannels % groups == 0, outChannels % groups == 0 else {
            throw .invalidGeometry(
                layer: name,
                reason: "in \(inChannels), out \(outChannels), kernel \(kernel), stride \(stride), "
                    + "padding \(padding), groups \(groups) is not a convolution")
        }
    }
}
