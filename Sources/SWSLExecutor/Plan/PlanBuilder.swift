import SWSLNetwork

/// Lays out the canonical ResNet as plan steps, checking channel counts as it goes.
struct PlanBuilder {
    private(set) var steps: [PlanStep] = []
    /// Channels of each value; value 0 is the input.
    private(set) var channels: [Int]

    init(inputChannels: Int) {
        channels = [inputChannels]
    }

    /// The ResNet: stem convolutions (each with ReLU), 3×3/2 max pool, the residual blocks, global
    /// average pool, classifier. With `avgDown`, a strided block's shortcut average-pools first.
    static func resnet(inputChannels: Int, backbone: Backbone<ConvLayer>, avgDown: Bool,
                       fc: ConvLayer) throws(PlanError) -> PlanBuilder {
        guard !backbone.stem.isEmpty else { throw .invalidTopology("no stem convolution") }
        guard !backbone.stages.isEmpty, backbone.stages.allSatisfy({ !$0.isEmpty }) else {
            throw .invalidTopology("an empty stage")
        }
        var builder = PlanBuilder(inputChannels: inputChannels)
        var x = 0
        for layer in backbone.stem { x = try builder.conv(layer, input: x) }
        x = builder.append(channels: builder.channels[x]) { .maxPool(kernel: 3, stride: 2, padding: 1, input: x, output: $0) }
        for block in backbone.blocks { x = try builder.block(block, input: x, avgDown: avgDown) }
        let pooled = builder.append(channels: builder.channels[x]) { .globalAveragePool(input: x, output: $0) }
        try builder.expect(fc, input: pooled)
        _ = builder.append(channels: fc.outChannels) { .linear(fc, input: pooled, output: $0) }
        return builder
    }

    /// One residual block; returns its output value.
    private mutating func block(_ block: Backbone<ConvLayer>.Block, input: Int, avgDown: Bool) throws(PlanError) -> Int {
        guard block.convs.count >= 1 else { throw .invalidTopology("a block without convolutions") }
        var shortcut = input
        if let projection = block.downsample {
            var source = input
            if avgDown && block.stride > 1 {
                source = append(channels: channels[input]) {
                    .averagePool(kernel: block.stride, stride: block.stride, input: input, output: $0)
                }
            }
            shortcut = try conv(projection, input: source)
        }
        var x = input
        for layer in block.convs.dropLast() { x = try conv(layer, input: x) }
        return try conv(block.convs[block.convs.count - 1], input: x, residual: shortcut)
    }

    /// A convolution step; returns its output value.
    private mutating func conv(_ layer: ConvLayer, input: Int, residual: Int? = nil) throws(PlanError) -> Int {
        try expect(layer, input: input)
        if let residual, channels[residual] != layer.outChannels {
            throw .shapeMismatch(layer: layer.name, what: "shortcut channels", expected: "\(layer.outChannels)",
                                 actual: "\(channels[residual])")
        }
        return append(channels: layer.outChannels) { .conv(layer, input: input, residual: residual, output: $0) }
    }

    private func expect(_ layer: ConvLayer, input: Int) throws(PlanError) {
        guard channels[input] == layer.inChannels else {
            throw .shapeMismatch(layer: layer.name, what: "input channels", expected: "\(layer.inChannels)",
                                 actual: "\(channels[input])")
        }
    }

    private mutating func append(channels count: Int, _ make: (Int) -> PlanStep) -> Int {
        let value = channels.count
        channels.append(count)
        steps.append(make(value))
        return value
    }
}
