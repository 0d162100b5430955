import SWSLFormat
import SWSLNetwork

extension ExecutionPlan {
    /// The plan of a `.swm` network (its tensors checked against the architecture, rule 14): weights
    /// used in place, packed ones without a copy. `int8` picks how int8 weights run; with `.dynamic`
    /// activations the stored `P.input_scale`s are left unused.
    public init(_ network: SWMNetwork, int8: Int8Mode = Int8Mode()) throws(PlanError) {
        let calibrated = int8.activations == .calibrated
        func spec(_ layer: SWMLayer) -> LayerSpec {
            LayerSpec(name: layer.name, weights: layer.packed ? .packed(layer.weights) : .plain(layer.weights),
                       scales: layer.scales, bias: layer.bias, inChannels: layer.inChannels, outChannels: layer.outChannels,
                       kernel: layer.kernel, stride: layer.stride, padding: layer.padding, groups: layer.groups,
                       activationScale: calibrated ? layer.inputScale : nil)
        }
        try self.init(backbone: network.backbone.map(spec), fc: spec(network.classifier),
                      avgDown: network.architecture.avgDown, int8: int8.arithmetic)
    }
}
