import SWSLCore

/// transformers' `preprocessor_config.json` for image classifiers, read as the resize-then-centre-crop
/// that `run` applies, or refused where it says something else:
/// - `ConvNextImageProcessor` (and its older `ConvNextFeatureExtractor`, what `microsoft/resnet-50`
///   carries): `size.shortest_edge` S below 384 means resize the shorter side to S / `crop_pct`, then crop S;
/// - `BitImageProcessor`: resize the shorter side to `size.shortest_edge`, then crop `crop_size`.
/// Pixels are rescaled by 1/255 (`do_rescale`, `rescale_factor`), then normalised by `image_mean` and
/// `image_std` (`do_normalize`); `resample` is PIL's filter code.
struct TransformersPreprocessor {
    let inputSize: Int?
    let cropPct: Double?
    let interpolation: String?
    let mean: [Double]?
    let std: [Double]?

    /// PIL's resampling codes, as transformers stores them.
    static let filters = [0: "nearest", 1: "lanczos", 2: "bilinear", 3: "bicubic", 4: "box", 5: "hamming"]

    static func read(_ path: String) throws(CheckpointError) -> TransformersPreprocessor {
        let file = try JSONFile(path)
        let json = file.root
        let fail = file.fail
        let number = JSONFile.number
        func flag(_ key: String, default value: Bool) throws(CheckpointError) -> Bool {
            try file.flag(json[key], key) ?? value
        }
        /// `size` as transformers writes it: an integer, or `{shortest_edge}` / `{height, width}`.
        func side(_ key: String) throws(CheckpointError) -> Int? {
            let value: Double?
            switch json[key] {
            case nil, .null?: return nil
            case .object?:
                if let edge = number(json[key]?["shortest_edge"]) {
                    value = edge
                } else if let h = number(json[key]?["height"]), let w = number(json[key]?["width"]), h == w {
                    value = h
                } else {
                    throw fail(key, "neither shortest_edge nor a square height and width")
                }
            default: value = number(json[key])
            }
            guard let value, value >= 1, value <= 4096, value.rounded() == value else { throw fail(key, "not a size in 1...4096") }
            return Int(value)
        }
        let processorType = try file.string(json["image_processor_type"], "image_processor_type")
        let extractorType = try file.string(json["feature_extractor_type"], "feature_extractor_type")
        let kind = processorType ?? extractorType ?? ""
        guard try flag("do_resize", default: true) else {
            throw fail("do_resize", "false: the images are not resized, which run cannot follow")
        }
        let rescale = try flag("do_rescale", default: true) ? (number(json["rescale_factor"]) ?? 1.0 / 255) : 1
        guard abs(rescale * 255 - 1) < 1e-6 else {
            throw fail("rescale_factor", "\(rescale); run scales pixels to [0, 1] (1/255)")
        }
        var interpolation: String?
        if let code = json["resample"] {
            guard let n = number(code), (0...5).contains(n), n.rounded() == n, let name = filters[Int(n)] else {
                throw fail("resample", "not one of PIL's filter codes 0-5")
            }
            interpolation = name
        }
        let normalize = try flag("do_normalize", default: true)
        let mean = normalize ? try file.numbers(json["image_mean"], "image_mean", count: 3) : [0, 0, 0]
        let std = normalize ? try file.numbers(json["image_std"], "image_std", count: 3) : [1, 1, 1]
        let shortest = try side("size")
        if kind.hasPrefix("ConvNext") {
            if let shortest, shortest >= 384 {
                throw fail("size", "shortest_edge \(shortest) ≥ 384: ConvNext's processor then warps to a square "
                    + "without cropping, which run does not do")
            }
            let crop = number(json["crop_pct"]) ?? 224.0 / 256
            guard crop > 0.1, crop <= 1 else { throw fail("crop_pct", "not a number in (0.1, 1]") }
            return TransformersPreprocessor(inputSize: shortest, cropPct: crop, interpolation: interpolation, mean: mean, std: std)
        }
        if kind.hasPrefix("Bit") {
            guard try flag("do_center_crop", default: true), let shortest, let crop = try side("crop_size"), crop <= shortest else {
                throw fail("crop_size", "the processor does not resize then centre-crop a square no larger than the resize")
            }
            let ratio = Double(crop) / Double(shortest)
            guard ratio > 0.1 else { throw fail("crop_size", "\(crop) over shortest_edge \(shortest) is at most 0.1") }
            return TransformersPreprocessor(inputSize: crop, cropPct: ratio, interpolation: interpolation, mean: mean, std: std)
        }
        throw fail("image_processor_type", "'\(kind)' is not read (ConvNext's and BiT's are): its resize and crop are not known here")
    }
}
