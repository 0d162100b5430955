import SWSLCore
import SWSLNetwork

/// The `.swm` metadata (Formats/SWM.md, "Metadata"), typed: the one place that writes it and the
/// one place that reads it. `init(json:)` enforces rule 9 — every key of the spec, with its type —
/// and `json` writes the keys in the spec's order.
public struct SWMMetadata: Sendable, Equatable {
    /// The network (`"architecture"`, written by `ResNetArchitecture.fileReport()`); every field is
    /// checked when metadata is read (rule 9), and the tensors it implies when a file is opened (rule 14).
    public var architecture: ResNetArchitecture
    /// How input images are prepared (`"preprocessing"`); ImageNet's for every file the converter writes.
    public var preprocessing: Preprocessing
    /// Number of outputs and, for 1000-class models, their names (`"classes"`).
    public var classes: Classes
    /// The source file the weights came from and where in it they were found (`"provenance"`).
    public var provenance: Provenance
    /// Stored precision, int8 scale granularity and activation calibration (`"quantization"`).
    public var quantization: Quantization
    /// Weight SQNR figures (int8 files); nil for fp16 and fp32.
    public var report: Report?
    /// The verification `convert --verify` ran before writing the file (`"verification"`); nil when none.
    public var verification: Verification?

    /// The `"classes"` object; when read, `names` (if not nil) must have exactly `count` entries.
    public struct Classes: Sendable, Equatable {
        /// Number of model outputs (the architecture's `num_classes`); non-negative.
        public var count: Int
        /// Names in class order (ImageNet's for 1000-class models); nil otherwise.
        public var names: [String]?

        /// Does not check `names` against `count`; `SWMMetadata.init(json:)` does.
        public init(count: Int, names: [String]?) {
            self.count = count
            self.names = names
        }
    }

    /// The `"provenance"` object: which checkpoint was converted and how its weights were found.
    public struct Provenance: Sendable, Equatable {
        /// The source checkpoint's file name, without its folder.
        public var sourceFile: String
        /// Size of the source file in bytes (0 when it could not be measured).
        public var sourceSize: Int
        /// Hex SHA-256 of the source file's bytes.
        public var sourceSHA256: String
        /// The container that was read: a `CheckpointFormat` raw value (`pytorch-zip`, `onnx`, `safetensors`…).
        public var sourceFormat: String
        /// The naming convention of the source tensors (`torchvision`, `timm`, `huggingface`, `onnx-graph`;
        /// Formats/resnet-schema.md).
        public var convention: String
        /// Where in the checkpoint object the weights were found (`state_dict`, `model`…); nil for a bare mapping.
        public var wrapper: String?
        /// The prefix every source tensor name carried (`module.`); nil when there was none.
        public var prefix: String?
        /// The tool and version that wrote the file.
        public var converter: String
        /// Optional facts about the source, written only when known (absent keys keep older files' bytes):
        /// `release`: the official SWSL/SSL release the file is (its torch.hub entry point, `resnet50_swsl`);
        /// `model_tag`, `license`: a hub folder's `pretrained_cfg` tag and license;
        /// `graph_input_layout`: `NHWC` when the ONNX graph took NHWC input;
        /// `graph_output`: `softmax` when the ONNX graph ended in a Softmax over the logits.
        public var details: Details = Details()

        /// The optional provenance keys, in the order they are written.
        public struct Details: Sendable, Equatable {
            public var release: String?
            public var modelTag: String?
            public var license: String?
            public var graphInputLayout: String?
            public var graphOutput: String?

            /// All absent by default.
            public init(release: String? = nil, modelTag: String? = nil, license: String? = nil,
                        graphInputLayout: String? = nil, graphOutput: String? = nil) {
                (self.release, self.modelTag, self.license) = (release, modelTag, license)
                (self.graphInputLayout, self.graphOutput) = (graphInputLayout, graphOutput)
            }

            /// Metadata keys and values, present ones only.
            var pairs: [(String, String)] {
                [("release", release), ("model_tag", modelTag), ("license", license),
                 ("graph_input_layout", graphInputLayout), ("graph_output", graphOutput)]
                    .compactMap { key, value in value.map { (key, $0) } }
            }
        }

        /// Takes every field as given; nothing is checked.
        public init(sourceFile: String, sourceSize: Int, sourceSHA256: String, sourceFormat: String, convention: String,
                    wrapper: String?, prefix: String?, converter: String, details: Details = Details()) {
            self.details = details
            (self.sourceFile, self.sourceSize, self.sourceSHA256, self.sourceFormat) = (sourceFile, sourceSize, sourceSHA256, sourceFormat)
            (self.convention, self.wrapper, self.prefix, self.converter) = (convention, wrapper, prefix, converter)
        }
    }

    /// The `"quantization"` object. Its fixed keys (`symmetric`, `scale_dtype`, `bias_dtype`) are not stored:
    /// `json` writes them and `init(json:)` checks them.
    public struct Quantization: Sendable, Equatable {
        /// How the weights are stored.
        public var precision: Precision
        /// The int8 scales' granularity; nil for float files.
        public var weights: WeightGranularity?
        /// How activation ranges were calibrated, or nil when they were not (no `P.input_scale` stored).
        public var activations: Activations?
        /// int8 files: the layers kept in float, each with its dtype and why (`--precision auto`);
        /// written only when there are some.
        public var floatLayers: [FloatLayer]

        /// The `"activations"` record: how the stored activation ranges (`P.input_scale`) were calibrated.
        public struct Activations: Sendable, Equatable {
            /// `max`, `percentile P`, `entropy` or `mse`.
            public var method: String
            /// Calibration inputs used (≥ 1).
            public var samples: Int
            /// `synthetic`, or the file or folder name the inputs came from.
            public var source: String
            /// Height and width of the calibration inputs.
            public var inputSize: [Int]
            /// How a range becomes the stored scale, in words.
            public var scale: String

            /// Takes the fields as given; `SWMMetadata.init(json:)` checks them when a file is read.
            public init(method: String, samples: Int, source: String, inputSize: [Int], scale: String) {
                (self.method, self.samples, self.source, self.inputSize, self.scale) = (method, samples, source, inputSize, scale)
            }

            /// The record, keys in the spec's order.
            public var json: JSONValue {
                .object([("method", .string(method)), ("samples", .int(Int64(samples))), ("source", .string(source)),
                         ("input_size", .array(inputSize.map { .int(Int64($0)) })), ("scale", .string(scale))])
            }
        }

        /// One layer of an int8 file whose weights are stored in float.
        public struct FloatLayer: Sendable, Equatable {
            /// Canonical path (`stage2.block0.conv2`).
            public var layer: String
            /// `float16` or `float32`: the dtype of its `P.weight`.
            public var dtype: String
            /// Why it was kept in float.
            public var reason: String

            /// Takes the fields as given.
            public init(layer: String, dtype: String, reason: String) {
                (self.layer, self.dtype, self.reason) = (layer, dtype, reason)
            }
        }

        /// Takes the fields as given; values are checked only when metadata is read (`init(json:)`).
        public init(precision: Precision, weights: WeightGranularity?, activations: Activations?, floatLayers: [FloatLayer] = []) {
            self.precision = precision
            self.weights = weights
            self.activations = activations
            self.floatLayers = floatLayers
        }
    }

    /// The `"report"` object: weight quantization error as signal-to-quantization-noise ratios, in dB.
    public struct Report: Sendable, Equatable {
        /// Lowest SQNR of any weight tensor, in dB (the converter writes 999 when every tensor is exact).
        public var worstSQNR: Double
        /// Canonical name of the tensor with the lowest SQNR.
        public var worstTensor: String
        /// Mean SQNR over the tensors whose SQNR is finite, in dB (999 when none is).
        public var meanSQNR: Double

        /// Takes the figures as computed; nothing is checked.
        public init(worstSQNR: Double, worstTensor: String, meanSQNR: Double) {
            (self.worstSQNR, self.worstTensor, self.meanSQNR) = (worstSQNR, worstTensor, meanSQNR)
        }
    }

    /// The `"verification"` object: the converted model against its source's float reference on the
    /// inputs named, before the file was written. When read, it must be consistent: `pass` is true
    /// exactly when the metrics meet the thresholds (rule 18).
    public struct Verification: Sendable, Equatable {
        /// The converter that ran it (the same string as `provenance.converter`).
        public var tool: String
        /// What the inputs were, and their CRC-32 (of the float32 values, little-endian) in hex.
        public var inputs: String
        public var inputsCRC32: String
        /// How int8 ran (`integer, ranges measured per input`), or nil for float files.
        public var int8: String?
        /// The kernels that ran (`avx2, integer avx2`): the result holds for that instruction set; nil in
        /// records written before the key existed.
        public var kernels: String?
        /// Images compared, lowest cosine of the logits, top-1 agreement counting near ties.
        public var samples: Int
        public var cosineMin: Double
        public var top1Agreement: Double
        /// The thresholds applied: lowest cosine and top-1 agreement.
        public var cosineThreshold: Double
        public var top1Threshold: Double
        /// For a head with few outputs, judged by its largest difference over the reference's largest |output|
        /// instead of cosine: that difference and its limit (`scaled_max_diff`, `thresholds.scaled_diff_max`);
        /// nil for other heads.
        public var scaledMaxDiff: Double?
        public var scaledDiffThreshold: Double?
        /// Whether the metrics met the thresholds.
        public var pass: Bool

        /// Takes the fields as given; `SWMMetadata.init(json:)` checks them.
        public init(tool: String, inputs: String, inputsCRC32: String, int8: String?, kernels: String?, samples: Int,
                    cosineMin: Double, top1Agreement: Double, cosineThreshold: Double, top1Threshold: Double,
                    scaledMaxDiff: Double? = nil, scaledDiffThreshold: Double? = nil, pass: Bool) {
            self.scaledMaxDiff = scaledMaxDiff
            self.scaledDiffThreshold = scaledDiffThreshold
            self.tool = tool
            self.inputs = inputs
            self.inputsCRC32 = inputsCRC32
            self.int8 = int8
            self.kernels = kernels
            self.samples = samples
            self.cosineMin = cosineMin
            self.top1Agreement = top1Agreement
            self.cosineThreshold = cosineThreshold
            self.top1Threshold = top1Threshold
            self.pass = pass
        }

        /// Whether the metrics meet the thresholds.
        public var metricsPass: Bool {
            if let scaledMaxDiff, let scaledDiffThreshold {
                return scaledMaxDiff <= scaledDiffThreshold && top1Agreement >= top1Threshold
            }
            return cosineMin >= cosineThreshold && top1Agreement >= top1Threshold
        }

        /// The record as the metadata stores it.
        public var json: JSONValue {
            var pairs: [(String, JSONValue)] = [
                ("tool", .string(tool)), ("inputs", .string(inputs)), ("inputs_crc32", .string(inputsCRC32)),
                ("int8", int8.map(JSONValue.string) ?? .null),
            ]
            if let kernels { pairs.append(("kernels", .string(kernels))) }
            pairs += [("samples", .int(Int64(samples))), ("cosine_min", .double(cosineMin)),
                      ("top1_agreement", .double(top1Agreement))]
            if let scaledMaxDiff { pairs.append(("scaled_max_diff", .double(scaledMaxDiff))) }
            var thresholds: [(String, JSONValue)] = [("cosine_min", .double(cosineThreshold)), ("top1_min", .double(top1Threshold))]
            if let scaledDiffThreshold { thresholds.append(("scaled_diff_max", .double(scaledDiffThreshold))) }
            pairs += [("thresholds", .object(thresholds)), ("pass", .bool(pass))]
            return .object(pairs)
        }
    }

    /// Assembles metadata from typed parts, unchecked; `json` makes the object a writer stores.
    public init(architecture: ResNetArchitecture, preprocessing: Preprocessing, classes: Classes, provenance: Provenance,
                quantization: Quantization, report: Report?, verification: Verification? = nil) {
        self.verification = verification
        self.architecture = architecture
        self.preprocessing = preprocessing
        self.classes = classes
        self.provenance = provenance
        self.quantization = quantization
        self.report = report
    }

    /// The metadata object, keys in the spec's order.
    public var json: JSONValue {
        let names: JSONValue = classes.names.map { .array($0.map(JSONValue.string)) } ?? .null
        let classesJSON: JSONValue = .object([("count", .int(Int64(classes.count))), ("names", names)])
        let wrapper: JSONValue = provenance.wrapper.map(JSONValue.string) ?? .null
        let prefix: JSONValue = provenance.prefix.map(JSONValue.string) ?? .null
        let provenanceJSON: JSONValue = .object([
            ("source_file", .string(provenance.sourceFile)),
            ("source_size", .int(Int64(provenance.sourceSize))),
            ("source_sha256", .string(provenance.sourceSHA256)),
            ("source_format", .string(provenance.sourceFormat)),
            ("convention", .string(provenance.convention)),
            ("wrapper", wrapper),
            ("prefix", prefix),
            ("converter", .string(provenance.converter)),
        ] + provenance.details.pairs.map { ($0.0, JSONValue.string($0.1)) })
        let weights: JSONValue = quantization.weights.map { .string($0.rawValue) } ?? .null
        var quantizationPairs: [(String, JSONValue)] = [
            ("precision", .string(quantization.precision.rawValue)),
            ("weights", weights),
            ("symmetric", .bool(true)),
            ("scale_dtype", .string("float32")),
            ("bias_dtype", .string("float32")),
            ("activations", quantization.activations?.json ?? .null),
        ]
        if !quantization.floatLayers.isEmpty {
            quantizationPairs.append(("float_layers", .array(quantization.floatLayers.map { kept in
                .object([("layer", .string(kept.layer)), ("dtype", .string(kept.dtype)), ("reason", .string(kept.reason))])
            })))
        }
        let quantizationJSON: JSONValue = .object(quantizationPairs)
        var reportJSON: JSONValue = .null
        if let r = report {
            reportJSON = .object([
                ("worst_sqnr_db", .double(r.worstSQNR)),
                ("worst_sqnr_tensor", .string(r.worstTensor)),
                ("mean_sqnr_db", .double(r.meanSQNR)),
            ])
        }
        var pairs: [(String, JSONValue)] = [
            ("format", .string("swm")),
            ("version", .int(1)),
            ("architecture", architecture.fileReport()),
            ("preprocessing", preprocessing.json),
            ("classes", classesJSON),
            ("provenance", provenanceJSON),
            ("quantization", quantizationJSON),
            ("report", reportJSON),
        ]
        // Written only when there is one, so files without a record keep their bytes.
        if let verification { pairs.append(("verification", verification.json)) }
        return .object(pairs)
    }

    /// Reads and checks the metadata object (rule 9): every key of the spec with its type. Keys the
    /// spec does not name are allowed (later writers may add some).
    public init(json: JSONValue) throws(SWMError) {
        guard case .object = json, json["format"] == .string("swm") else { throw .badMetadata("not a swm metadata object") }
        do throws(JSONFieldError) {
            try self.init(fields: try JSONFields(json))
        } catch {
            throw .badMetadata(error.description)
        }
        quantization.floatLayers = try Self.floatLayers(json["quantization"]?["float_layers"], precision: quantization.precision)
        verification = try Self.verification(json["verification"])
    }

    /// Rule 9 through typed, path-naming field reads; rule 19's metadata half and the verification record
    /// (rule 18) are `init(json:)`'s.
    private init(fields m: JSONFields) throws(JSONFieldError) {
        guard m["version"] == .int(1) else { throw m.fail("version", "missing or not 1") }
        architecture = try ResNetArchitecture(json: try m.object("architecture").value)
        preprocessing = try Preprocessing(json: try m.object("preprocessing").value)
        let c = try m.object("classes")
        var names: [String]?
        switch c["names"] {
        case .null?: names = nil
        case .array(let items)?:
            names = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
            guard names!.count == items.count else { throw c.fail("names", "not all strings") }
        default: throw c.fail("names", "missing, or not an array or null")
        }
        classes = Classes(count: try c.integer("count"), names: names)
        if let names, names.count != classes.count {
            throw c.fail("names", "\(names.count) names for \(classes.count) classes")
        }
        let p = try m.object("provenance")
        provenance = Provenance(
            sourceFile: try p.string("source_file"), sourceSize: try p.integer("source_size", in: 0...Int64.max),
            sourceSHA256: try p.string("source_sha256"), sourceFormat: try p.string("source_format"),
            convention: try p.string("convention"), wrapper: try p.stringOrNull("wrapper"), prefix: try p.stringOrNull("prefix"),
            converter: try p.string("converter"))
        provenance.details = Provenance.Details(
            release: try p.absentOrString("release"), modelTag: try p.absentOrString("model_tag"),
            license: try p.absentOrString("license"), graphInputLayout: try p.absentOrString("graph_input_layout"),
            graphOutput: try p.absentOrString("graph_output"))
        let q = try m.object("quantization")
        let precisionName = try q.string("precision")
        guard let precision = Precision(rawValue: precisionName) else {
            throw q.fail("precision", "\(precisionName) is not int8, fp16 or fp32")
        }
        var weights: WeightGranularity?
        if let name = try q.stringOrNull("weights") {
            guard let granularity = WeightGranularity(rawValue: name) else {
                throw q.fail("weights", "\(name) is not per-channel or per-tensor")
            }
            weights = granularity
        }
        guard q["symmetric"] == .bool(true) else { throw q.fail("symmetric", "missing or not true") }
        guard q["scale_dtype"] == .string("float32"), q["bias_dtype"] == .string("float32") else {
            throw q.fail(nil, "scale_dtype and bias_dtype must be float32")
        }
        var activations: Quantization.Activations?
        if let a = try q.objectOrNull("activations") {
            activations = .init(method: try a.string("method"),
                                samples: try a.integer("samples", in: 1...Int64(Int32.max), what: "a positive integer"),
                                source: try a.string("source"),
                                inputSize: try a.integers("input_size", count: 2, in: 1...(1 << 20),
                                                          what: "[height, width] of positive integers"),
                                scale: try a.string("scale"))
        }
        quantization = Quantization(precision: precision, weights: weights, activations: activations)
        if let r = try m.objectOrNull("report") {
            report = Report(worstSQNR: try r.number("worst_sqnr_db"), worstTensor: try r.string("worst_sqnr_tensor"),
                            meanSQNR: try r.number("mean_sqnr_db"))
        } else {
            report = nil
        }
        verification = nil
    }

    /// Rule 19's metadata half (its directory half is checked by SWMFile): absent, null, or entries of
    /// three strings with dtype float16 or float32, in int8 files only.
    private static func floatLayers(_ value: JSONValue?, precision: Precision) throws(SWMError) -> [Quantization.FloatLayer] {
        var floatLayers: [Quantization.FloatLayer] = []
        switch value {
        case nil, .null?: break
        case .array(let items)?:
            for item in items {
                guard case .string(let layer)? = item["layer"], case .string(let dtype)? = item["dtype"],
                      case .string(let reason)? = item["reason"] else {
                    throw .badMetadata("quantization.float_layers: an entry without layer, dtype and reason strings", rule: 19)
                }
                guard ["float16", "float32"].contains(dtype) else {
                    throw .badMetadata("quantization.float_layers: \(layer) has dtype \(dtype), not float16 or float32", rule: 19)
                }
                floatLayers.append(.init(layer: layer, dtype: dtype, reason: reason))
            }
            guard precision == .int8 || floatLayers.isEmpty else {
                throw .badMetadata("quantization.float_layers: only int8 files keep layers in float", rule: 19)
            }
        default: throw .badMetadata("quantization.float_layers: not an array", rule: 19)
        }
        return floatLayers
    }

    /// Reads and checks the verification record (rule 18): absent or null, or an object with every key
    /// and type, a CRC of 8 hex digits, metrics in range, and `pass` equal to what the metrics and
    /// thresholds say — a record that claims more than its numbers is refused.
    private static func verification(_ value: JSONValue?) throws(SWMError) -> Verification? {
        func fail(_ problem: String) -> SWMError { .badMetadata("verification: \(problem)", rule: 18) }
        if value == nil || value == .null { return nil }
        let record: Verification
        do throws(JSONFieldError) {
            let v = try JSONFields(value!, path: "verification")
            let t = try v.object("thresholds")
            let crc = try v.string("inputs_crc32")
            guard crc.count == 8, crc.allSatisfy(\.isHexDigit) else { throw v.fail("inputs_crc32", "not 8 hex digits") }
            // A few-output head's record carries its scaled difference and limit, both or neither.
            var scaled: Double?, scaledLimit: Double?
            if v["scaled_max_diff"] != nil || t["scaled_diff_max"] != nil {
                scaled = try v.number("scaled_max_diff")
                scaledLimit = try t.number("scaled_diff_max")
                guard scaled! >= 0, scaledLimit! >= 0, scaled!.isFinite, scaledLimit!.isFinite else {
                    throw v.fail("scaled_max_diff", "it or its limit is not a finite number ≥ 0")
                }
            }
            record = Verification(
                tool: try v.string("tool"), inputs: try v.string("inputs"), inputsCRC32: crc, int8: try v.stringOrNull("int8"),
                kernels: try v.absentOrString("kernels"),
                samples: try v.integer("samples", in: 1...Int64(Int32.max), what: "a positive integer"),
                cosineMin: try v.number("cosine_min"), top1Agreement: try v.number("top1_agreement"),
                cosineThreshold: try t.number("cosine_min"), top1Threshold: try t.number("top1_min"),
                scaledMaxDiff: scaled, scaledDiffThreshold: scaledLimit, pass: try v.bool("pass"))
        } catch {
            throw .badMetadata(error.description, rule: 18)
        }
        guard (-1...1).contains(record.cosineMin), (0...1).contains(record.top1Agreement),
              (-1...1).contains(record.cosineThreshold), (0...1).contains(record.top1Threshold) else {
            throw fail("a metric or threshold is out of range")
        }
        guard record.pass == record.metricsPass else {
            throw fail("pass is \(record.pass), but the metrics \(record.metricsPass ? "meet" : "miss") the thresholds")
        }
        return record
    }
}
