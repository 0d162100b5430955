extension ExecutionPlan {
    /// A ResNet plan from layer specs: the stem convolutions (each with ReLU), a 3×3/2 max pool,
    /// the residual blocks, global average pooling and `fc`, the classifier as a 1×1 convolution
    /// with `inChannels` features and `outChannels` classes. Weights are float32, float16 or int8
    /// (int8 with per-output-channel scales), plain or pre-packed (`PackedWeightLayout`, used in
    /// place). With `avgDown`, a strided block's shortcut average-pools first (ResNet-D). `int8`
    /// picks how int8 weights are multiplied (the classifier always uses float arithmetic; with integer
    /// arithmetic the first stem convolution quantizes its signed input with a zero point).
    public init(stem: [FoldedConv], stages: [[FoldedBlock]], fc: FoldedConv, avgDown: Bool = false,
                int8: Int8Arithmetic = .integer) throws(PlanError) {
        let integer = int8.isInteger
        let stemLayers = try stem.enumerated().map { (index, conv) throws(PlanError) in
            try ConvLayer(folded: conv, relu: true, integer: integer, signedInput: index == 0, levels: int8.activationLevels)
        }
        var stageLayers: [[BlockLayers]] = []
        for blocks in stages {
            var layers: [BlockLayers] = []
            for block in blocks {
                let convs = try block.convs.map { (conv) throws(PlanError) in
                    try ConvLayer(folded: conv, relu: true, integer: integer, levels: int8.activationLevels)
                }
                let downsample = try block.downsample.map { (conv) throws(PlanError) in
                    try ConvLayer(folded: conv, relu: false, integer: integer, levels: int8.activationLevels)
                }
                layers.append(BlockLayers(convs: convs, downsample: downsample, stride: block.stride))
            }
            stageLayers.append(layers)
        }
        guard fc.kernel == 1, fc.groups == 1 else {
            throw .invalidGeometry(layer: fc.name, reason: "the classifier must be a 1×1 convolution without groups")
        }
        let classifier = try ConvLayer(folded: fc, relu: false)
        let builder = try PlanBuilder.resnet(
            inputChannels: stem.first?.inChannels ?? 0, stem: stemLayers,
            stages: stageLayers, avgDown: avgDown, fc: classifier)
        self.init(builder: builder)
    }
}
