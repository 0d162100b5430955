import SWSLNetwork
extension ExecutionPlan {
    /// A ResNet plan from layer specs: the backbone's stem convolutions (each with ReLU), a 3×3/2
    /// max pool, its residual blocks, global average pooling and `fc`, the classifier as a 1×1 convolution
    /// with `inChannels` features and `outChannels` classes. Weights are float32, float16 or int8
    /// (int8 with per-output-channel scales), plain or pre-packed (`PackedWeightLayout`, used in
    /// place). With `avgDown`, a strided block's shortcut average-pools first (ResNet-D). `int8`
    /// picks how int8 weights are multiplied (the classifier always uses float arithmetic; with integer
    /// arithmetic the first stem convolution quantizes its signed input with a zero point).
    public init(backbone: Backbone<LayerSpec>, fc: LayerSpec, avgDown: Bool = false,
                int8: Int8Arithmetic = .integer) throws(PlanError) {
        let integer = int8.isInteger
        let layers = try backbone.map { (conv, role) throws(PlanError) in
            try ConvLayer(spec: conv, relu: role != .shortcut, integer: integer, signedInput: role == .stem(index: 0),
                          levels: int8.activationLevels)
        }
        guard fc.kernel == 1, fc.groups == 1 else {
            throw .invalidGeometry(layer: fc.name, reason: "the classifier must be a 1×1 convolution without groups")
        }
        let classifier = try ConvLayer(spec: fc, relu: false)
        let builder = try PlanBuilder.resnet(inputChannels: backbone.stem.first?.inChannels ?? 0, backbone: layers,
                                             avgDown: avgDown, fc: classifier)
        self.init(builder: builder)
    }
}
