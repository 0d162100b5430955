import SWSLCore

extension ResNetArchitecture {
    /// The full description stored in a `.swm` file: `report()` plus the fields a plan needs that
    /// `inspect` leaves out (`input_channels`, `stride_on_3x3`).
    public func fileReport() -> JSONValue {
        guard case .object(var pairs) = report() else { return report() }
        pairs.append(("input_channels", .int(Int64(inputChannels))))
        pairs.append(("stride_on_3x3", .bool(strideOn3x3)))
        return .object(pairs)
    }

    /// Reads the description back (from `fileReport()` or `report()` output), checking every field:
    /// the `.swm` metadata's `architecture` (Formats/SWM.md, rule 9). Refusals name the field under `path`.
    public init(json: JSONValue, path: String = "architecture") throws(JSONFieldError) {
        let f = try JSONFields(json, path: path)
        guard let block = Block(rawValue: (try? f.string("block")) ?? "") else {
            throw f.fail("block", "must be basic or bottleneck")
        }
        guard let stem = StemType(rawValue: (try? f.string("stem_type")) ?? "") else {
            throw f.fail("stem_type", "must be single, deep or tiered")
        }
        func positive(_ key: String) throws(JSONFieldError) -> Int {
            try f.integer(key, in: 1...(1 << 20), what: "a positive integer")
        }
        func stages(_ key: String) throws(JSONFieldError) -> [Int] {
            try f.integers(key, count: 4, in: 1...(1 << 16), what: "4 positive integers, one per stage")
        }
        var name: String?
        if case .string(let n)? = f["name"] { name = n }
        self.init(name: name, block: block, layers: try stages("layers"), widths: try stages("widths"),
                  stemWidth: try positive("stem_width"), stemType: stem, groups: try positive("groups"),
                  widthPerGroup: try positive("width_per_group"), avgDown: try f.bool("avg_down", default: false),
                  numClasses: try positive("num_classes"),
                  inputChannels: f["input_channels"] == nil ? 3 : try positive("input_channels"),
                  strideOn3x3: try f.bool("stride_on_3x3", default: true))
    }
}
