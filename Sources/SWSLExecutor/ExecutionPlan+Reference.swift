import SWSLSchema

extension ExecutionPlan {
    /// The float reference of a mapped checkpoint: weights as the source has them (converted to
    /// float32), each convolution's bias, then BatchNorm evaluated separately as PyTorch does in
    /// eval mode on the CPU (see `ConvLayer.batchNormTerms`). The yardstick `verify` compares against.
    public init(reference model: CanonicalModel) throws(PlanError) {
        let stem = try model.stem.map { (unit) throws(PlanError) in try ConvLayer(reference: unit, relu: true) }
        var stages: [[BlockLayers]] = []
        for blocks in model.stages {
            var layers: [BlockLayers] = []
            for block in blocks {
                let convs = try block.convs.map { (unit) throws(PlanError) in try ConvLayer(reference: unit, relu: true) }
                let downsample = try block.downsample.map { (unit) throws(PlanError) in
                    try ConvLayer(reference: unit, relu: false)
                }
                layers.append(BlockLayers(convs: convs, downsample: downsample, stride: block.stride))
            }
            stages.append(layers)
        }
        let fc = try ConvLayer(referenceLinear: model.fcWeight, bias: model.fcBias, name: "fc")
        let inputChannels = model.stem.first?.inChannels ?? model.architecture.inputChannels
        let builder = try PlanBuilder.resnet(inputChannels: inputChannels, stem: stem, stages: stages,
                                             avgDown: model.architecture.avgDown, fc: fc)
        self.init(architecture: model.architecture, builder: builder)
    }
}
