internal import CTransform
import SWSLCore
import SWSLFormat
import SWSLSchema
import SWSLNetwork

/// How weights are laid out in the file.
public enum WeightLayout: String, Sendable, CaseIterable {
    /// `PackedWeightLayout` version 1, what the kernels read: a mapped file runs with no repacking.
    case packed
    /// PyTorch's C order `[out, in / groups, kh, kw]` (`[classes, features]` for fc), for other readers.
    case oihw
}

/// How to convert.
public struct ConversionOptions: Sendable {
    /// Dtype of the stored weights; biases and scales are float32 whatever it is.
    public var precision: Precision
    /// int8 only: one weight scale per output channel or one per tensor.
    public var granularity: WeightGranularity
    /// How each `P.weight` is stored; `.packed` (the default) runs from a mapped file as is.
    public var layout: WeightLayout
    /// Activation scales per layer input (canonical conv path → scale), from calibration.
    public var activationScales: [String: Float]
    /// Where the activation scales came from, for the metadata; nil when there are none.
    public var calibration: SWMMetadata.Quantization.Activations?
    /// int8 only: layers (canonical path) kept in float16 instead, each with the reason (`--precision auto`).
    public var floatLayers: [String: String] = [:]

    /// Defaults: int8 per-channel packed weights, no activation scales, not calibrated.
    public init(precision: Precision = .int8, granularity: WeightGranularity = .perChannel,
                layout: WeightLayout = .packed, activationScales: [String: Float] = [:], calibration: SWMMetadata.Quantization.Activations? = nil) {
        self.precision = precision
        self.granularity = granularity
        self.layout = layout
        self.activationScales = activationScales
        self.calibration = calibration
    }
}

/// Where a model came from, for the file's provenance.
public struct SourceInfo: Sendable {
    /// The source's file name without its folders (`provenance.source_file`).
    public var fileName: String
    /// Source size in bytes (`provenance.source_size`).
    public var size: Int
    /// Hex SHA-256 of the source (`provenance.source_sha256`).
    public var sha256: String
    /// The reader's format name (`pytorch-zip`, `pytorch-legacy`, `pytorch-tar`, `onnx`, `safetensors`).
    public var format: String
    /// Where the weights sat in the file's object (`state_dict`, `model`…); nil for a bare mapping.
    public var wrapper: String?
    /// A prefix every weight name carried (`module.`), as the reader reported it; nil when none.
    public var prefix: String?
    /// How images are prepared: ImageNet's, unless the source says otherwise (a hub folder's
    /// `pretrained_cfg`, an ONNX graph fixed to one input size).
    public var preprocessing: Preprocessing = .imageNet
    /// The optional provenance facts (official release, hub tag and license, ONNX graph interface).
    public var details = SWMMetadata.Provenance.Details()

    /// Stores the fields as given; `ConversionPipeline` fills them from the checkpoint and the file.
    public init(fileName: String, size: Int, sha256: String, format: String, wrapper: String?, prefix: String?) {
        self.fileName = fileName
        self.size = size
        self.sha256 = sha256
        self.format = format
        self.wrapper = wrapper
        self.prefix = prefix
    }
}

/// What a conversion produced: the tensors and metadata of the `.swm`, and quantization quality.
public struct Conversion: Sendable {
    /// The `.swm` tensors in file order, layer by layer: `P.weight`, for int8 `P.weight_scale`
    /// and any `P.input_scale`, then `P.bias`. Changed only by `setActivationScales`.
    public private(set) var tensors: [SWMTensor]
    /// The `.swm` metadata (Formats/SWM.md, "Metadata"); the pipeline rebuilds it once the source's
    /// SHA-256 is known, and adds the verification record when it ran one.
    public var metadata: SWMMetadata
    /// Weight SQNR per quantized tensor in dB (int8 only), in layer order.
    public let sqnr: [(String, Double)]

    /// The tensor with the lowest SQNR and that SQNR in dB; nil when nothing was quantized.
    public var worstSQNR: (String, Double)? { sqnr.min { $0.1 < $1.1 } }

    /// Stores calibrated activation scales (canonical conv path → `P.input_scale`) beside the int8
    /// weights they belong to, replacing any stored before. Paths without int8 weights are ignored.
    public mutating func setActivationScales(_ scales: [String: Float]) {
        var result: [SWMTensor] = []
        for t in tensors where !t.name.hasSuffix(".input_scale") {
            result.append(t)
            if t.name.hasSuffix(".weight_scale") {
                let path = String(t.name.dropLast(".weight_scale".count))
                if let a = scales[path] { result.append(SWMTensor(name: "\(path).input_scale", floats: [a], shape: [1])) }
            }
        }
        tensors = result
    }
}

/// Folds, quantizes and lays out a canonical model as `.swm` tensors.
public enum Converter {
    /// The converter's name and version, written to `provenance.converter` in every `.swm`.
    public static let version = "swsl-convert 0.1.0"

    /// Folds BatchNorm into every convolution and encodes every layer and `fc` in the requested
    /// precision and layout, in parallel and in memory (no file written); stores `options.activationScales`, if any.
    public static func convert(_ model: CanonicalModel, source: SourceInfo, options: ConversionOptions) -> Conversion {
        var layers: [Layer] = model.convolutions.map { conv in
            let path = conv.path
            let (scale, bias) = BatchNormFolding.factors(conv)
            return Layer(path: path, weight: conv.weight, foldScale: scale, bias: bias, groups: conv.groups,
                         plainLayout: .oihw, packed: options.layout == .packed)
        }
        layers.append(Layer(path: "fc", weight: model.fcWeight, foldScale: nil, bias: model.fcBias.floats(), groups: 1,
                            plainLayout: .plain, packed: options.layout == .packed))
        // Every converted weight goes into one buffer, each at a 64-byte boundary: one allocation
        // on huge pages instead of a page fault every 4 KiB of output.
        // A layer's precision: the file's, or float16 for the layers `floatLayers` keeps out of int8.
        func layerOptions(_ l: Layer) -> ConversionOptions {
            guard options.precision == .int8, options.floatLayers[l.path] != nil else { return options }
            var kept = options
            kept.precision = .fp16
            return kept
        }
        func dtype(_ l: Layer) -> SWMDType {
            let precision = layerOptions(l).precision
            return precision == .int8 ? .int8 : precision == .fp16 ? .float16 : .float32
        }
        var ranges: [Range<Int>] = []
        var total = 0
        for l in layers {
            let start = total
            total += l.storedShape.reduce(1, *) * dtype(l).byteSize
            ranges.append(start..<total)
            total = (total + 63) / 64 * 64
        }
        // Layers are independent: fold and quantize them on all cores, straight into the buffer.
        var encoded: [Encoded] = []
        let arena = ByteStorage.allocateLarge(count: total) { buffer in
            encoded = parallelMap(layers.count) { i in
                encode(layers[i], into: UnsafeMutableRawBufferPointer(rebasing: buffer[ranges[i]]), options: layerOptions(layers[i]))
            }
        }
        var tensors: [SWMTensor] = []
        var sqnr: [(String, Double)] = []
        for i in layers.indices {
            let (l, e) = (layers[i], encoded[i])
            tensors.append(SWMTensor(name: "\(l.path).weight", dtype: dtype(l), layout: l.layout, shape: l.storedShape,
                                     storage: arena.slice(ranges[i]),
                                     scaleName: e.scales == nil ? nil : "\(l.path).weight_scale", crc32: e.crc32))
            if let scales = e.scales {
                tensors.append(SWMTensor(name: "\(l.path).weight_scale", floats: scales, shape: [scales.count]))
            }
            tensors.append(SWMTensor(name: "\(l.path).bias", floats: l.bias, shape: [l.bias.count]))
            if let db = e.sqnr { sqnr.append(("\(l.path).weight", db)) }
        }
        var conversion = Conversion(tensors: tensors, metadata: metadata(model, source: source, options: options, sqnr: sqnr),
                                    sqnr: sqnr)
        if !options.activationScales.isEmpty { conversion.setActivationScales(options.activationScales) }
        return conversion
    }

    /// A layer to convert: its weight, the BatchNorm factor per output channel, the folded bias.
    struct Layer {
        let path: String
        let weight: Tensor
        let foldScale: [Double]?
        let bias: [Float]
        let groups: Int
        /// The layout code of the C-order weights (`oihw` for convolutions, `plain` for fc).
        let plainLayout: SWMLayout
        /// Stored in `PackedWeightLayout` instead of C order.
        let packed: Bool

        var layout: SWMLayout { packed ? .packed : plainLayout }
        var rows: Int { weight.shape.first ?? 1 }

        /// The directory shape: the weight's own, or the packed layout's element count.
        var storedShape: [Int] {
            guard packed, rows > 0 else { return weight.shape }
            return [PackedWeightLayout.elementCount(outChannels: rows, groups: groups, reductionSize: weight.elementCount / rows)]
        }
    }

    /// What encoding a layer's weight produced besides its bytes.
    struct Encoded {
        /// CRC-32 of the bytes written.
        let crc32: UInt32
        /// int8 only: one scale per output channel (or one per tensor), and the SQNR in dB.
        let scales: [Float]?
        let sqnr: Double?
    }

    /// Writes one layer's weight in the requested precision into `out` (exactly its size): folded
    /// and, for int8, quantized, in one pass, with no float copy of the layer. The source's file
    /// pages are evicted behind the pass, block by block (the conversion reads them once).
    static func encode(_ layer: Layer, into out: UnsafeMutableRawBufferPointer, options: ConversionOptions) -> Encoded {
        guard layer.packed, layer.rows > 0 else { return encodePlain(layer, into: out, options: options, checksum: true) }
        // Folded and quantized in C order into a scratch buffer, then packed into place.
        let plainBytes = layer.weight.elementCount * (out.count / max(1, layer.storedShape.reduce(1, *)))
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: max(plainBytes, 1), alignment: 64)
        defer { scratch.deallocate() }
        let plain = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<plainBytes])
        let encoded = encodePlain(layer, into: plain, options: options, checksum: false)
        PackedWeightLayout.pack(UnsafeRawBufferPointer(plain), elementSize: plainBytes / max(1, layer.weight.elementCount),
                                outChannels: layer.rows, groups: layer.groups, into: out)
        return Encoded(crc32: CRC32.checksum(UnsafeRawBufferPointer(out)), scales: encoded.scales, sqnr: encoded.sqnr)
    }

    /// `encode` in C order.
    private static func encodePlain(_ layer: Layer, into out: UnsafeMutableRawBufferPointer, options: ConversionOptions,
                                    checksum: Bool) -> Encoded {
        let weight = layer.weight
        let rows = weight.shape.first ?? 1
        let evict = { (done: UnsafeRawBufferPointer) in weight.storage.evict(done) }
        defer { evict(weight.bytes) }
        var scales: [Float]?
        var sqnr: Double?
        weight.withFloat32Bytes { src in
            switch options.precision {
            case .fp32:
                let dst = out.bindMemory(to: Float.self)
                swsl_fold_rows(src.baseAddress, rows, rows == 0 ? 0 : dst.count / rows, layer.foldScale, dst.baseAddress)
            case .fp16:
                toHalf(src, rows: rows, foldScale: layer.foldScale, into: out)
            case .int8:
                let q = Quantizer.quantize(src, rows: rows, foldScale: layer.foldScale, granularity: options.granularity,
                                           into: out.bindMemory(to: Int8.self), blockBytes: evictionBlock, afterBlock: evict)
                (scales, sqnr) = (q.scales, q.sqnr)
            }
        }
        return Encoded(crc32: checksum ? CRC32.checksum(UnsafeRawBufferPointer(out)) : 0, scales: scales, sqnr: sqnr)
    }

    /// Source bytes quantized between evictions: small enough that the layers in flight hold little
    /// of the checkpoint resident, large enough that `madvise` calls cost nothing.
    static let evictionBlock = 256 << 10

    /// Folds float32 `src` (any alignment) row by row and writes it as IEEE half; only one folded
    /// row is held as float.
    private static func toHalf(_ src: UnsafeRawBufferPointer, rows: Int, foldScale: [Double]?,
                               into dst: UnsafeMutableRawBufferPointer) {
        let halves = dst.bindMemory(to: UInt16.self)
        guard let foldScale, rows > 0, halves.count > 0 else {
            swsl_to_half(src.baseAddress, halves.count, halves.baseAddress)
            return
        }
        let perRow = halves.count / rows
        var row = [Float](repeating: 0, count: perRow)
        row.withUnsafeMutableBufferPointer { work in
            foldScale.withUnsafeBufferPointer { scale in
                for r in 0..<rows {
                    swsl_fold_rows(src.baseAddress! + 4 * r * perRow, 1, perRow, scale.baseAddress! + r, work.baseAddress)
                    swsl_to_half(work.baseAddress, perRow, halves.baseAddress! + r * perRow)
                }
            }
        }
    }

    /// The `.swm` metadata for `model`: architecture, ImageNet preprocessing, class names (1000
    /// classes only), provenance, quantization; the SQNR report only when `sqnr` is not empty.
    public static func metadata(_ model: CanonicalModel, source: SourceInfo, options: ConversionOptions,
                         sqnr: [(String, Double)]) -> SWMMetadata {
        let classes = model.architecture.numClasses
        var report: SWMMetadata.Report?
        if let worst = sqnr.min(by: { $0.1 < $1.1 }) {
            let finite = sqnr.map(\.1).filter(\.isFinite)
            report = SWMMetadata.Report(worstSQNR: worst.1.isFinite ? worst.1 : 999, worstTensor: worst.0,
                                        meanSQNR: finite.isEmpty ? 999 : finite.reduce(0, +) / Double(finite.count))
        }
        return SWMMetadata(
            architecture: model.architecture,
            preprocessing: source.preprocessing,
            classes: .init(count: classes, names: classes == ImageNetClasses.names.count ? ImageNetClasses.names : nil),
            provenance: .init(sourceFile: source.fileName, sourceSize: source.size, sourceSHA256: source.sha256,
                              sourceFormat: source.format, convention: model.convention.rawValue, wrapper: source.wrapper,
                              prefix: source.prefix, converter: version, details: source.details),
            quantization: .init(precision: options.precision,
                                weights: options.precision == .int8 ? options.granularity : nil,
                                activations: options.calibration,
                                floatLayers: options.precision == .int8
                                    ? options.floatLayers.sorted { $0.key < $1.key }.map { .init(layer: $0.key, dtype: "float16", reason: $0.value) }
                                    : []),
            report: report)
    }
}
