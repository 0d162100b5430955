/// A residual block with folded convolutions: 2 (basic) or 3 (bottleneck) convolutions, ReLU after
/// each but the last, the shortcut added before the last ReLU.
public struct FoldedBlock: Sendable {
    /// The main path, in order.
    public let convs: [FoldedConv]
    /// The projection shortcut; nil for identity. With the architecture's `avgDown` it follows an
    /// average pool of the block's stride.
    public let downsample: FoldedConv?
    /// The block's stride (1 or 2).
    public let stride: Int

    /// A block; shapes are checked when a plan is built.
    public init(convs: [FoldedConv], downsample: FoldedConv?, stride: Int) {
        self.convs = convs
        self.downsample = downsample
        self.stride = stride
    }
}
