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
    /// the `.swm` metadata's `architecture` (Formats/SWM.md, rule 9).
    public init(json: JSONValue) throws(ArchitectureError) {
        func int(_ key: String, default value: Int? = nil) throws(ArchitectureError) -> Int {
            if case .int(let i)? = json[key], i > 0, i <= 1 << 20 { return Int(i) }
            if json[key] == nil, let value { return value }
            throw ArchitectureError("architecture field '\(key)' is missing or not a positive integer")
        }
        func ints(_ key: String) throws(ArchitectureError) -> [Int] {
            guard case .array(let items)? = json[key], items.count == 4 else {
                throw ArchitectureError("architecture field '\(key)' must list 4 stages")
            }
            var out: [Int] = []
            for item in items {
                guard case .int(let i) = item, i > 0, i <= 1 << 16 else {
                    throw ArchitectureError("architecture field '\(key)' holds a value that is not a positive integer")
                }
                out.append(Int(i))
            }
            return out
        }
        func bool(_ key: String, default value: Bool) throws(ArchitectureError) -> Bool {
            switch json[key] {
            case .bool(let b)?: return b
            case nil: return value
            default: throw ArchitectureError("architecture field '\(key)' is not a boolean")
            }
        }
        guard case .string(let blockName)? = json["block"], let block = Block(rawValue: blockName) else {
            throw ArchitectureError("architecture field 'block' must be basic or bottleneck")
        }
        guard case .string(let stemName)? = json["stem_type"], let stem = StemType(rawValue: stemName) else {
            throw ArchitectureError("architecture field 'stem_type' must be single, deep or tiered")
        }
        var name: String?
        if case .string(let n)? = json["name"] { name = n }
        self.init(name: name, block: block, layers: try ints("layers"), widths: try ints("widths"),
                  stemWidth: try int("stem_width"), stemType: stem, groups: try int("groups"),
                  widthPerGroup: try int("width_per_group"), avgDown: try bool("avg_down", default: false),
                  numClasses: try int("num_classes"), inputChannels: try int("input_channels", default: 3),
                  strideOn3x3: try bool("stride_on_3x3", default: true))
    }
}

/// Why an `architecture` object does not describe a ResNet: the field and what is wrong with it.
public struct ArchitectureError: Error, CustomStringConvertible, Sendable, Equatable {
    /// One line naming the field (`architecture field 'layers' must list 4 stages`).
    public let description: String

    init(_ description: String) { self.description = description }
}
