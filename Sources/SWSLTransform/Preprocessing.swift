import SWSLCore

/// How images are prepared for the model: resize the shorter side to `inputSize / cropRatio` with
/// bilinear filtering, centre-crop `inputSize`, scale to [0, 1], normalise per channel.
public struct Preprocessing: Sendable, Equatable {
    public var inputSize: Int
    public var cropRatio: Double
    public var interpolation: String
    public var mean: [Double]
    public var std: [Double]

    /// The ImageNet evaluation transform the SWSL/SSL models were trained for.
    public static let imageNet = Preprocessing(
        inputSize: 224, cropRatio: 0.875, interpolation: "bilinear",
        mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    /// Shorter side after resizing (256 for 224 / 0.875).
    public var resizeSize: Int { Int((Double(inputSize) / cropRatio).rounded(.down)) }

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
