import SWSLFormat
import SWSLNetwork

extension ExecutionPlan {
    /// The plan of a `.swm` network (its tensors checked against the architecture, rule 14): weights
    /// used in place, packed ones without a copy. `int8` picks how int8 weights run; `.dynamic`
    /// activations leave the stored `P.input_scale`s unused.
    public init(_ network: SWMNetwork, int8: Int8Arithmetic = .integer,
                activations: ActivationRanges = .calibrated) throws(PlanError) {
        let calibrated = activations == .calibrated
        func spec(_ layer: SWMLayer) -> FoldedConv {
            FoldedConv(name: layer.name, weights: layer.packed ? .packed(layer.weights) : .plain(layer.weights),
                       scales: layer.scales, bias: layer.bias, inChannels: layer.inChannels, outChannels: layer.outChannels,
                       kernel: layer.kernel, stride: layer.stride, padding: layer.padding, groups: layer.groups,
                       activationScale: calibrated ? layer.inputScale : nil)
        }
        try self.init(backbone: network.backbone.map(spec), fc: spec(network.classifier),
                      avgDown: network.architecture.avgDown, int8: int8)
    }
}
