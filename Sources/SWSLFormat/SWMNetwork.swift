import SWSLCore
import SWSLNetwork

/// One layer of a `.swm` as its architecture places it, rule 14 checked: the stored weights
/// (plain or packed, viewing the file's bytes), their per-channel scales, the bias and any
/// calibrated input scale.
public struct SWMLayer: Sendable {
    /// The layer's canonical path (`stem.conv1`, `stage2.block0.downsample.conv`, `fc`).
    public let name: String
    /// `P.weight`: C-order `[out, in / groups, k, k]` (`[classes, features]` for the classifier), or
    /// 1-D in `PackedWeightLayout` when `packed`; float32, float16 or int8.
    public let weights: Tensor
    /// The weights are in `PackedWeightLayout` (the file's `packed-v1` layout).
    public let packed: Bool
    /// `P.weight_scale`, one per output channel (a per-tensor scale repeated); int8 weights only.
    public let scales: [Float]?
    /// `P.bias`, float32, one per output channel.
    public let bias: [Float]
    /// `P.input_scale`, the calibrated step of the layer's 8-bit input; nil when the file has none.
    public let inputScale: Float?
    /// Output channels (classes for the classifier).
    public let outChannels: Int
    /// Input channels over all groups (features for the classifier).
    public let inChannels: Int
    /// Square kernel side (1 for the classifier).
    public let kernel: Int
    /// Stride in both directions.
    public let stride: Int
    /// Zero padding on every side.
    public let padding: Int
    /// Convolution groups.
    public let groups: Int
}

/// The network a `.swm` stores: its architecture's backbone and classifier, each layer's tensors
/// checked against the shapes the architecture implies (Formats/SWM.md, rule 14).
public struct SWMNetwork: Sendable {
    /// The architecture from the metadata.
    public let architecture: ResNetArchitecture
    /// Stem and residual blocks, laid out as `ResNetLayout(architecture)`.
    public let backbone: Backbone<SWMLayer>
    /// The classifier `fc`: `[classes, features]`.
    public let classifier: SWMLayer

    /// The network of a file being opened (`SWMFile.network` holds it).
    init(_ architecture: ResNetArchitecture, _ directory: SWMDirectory) throws(SWMError) {
        try Self.checkCount(architecture, tensors: directory.entries.count)
        try self.init(architecture, Source(directory))
    }

    /// The network of a conversion's tensors before they are written, checked as a file's would be;
    /// errors carry the tensor names.
    public init(architecture: ResNetArchitecture, tensors: [SWMTensor]) throws(SWMError) {
        try Self.checkCount(architecture, tensors: tensors.count)
        try self.init(architecture, Source(tensors))
    }

    /// Every convolution needs a weight and a bias: an architecture that implies more tensors than the file has is
    /// refused from its numbers alone, before its layout is built (a few bytes of metadata can ask for 2^18 blocks).
    private static func checkCount(_ a: ResNetArchitecture, tensors: Int) throws(SWMError) {
        let implied = 2 * (a.leastConvolutionCount + 1)  // + the classifier
        guard implied <= tensors else {
            throw .tooFewTensors(blocks: a.layers.reduce(0, +), implied: implied, present: tensors)
        }
    }

    private init(_ architecture: ResNetArchitecture, _ source: Source) throws(SWMError) {
        self.architecture = architecture
        backbone = try ResNetLayout(architecture).map { (c) throws(SWMError) in
            try Self.layer(source, path: c.conv, shape: c.shape, groups: c.groups, stride: c.stride, padding: c.padding)
        }
        classifier = try Self.layer(source, path: CanonicalPath.classifier,
                                    shape: [architecture.numClasses, architecture.widths.last ?? 0], groups: 1, stride: 1, padding: 0)
    }

    /// One tensor as rule 14 reads it: directory facts, the bytes as a tensor, float32 values.
    private struct Item {
        let name: String
        let dtype: SWMDType
        let layout: SWMLayout
        let shape: [Int]
        let tensor: () -> Tensor
        let floats: () -> [Float]
        let scale: () -> Item?
    }

    /// Tensors by name: a mapped file's entries, or a conversion's tensors.
    private struct Source {
        let item: (String) -> Item?

        init(_ directory: SWMDirectory) {
            func item(_ e: SWMEntry) -> Item {
                Item(name: e.name, dtype: e.dtype, layout: e.layout, shape: e.shape, tensor: { directory.tensor(e) },
                     floats: { directory.floats(e) }, scale: { directory.scale(of: e).map(item) })
            }
            self.item = { name in directory.entry(name).map(item) }
        }

        init(_ tensors: [SWMTensor]) {
            var byName: [String: SWMTensor] = [:]
            for t in tensors { byName[t.name] = t }
            func item(_ t: SWMTensor) -> Item {
                Item(name: t.name, dtype: t.dtype, layout: t.layout, shape: t.shape,
                     tensor: { try! Tensor(dtype: t.dtype.tensorType, shape: t.shape, storage: t.storage) },
                     floats: { t.bytes.withMemoryRebound(to: Float.self) { Array($0) } },
                     scale: { t.scaleName.flatMap { byName[$0] }.map(item) })
            }
            self.item = { [byName] name in byName[name].map(item) }
        }
    }

    /// `path`'s weight, scale, bias and input scale, each checked against `shape` (rule 14).
    private static func layer(_ source: Source, path: String, shape: [Int], groups: Int, stride: Int,
                              padding: Int) throws(SWMError) -> SWMLayer {
        guard let w = source.item("\(path).weight") else { throw .missingTensor("\(path).weight") }
        guard let b = source.item("\(path).bias") else { throw .missingTensor("\(path).bias") }
        let out = shape[0]
        switch w.layout {
        case .packed:
            // Sizes from the metadata, unbounded by the file until compared with it: counted without overflow.
            var reduction: Int? = 1
            for d in shape.dropFirst() { reduction = reduction.flatMap { r in r.multipliedReportingOverflow(by: d).overflow ? nil : r * d } }
            let count = reduction.flatMap { PackedWeightLayout.checkedElementCount(outChannels: out, groups: groups, reductionSize: $0) }
            guard let count, w.shape == [count] else {
                throw .badEntry(w.name, "packed weights hold \(w.shape), the architecture implies \(count.map { "[\($0)]" } ?? "more than can be counted")",
                                rule: 14)
            }
        case .oihw, .plain:
            guard w.shape == shape else { throw .badEntry(w.name, "shape \(w.shape), the architecture implies \(shape)", rule: 14) }
        }
        guard b.dtype == .float32, b.shape == [out] else { throw .badEntry(b.name, "must be float32 [\(out)]", rule: 14) }
        var scales: [Float]?
        if w.dtype == .int8 {
            guard let s = w.scale() else { throw .badEntry(w.name, "int8 weights without a scale tensor", rule: 14) }
            let values = s.floats()
            guard values.count == out || values.count == 1 else {
                throw .badEntry(s.name, "holds \(values.count) scales, the architecture implies \(out) (or 1)", rule: 14)
            }
            scales = values.count == out ? values : [Float](repeating: values[0], count: out)
        }
        var inputScale: Float?
        if let e = source.item("\(path).input_scale") {
            guard e.dtype == .float32, e.shape == [1] else { throw .badEntry(e.name, "must be float32 [1]", rule: 14) }
            let value = e.floats()[0]
            guard value > 0, value.isFinite else { throw .badEntry(e.name, "must be a positive number, holds \(value)", rule: 14) }
            inputScale = value
        }
        return SWMLayer(name: path, weights: w.tensor(), packed: w.layout == .packed, scales: scales, bias: b.floats(),
                        inputScale: inputScale, outChannels: out, inChannels: shape[1] * groups,
                        kernel: shape.count == 4 ? shape[2] : 1, stride: stride, padding: padding, groups: groups)
    }
}
