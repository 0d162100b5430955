internal import CTransform
import SWSLCore
import SWSLFormat
import SWSLSchema

/// Weight precision of a converted model.
public enum Precision: String, Sendable, CaseIterable {
    case int8, fp16, fp32
}

/// How to convert.
public struct ConversionOptions: Sendable {
    public var precision: Precision
    public var granularity: Quantizer.Granularity
    /// Activation scales per layer input (canonical conv path → scale), from calibration.
    public var activationScales: [String: Float]
    /// Describes where the activation scales came from, for the metadata.
    public var calibration: JSONValue

    public init(precision: Precision = .int8, granularity: Quantizer.Granularity = .perChannel,
                activationScales: [String: Float] = [:], calibration: JSONValue = .null) {
        self.precision = precision
        self.granularity = granularity
        self.activationScales = activationScales
        self.calibration = calibration
    }
}

/// Where a model came from, for the file's provenance.
public struct SourceInfo: Sendable {
    public var fileName: String
    public var size: Int
    public var sha256: String
    public var format: String
    public var wrapper: String?
    public var prefix: String?

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
    public let tensors: [SWMTensor]
    public var metadata: JSONValue
    /// Weight SQNR per quantized tensor in dB (int8 only), in layer order.
    public let sqnr: [(String, Double)]

    public var worstSQNR: (String, Double)? { sqnr.min { $0.1 < $1.1 } }
}

/// Folds, quantizes and lays out a canonical model as `.swm` tensors.
public enum Converter {
    public static let version = "swsl-convert 0.1.0"

    public static func convert(_ model: CanonicalModel, source: SourceInfo, options: ConversionOptions) -> Conversion {
        var layers: [(path: String, weight: Tensor, scale: [Double]?, bias: [Float], layout: SWMLayout)] =
            model.convolutions.map { path, conv in
                let (scale, bias) = BatchNormFolding.factors(conv)
                return (path, conv.weight, scale, bias, SWMLayout.oihw)
            }
        layers.append(("fc", model.fcWeight, nil, model.fcBias.floats(), .plain))
        // Layers are independent: fold and quantize them on all cores.
        let results = parallelMap(layers.count) { i in
            let l = layers[i]
            return encode(l.path, weight: l.weight, foldScale: l.scale, bias: l.bias, layout: l.layout, options: options)
        }
        let tensors = results.flatMap(\.tensors)
        let sqnr = results.compactMap { r in r.sqnr.map { (r.tensors[0].name, $0) } }
        return Conversion(tensors: tensors, metadata: metadata(model, source: source, options: options, sqnr: sqnr), sqnr: sqnr)
    }

    /// One layer's tensors in the requested precision: weight (+ scale, + input scale for int8) and bias.
    static func encode(_ path: String, weight: Tensor, foldScale: [Double]?, bias: [Float], layout: SWMLayout,
                       options: ConversionOptions) -> (tensors: [SWMTensor], sqnr: Double?) {
        let shape = weight.shape
        let rows = shape.first ?? 1
        var out: [SWMTensor] = []
        var sqnr: Double?
        switch options.precision {
        case .fp32, .fp16:
            let folded = weight.withFloats { src in
                [Float](unsafeUninitializedCapacity: src.count) { dst, n in
                    swsl_fold_rows(src.baseAddress, rows, rows == 0 ? 0 : src.count / rows, foldScale, dst.baseAddress)
                    n = src.count
                }
            }
            if options.precision == .fp32 {
                out.append(SWMTensor(name: "\(path).weight", dtype: .float32, layout: layout, shape: shape,
                                     data: folded.withUnsafeBytes { Array($0) }))
            } else {
                var half = [UInt16](repeating: 0, count: folded.count)
                half.withUnsafeMutableBufferPointer { swsl_to_half(folded, folded.count, $0.baseAddress) }
                out.append(SWMTensor(name: "\(path).weight", dtype: .float16, layout: layout, shape: shape,
                                     data: half.withUnsafeBytes { Array($0) }))
            }
        case .int8:
            let q = weight.withFloats { Quantizer.quantize($0, rows: rows, foldScale: foldScale, granularity: options.granularity) }
            sqnr = q.sqnr
            out.append(SWMTensor(name: "\(path).weight", dtype: .int8, layout: layout, shape: shape,
                                 data: q.values.withUnsafeBytes { Array($0) }, scaleName: "\(path).weight_scale"))
            out.append(SWMTensor(name: "\(path).weight_scale", floats: q.scales, shape: [q.scales.count]))
            if let a = options.activationScales[path] {
                out.append(SWMTensor(name: "\(path).input_scale", floats: [a], shape: [1]))
            }
        }
        out.append(SWMTensor(name: "\(path).bias", floats: bias, shape: [bias.count]))
        return (out, sqnr)
    }

    public static func metadata(_ model: CanonicalModel, source: SourceInfo, options: ConversionOptions,
                         sqnr: [(String, Double)]) -> JSONValue {
        let classes = model.architecture.numClasses
        var report: JSONValue = .null
        if let worst = sqnr.min(by: { $0.1 < $1.1 }) {
            let finite = sqnr.map(\.1).filter(\.isFinite)
            report = .object([
                ("worst_sqnr_db", .double(worst.1.isFinite ? worst.1 : 999)),
                ("worst_sqnr_tensor", .string(worst.0)),
                ("mean_sqnr_db", .double(finite.isEmpty ? 999 : finite.reduce(0, +) / Double(finite.count))),
            ])
        }
        return .object([
            ("format", .string("swm")),
            ("version", .int(1)),
            ("architecture", model.architecture.fileReport()),
            ("preprocessing", Preprocessing.imageNet.json),
            ("classes", .object([
                ("count", .int(Int64(classes))),
                ("names", classes == ImageNetClasses.names.count ? .array(ImageNetClasses.names.map(JSONValue.string)) : .null),
            ])),
            ("provenance", .object([
                ("source_file", .string(source.fileName)),
                ("source_size", .int(Int64(source.size))),
                ("source_sha256", .string(source.sha256)),
                ("source_format", .string(source.format)),
                ("convention", .string(model.convention.rawValue)),
                ("wrapper", source.wrapper.map(JSONValue.string) ?? .null),
                ("prefix", source.prefix.map(JSONValue.string) ?? .null),
                ("converter", .string(version)),
            ])),
            ("quantization", .object([
                ("precision", .string(options.precision.rawValue)),
                ("weights", options.precision == .int8 ? .string(options.granularity.rawValue) : .null),
                ("symmetric", .bool(true)),
                ("scale_dtype", .string("float32")),
                ("bias_dtype", .string("float32")),
                ("activations", options.calibration),
            ])),
            ("report", report),
        ])
    }
}
