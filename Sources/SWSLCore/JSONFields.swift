/// One JSON object's fields read by type: every refusal names the field by its dotted path
/// (`quantization.activations.samples: missing or not a non-negative integer`). The one set of typed
/// accessors for the metadata, the architecture, the preprocessing and the configuration files.
public struct JSONFields: Sendable {
    /// The object read.
    public let value: JSONValue
    /// Its dotted path from the document's root (`quantization.activations`); empty for the root.
    public let path: String

    /// `value`, which must be a JSON object (else `JSONFieldError` naming `path`).
    public init(_ value: JSONValue, path: String = "") throws(JSONFieldError) {
        guard case .object = value else { throw JSONFieldError(field: path, problem: "not an object") }
        self.value = value
        self.path = path
    }

    /// The dotted path of `key` in this object.
    public func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value under `key`, nil when absent.
    public subscript(key: String) -> JSONValue? { value[key] }

    /// A refusal naming `key` (or this object, for nil).
    public func fail(_ key: String?, _ problem: String) -> JSONFieldError {
        JSONFieldError(field: key.map(name) ?? path, problem: problem)
    }

    /// A required object.
    public func object(_ key: String) throws(JSONFieldError) -> JSONFields {
        guard case .object? = value[key] else { throw fail(key, "missing or not an object") }
        return try JSONFields(value[key]!, path: name(key))
    }

    /// An object or `null` (nil), required to be there.
    public func objectOrNull(_ key: String) throws(JSONFieldError) -> JSONFields? {
        switch value[key] {
        case .null?: return nil
        case .object?: return try JSONFields(value[key]!, path: name(key))
        default: throw fail(key, "missing, or not an object or null")
        }
    }

    /// A required string.
    public func string(_ key: String) throws(JSONFieldError) -> String {
        guard case .string(let s)? = value[key] else { throw fail(key, "missing or not a string") }
        return s
    }

    /// A string or `null` (nil), required to be there.
    public func stringOrNull(_ key: String) throws(JSONFieldError) -> String? {
        switch value[key] {
        case .string(let s)?: return s
        case .null?: return nil
        default: throw fail(key, "missing, or not a string or null")
        }
    }

    /// A string, or nil when the key is absent.
    public func absentOrString(_ key: String) throws(JSONFieldError) -> String? {
        guard let v = value[key] else { return nil }
        guard case .string(let s) = v else { throw fail(key, "not a string") }
        return s
    }

    /// A required integer in `range` (default: 0 to 2³¹ − 1); `what` words the refusal.
    public func integer(_ key: String, in range: ClosedRange<Int64> = 0...Int64(Int32.max),
                        what: String = "a non-negative integer") throws(JSONFieldError) -> Int {
        guard case .int(let i)? = value[key], range.contains(i) else { throw fail(key, "missing or not \(what)") }
        return Int(i)
    }

    /// A required number (an integer or a double).
    public func number(_ key: String) throws(JSONFieldError) -> Double {
        switch value[key] {
        case .int(let i)?: return Double(i)
        case .double(let d)?: return d
        default: throw fail(key, "missing or not a number")
        }
    }

    /// A boolean; `defaultValue` when absent (nil: required).
    public func bool(_ key: String, default defaultValue: Bool? = nil) throws(JSONFieldError) -> Bool {
        switch value[key] {
        case .bool(let b)?: return b
        case nil: if let defaultValue { return defaultValue }
        default: break
        }
        throw fail(key, defaultValue == nil ? "missing or not a boolean" : "not a boolean")
    }

    /// A required array of exactly `count` integers in `range`.
    public func integers(_ key: String, count: Int, in range: ClosedRange<Int64>, what: String) throws(JSONFieldError) -> [Int] {
        guard case .array(let items)? = value[key], items.count == count else { throw fail(key, "missing or not \(what)") }
        var out: [Int] = []
        for item in items {
            guard case .int(let i) = item, range.contains(i) else { throw fail(key, "missing or not \(what)") }
            out.append(Int(i))
        }
        return out
    }

    /// A required array of exactly `count` finite numbers.
    public func numbers(_ key: String, count: Int, what: String) throws(JSONFieldError) -> [Double] {
        guard case .array(let items)? = value[key] else { throw fail(key, "missing or not an array") }
        let values = items.compactMap { item -> Double? in
            switch item {
            case .int(let i): Double(i)
            case .double(let d): d.isFinite ? d : nil
            default: nil
            }
        }
        guard values.count == count, items.count == count else { throw fail(key, "need \(what), got \(items.count) items") }
        return values
    }
}

/// A field of a JSON document that is missing, of the wrong type or out of range.
public struct JSONFieldError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The field's dotted path (`provenance.source_size`); the object's own path when the object itself is wrong.
    public let field: String
    /// What is wrong with it.
    public let problem: String

    /// A refusal of `field`.
    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    /// `FIELD: PROBLEM`.
    public var description: String { field.isEmpty ? problem : "\(field): \(problem)" }
}
