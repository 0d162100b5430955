import SWSLCore

/// How images are prepared for the model: resize the shorter side to `inputSize / cropRatio` with the
/// `interpolation` filter, centre-crop `inputSize`, scale to [0, 1], normalise per channel.
public struct Preprocessing: Sendable, Equatable {
    /// Side of the square centre crop the model takes, in pixels (224); 1...4096 when read from a file.
    public var inputSize: Int
    /// Crop side over the resized shorter side (0.875), in (0.1, 1] when read; `resizeSize` derives from it.
    public var cropRatio: Double
    /// Resampling filter of the resize, as stored; reading accepts any string, running accepts the filters
    /// SWSLPipeline's `ImagePreprocessor.Resampling` applies (bilinear, bicubic) and refuses others by name.
    public var interpolation: String
    /// Per-channel mean subtracted after scaling pixels to [0, 1]: three values, R, G, B.
    public var mean: [Double]
    /// Per-channel divisor applied after subtracting `mean`: three positive values, R, G, B.
    public var std: [Double]

    /// The ImageNet evaluation transform the SWSL/SSL models were trained for.
    public static let imageNet = Preprocessing(
        inputSize: 224, cropRatio: 0.875, interpolation: "bilinear",
        mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    /// Shorter side after resizing (256 for 224 / 0.875).
    public var resizeSize: Int {
        let side = (Double(inputSize) / cropRatio).rounded(.down)
        // Values a file could hold but the checks refuse (crop ratio 0, NaN) give 0 instead of trapping.
        return side.isFinite && side >= 0 && side < 1e9 ? Int(side) : 0
    }

    /// The `"preprocessing"` metadata object (Formats/SWM.md), keys in the spec's order, with the derived
    /// `resize_size` and the fixed `channel_order` "RGB" and `layout` "NCHW".
    public var json: JSONValue {
        .object([
            ("input_size", .int(Int64(inputSize))),
            ("resize_size", .int(Int64(resizeSize))),
            ("crop_ratio", .double(cropRatio)),
            ("interpolation", .string(interpolation)),
            ("mean", .array(mean.map(JSONValue.double))),
            ("std", .array(std.map(JSONValue.double))),
            ("channel_order", .string("RGB")),
            ("layout", .string("NCHW")),
        ])
    }
}

extension Preprocessing {
    /// Why a `.swm`'s `"preprocessing"` metadata could not be read. Names the field.
    public struct MetadataError: Error, CustomStringConvertible, Sendable, Equatable {
        /// The offending key inside `"preprocessing"` (`crop_ratio`, `std`…); empty when the value is not an object.
        public let field: String
        /// What is wrong with the field: missing, wrong type or out of range, with the value found.
        public let problem: String

        /// `metadata preprocessing.FIELD: PROBLEM`.
        public var description: String { "metadata preprocessing.\(field): \(problem)" }
    }

    /// Reads the `"preprocessing"` object that ``json`` writes. `input_size`, `crop_ratio`, `mean`
    /// and `std` are required; `interpolation` defaults to bilinear; `resize_size`, when present,
    /// must equal ``resizeSize``; `channel_order` and `layout`, when present, must be RGB and NCHW.
    public init(json: JSONValue) throws(MetadataError) {
        func fail(_ field: String, _ problem: String) -> MetadataError { MetadataError(field: field, problem: problem) }
        func number(_ value: JSONValue?) -> Double? {
            switch value {
            case .int(let i)?: Double(i)
            case .double(let d)?: d
            default: nil
            }
        }
        func triple(_ field: String) throws(MetadataError) -> [Double] {
            guard case .array(let items)? = json[field] else { throw fail(field, "missing or not an array") }
            let values = items.compactMap(number)
            guard values.count == 3, items.count == 3, values.allSatisfy(\.isFinite) else {
                throw fail(field, "need 3 finite numbers (R, G, B), got \(items.count) items")
            }
            return values
        }
        guard case .object = json else { throw fail("", "not an object") }
        guard case .int(let size)? = json["input_size"], (1...4096).contains(size) else {
            throw fail("input_size", "missing or not an integer in 1...4096")
        }
        guard let ratio = number(json["crop_ratio"]), ratio > 0.1, ratio <= 1 else {
            throw fail("crop_ratio", "missing or not a number in (0.1, 1]")
        }
        var interpolation = "bilinear"
        if let value = json["interpolation"] {
            guard case .string(let s) = value else { throw fail("interpolation", "not a string") }
            interpolation = s
        }
        let std = try triple("std")
        guard std.allSatisfy({ $0 > 0 }) else { throw fail("std", "deviations must be positive, got \(std)") }
        self.init(inputSize: Int(size), cropRatio: ratio, interpolation: interpolation, mean: try triple("mean"), std: std)
        if let value = json["resize_size"] {
            guard case .int(let resize) = value, resize == resizeSize else {
                throw fail("resize_size", "\(value.serialized()) disagrees with input_size / crop_ratio = \(resizeSize)")
            }
        }
        for (field, expected) in [("channel_order", "RGB"), ("layout", "NCHW")] {
            if let value = json[field], value != .string(expected) {
                throw fail(field, "only \"\(expected)\" is supported, got \(value.serialized())")
            }
        }
    }
}
