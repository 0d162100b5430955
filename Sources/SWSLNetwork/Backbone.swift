/// The shape every network of the family shares: a stem of convolutions, then stages of residual
/// blocks (Formats/resnet-schema.md, "The network the parameters describe"). Generic over what a
/// layer is at each step of the pipeline: its geometry (`ResNetLayout`), the checkpoint's tensors
/// (SWSLSchema's `ConvUnit`), a layer spec (SWSLExecutor's `LayerSpec`), a layer ready to run.
/// Each step turns one into the next with `map`; no code walks stem, stages and blocks by hand.
/// The classifier after the global average pool is not part of it: it has no place in the walk.
public struct Backbone<Layer> {
    /// One residual block: its main-branch layers and, where the stride is not 1 or the channels
    /// change, a projection shortcut.
    public struct Block {
        /// `stage{s}.block{b}` (`CanonicalPath.block`).
        public var path: String
        /// Main branch in order: 2 convolutions for basic blocks, 3 for bottlenecks; ReLU after
        /// each, the shortcut added before the last one's.
        public var convs: [Layer]
        /// The projection shortcut (`….downsample.conv`), nil for an identity shortcut. With the
        /// architecture's `avgDown` it follows an average pool of the block's stride.
        public var downsample: Layer?
        /// 2 for block 0 of stages 2…S, 1 for every other block.
        public var stride: Int

        /// A block; shapes are checked where its layers are used.
        public init(path: String, convs: [Layer], downsample: Layer?, stride: Int) {
            self.path = path
            self.convs = convs
            self.downsample = downsample
            self.stride = stride
        }
    }

    /// Where a layer sits, for steps that treat layers differently by place.
    public enum Role: Sendable, Equatable {
        /// Stem convolution `index` (from 0), followed by ReLU; index 0 reads the network's input.
        case stem(index: Int)
        /// Main-branch convolution `index` (from 0) of a block.
        case main(index: Int)
        /// A block's projection shortcut (no ReLU of its own).
        case shortcut
    }

    /// 1 (single) or 3 (deep, tiered) stem convolutions; then a 3×3 stride-2 max pool.
    public var stem: [Layer]
    /// `stages[s][b]`.
    public var stages: [[Block]]

    /// Stores the parts as given.
    public init(stem: [Layer], stages: [[Block]]) {
        self.stem = stem
        self.stages = stages
    }

    /// The same network with every layer transformed, in forward order (`layers`' order), with its place.
    public func map<T, E: Error>(_ transform: (Layer, Role) throws(E) -> T) throws(E) -> Backbone<T> {
        var stem: [T] = []
        for (i, layer) in self.stem.enumerated() { stem.append(try transform(layer, .stem(index: i))) }
        var stages: [[Backbone<T>.Block]] = []
        for blocks in self.stages {
            var stage: [Backbone<T>.Block] = []
            for block in blocks {
                var convs: [T] = []
                for (i, layer) in block.convs.enumerated() { convs.append(try transform(layer, .main(index: i))) }
                let downsample = try block.downsample.map { (layer) throws(E) in try transform(layer, .shortcut) }
                stage.append(.init(path: block.path, convs: convs, downsample: downsample, stride: block.stride))
            }
            stages.append(stage)
        }
        return Backbone<T>(stem: stem, stages: stages)
    }

    /// The same network with every layer transformed, in forward order.
    public func map<T, E: Error>(_ transform: (Layer) throws(E) -> T) throws(E) -> Backbone<T> {
        try map { (layer, _) throws(E) in try transform(layer) }
    }

    /// Every block, stage after stage.
    public var blocks: [Block] { stages.flatMap { $0 } }

    /// Every layer in forward order: the stem's, then each block's main branch and its shortcut.
    public var layers: [Layer] {
        stem + blocks.flatMap { $0.convs + ($0.downsample.map { [$0] } ?? []) }
    }
}

extension Backbone: Sendable where Layer: Sendable {}
extension Backbone.Block: Sendable where Layer: Sendable {}
