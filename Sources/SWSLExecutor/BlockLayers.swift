/// The convolutions of one residual block, ready to run.
struct BlockLayers: Sendable {
    let convs: [ConvLayer]
    let downsample: ConvLayer?
    let stride: Int
}
