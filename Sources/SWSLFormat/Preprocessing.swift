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
    /// A field of `"preprocessing"` that is missing, of the wrong type or out of range (`preprocessing.std: …`).
    public typealias MetadataError = JSONFieldError

    /// Reads the `"preprocessing"` object that ``json`` writes. `input_size`, `crop_ratio`, `mean`
    /// and `std` are required; `interpolation` defaults to bilinear; `resize_size`, when present,
    /// must equal ``resizeSize``; `channel_order` and `layout`, when present, must be RGB and NCHW.
    public init(json: JSONValue) throws(MetadataError) {
        let f = try JSONFields(json, path: "preprocessing")
        let size = try f.integer("input_size", in: 1...4096, what: "an integer in 1...4096")
        let ratio = try f.number("crop_ratio")
        guard ratio > 0.1, ratio <= 1 else { throw f.fail("crop_ratio", "missing or not a number in (0.1, 1]") }
        let interpolation = try f.absentOrString("interpolation") ?? "bilinear"
        let std = try f.numbers("std", count: 3, what: "3 finite numbers (R, G, B)")
        guard std.allSatisfy({ $0 > 0 }) else { throw f.fail("std", "deviations must be positive, got \(std)") }
        self.init(inputSize: size, cropRatio: ratio, interpolation: interpolation,
                  mean: try f.numbers("mean", count: 3, what: "3 finite numbers (R, G, B)"), std: std)
        if let value = json["resize_size"] {
            guard case .int(let resize) = value, resize == resizeSize else {
                throw f.fail("resize_size", "\(value.serialized()) disagrees with input_size / crop_ratio = \(resizeSize)")
            }
        }
        for (field, expected) in [("channel_order", "RGB"), ("layout", "NCHW")] {
            if let value = json[field], value != .string(expected) {
                throw f.fail(field, "only \"\(expected)\" is supported, got \(value.serialized())")
            }
        }
    }
}
