import SWSLCore

extension ResNetArchitecture: CustomStringConvertible {
    /// What `inspect --json` prints under `architecture`; `name` is null when no known model matches.
    public func report() -> JSONValue {
        func ints(_ values: [Int]) -> JSONValue { .array(values.map { .int(Int64($0)) }) }
        return .object([
            ("name", name.map(JSONValue.string) ?? .null),
            ("block", .string(block.rawValue)),
            ("layers", ints(layers)),
            ("widths", ints(widths)),
            ("stem_width", .int(Int64(stemWidth))),
            ("stem_type", .string(stemType.rawValue)),
            ("groups", .int(Int64(groups))),
            ("width_per_group", .int(Int64(widthPerGroup))),
            ("avg_down", .bool(avgDown)),
            ("num_classes", .int(Int64(numClasses))),
        ])
    }

    /// One line: `resnext50_32x4d: bottleneck [3, 4, 6, 3], widths [256, 512, 1024, 2048], 32 groups × 4, 1000 classes`;
    /// the stem, groups and extras only where they differ from a plain ResNet's.
    public var description: String {
        var parts = ["\(block.rawValue) \(layers)", "widths \(widths)"]
        if stemType != .single || stemWidth != 64 { parts.append("\(stemType == .single ? "" : stemType.rawValue + " ")stem \(stemWidth)") }
        if groups != 1 || widthPerGroup != 64 { parts.append("\(groups) group\(groups == 1 ? "" : "s") × \(widthPerGroup)") }
        if avgDown { parts.append("avg-pool shortcuts") }
        if !strideOn3x3 && block == .bottleneck { parts.append("stride on the first 1×1") }
        if inputChannels != 3 { parts.append("\(inputChannels) input channels") }
        parts.append("\(numClasses) classes")
        return "\(name ?? "unnamed ResNet"): " + parts.joined(separator: ", ")
    }
}
